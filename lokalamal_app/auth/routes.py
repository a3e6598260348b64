"""Register, log in and out, change and reset the password."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from .. import audit
from ..account.queries import landing_url
from ..database import reads_without_write_lock
from ..extensions import db
from ..forms import EmptyForm
from ..redirects import safe_next
from . import bp, services, throttle
from .forms import (
    ChangePasswordForm,
    ForgotPasswordForm,
    LoginForm,
    RegisterForm,
    ResetPasswordForm,
)


@bp.route("/register", methods=["GET", "POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = RegisterForm()
    if form.validate_on_submit():
        user = services.register_user(form.display_name.data, form.email.data, form.password.data,
                                      locale=str(get_locale()))
        db.session.commit()
        login_user(user)
        flash(
            _("Välkommen, %(name)s! Starta eller gå med i din arbetsplats lag.",
              name=user.display_name),
            "success",
        )
        return redirect(safe_next(request.args.get("next"), url_for("main.index")))
    status = 422 if form.is_submitted() else 200
    return render_template("auth/register.html", form=form), status


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form), 422 if form.is_submitted() else 200

    keys = throttle.keys_for(form.email.data, request.remote_addr)
    # A POST takes SQLite's only write lock at its first query: read the limits and the
    # account without it, wait and hash with no transaction open, then write the outcome
    # in a short transaction of its own.
    with reads_without_write_lock(db.session):
        limits = throttle.check(keys)
        candidate = None if limits.refused else services.login_candidate(form.email.data)
    if limits.refused:
        current_app.logger.warning("login refused (locked) for %s", keys[0])
        form.email.errors.append(
            _("För många misslyckade försök. Vänta en kvart och försök igen, "
              "eller återställ lösenordet.")
        )
        return render_template("auth/login.html", form=form), 429
    throttle.wait(limits)
    ok, new_hash = services.check_password(candidate, form.password.data)
    user = services.record_login(candidate, new_hash) if ok else None
    if user is None:
        throttle.record_failure(keys)
        db.session.commit()
        form.password.errors.append(_("Fel e-postadress eller lösenord."))
        return render_template("auth/login.html", form=form), 401

    throttle.clear_after_success(keys)
    services.remember_language(user, request.cookies.get("lang"))
    audit.record("user.login", "user", user.id, actor=user)
    db.session.commit()
    login_user(user, remember=form.remember.data)
    return redirect(safe_next(request.args.get("next"), landing_url(user)))


@bp.post("/logout")
@login_required
def logout():
    """Ends this session and every other one of the account (copied cookies too)."""
    form = EmptyForm()
    if form.validate_on_submit():
        current_user.end_all_sessions()
        db.session.commit()
        logout_user()
        flash(_("Du är utloggad."), "info")
    return redirect(url_for("main.index"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        from .passwords import verify_password

        if not verify_password(current_user.password_hash, form.current_password.data):
            form.current_password.errors.append(_("Det nuvarande lösenordet stämmer inte."))
            return render_template("auth/change_password.html", form=form), 422
        user = current_user._get_current_object()
        services.set_password(user, form.new_password.data)
        db.session.commit()
        login_user(user)  # the new session token, for this browser only
        flash(_("Lösenordet är bytt. Du har loggats ut på andra enheter."), "success")
        return redirect(url_for("main.index"))
    status = 422 if form.is_submitted() else 200
    return render_template("auth/change_password.html", form=form), status


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.send_reset_link(form.email.data)
        db.session.commit()
        # The same answer either way: the form must not tell who has an account.
        flash(_("Om adressen har ett konto har vi skickat en länk för att välja nytt lösenord."), "info")
        return redirect(url_for("auth.login"))
    status = 422 if form.is_submitted() else 200
    return render_template("auth/forgot_password.html", form=form), status


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    user = services.user_for_reset_token(token)
    if user is None:
        return render_template("auth/reset_invalid.html"), 404
    form = ResetPasswordForm()
    if form.validate_on_submit():
        services.set_password(user, form.password.data)
        db.session.commit()
        logout_user()
        flash(_("Ditt nya lösenord är sparat. Logga in med det."), "success")
        return redirect(url_for("auth.login"))
    status = 422 if form.is_submitted() else 200
    return render_template("auth/reset_password.html", form=form), status
