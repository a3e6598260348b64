"""The privacy page, one's own data, deleting one's account, staff anonymising."""

import json

from flask import Response, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from .. import permissions
from ..auth.passwords import verify_password
from ..extensions import db
from . import bp, queries, services
from .forms import DeleteAccountForm, StaffAnonymiseForm


@bp.get("/privacy")
def privacy():
    """What we store, why, for how long, and who sees it."""
    return render_template(
        "privacy/privacy.html", retention_months=current_app.config["RETENTION_MONTHS"]
    )


@bp.get("/account/data.json")
@login_required
def my_data():
    """Everything stored about the logged-in person, as a JSON download."""
    data = queries.personal_data(current_user)
    body = json.dumps(data, ensure_ascii=False, indent=2)
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": 'attachment; filename="mina-uppgifter-lokalamal.json"'},
    )


@bp.route("/account/delete", methods=["GET", "POST"])
@login_required
def delete_account():
    """Delete one's own account after confirming with the password."""
    form = DeleteAccountForm()
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("privacy/delete_account.html", form=form), status
    if not verify_password(current_user.password_hash, form.password.data):
        form.password.errors.append(_("Lösenordet stämmer inte."))
        return render_template("privacy/delete_account.html", form=form), 422
    user = current_user._get_current_object()
    try:
        services.anonymise_user(user, actor=user, reason="raderat av personen själv")
    except services.PrivacyError:  # staff anonymised it at this very moment
        db.session.rollback()
    else:
        db.session.commit()
    logout_user()
    flash(_("Ditt konto är raderat. Lagens insamlingar finns kvar, utan ditt namn."), "info")
    return redirect(url_for("main.index"))


@bp.route("/privacy/staff/anonymise", methods=["GET", "POST"])
@login_required
def staff_anonymise():
    """Staff anonymise a person who asked for it (by mail or phone)."""
    permissions.staff_or_403(current_user)
    form = StaffAnonymiseForm()
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("privacy/staff_anonymise.html", form=form), status
    try:
        services.anonymise_user(form.user, actor=current_user, reason=form.reason.data)
    except services.PrivacyError as exc:
        form.email.errors.append(str(exc))
        return render_template("privacy/staff_anonymise.html", form=form), 422
    db.session.commit()
    flash(_("Personen är anonymiserad. Lagens insamlingar finns kvar, utan namn."), "success")
    return redirect(url_for("privacy.staff_anonymise"))
