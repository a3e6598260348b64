"""Mina sidor: the person's workplaces, teams, roles, what they logged, privacy, notices."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..extensions import db
from ..forms import EmptyForm
from . import bp, queries, services
from .forms import PrivacyForm


@bp.get("/account")
@login_required
def index():
    """Everything about me in one place."""
    form = PrivacyForm(show_name=current_user.show_name)
    return render_template(
        "account/index.html",
        workplaces=queries.workplaces(current_user),
        entries=queries.logged_by(current_user),
        notifications=queries.unread_notifications(current_user),
        privacy_form=form,
        button_form=EmptyForm(),
    )


@bp.post("/account/privacy")
@login_required
def privacy():
    """Choose whether everyone sees my name, or only my colleagues (the default)."""
    form = PrivacyForm()
    if not form.validate_on_submit():
        return render_template("errors/400.html"), 400
    services.set_privacy(current_user, form.show_name.data)
    db.session.commit()
    if form.show_name.data:
        flash(_("Nu visas ditt namn för alla."), "success")
    else:
        flash(_("Nu ser bara dina kollegor ditt namn. Alla andra ser ”En medarbetare”."), "success")
    return redirect(url_for("account.index"))


@bp.post("/account/notifications/read")
@login_required
def mark_read():
    """Mark all my notifications as read."""
    if not EmptyForm().validate_on_submit():
        return render_template("errors/400.html"), 400
    services.mark_notifications_read(current_user)
    db.session.commit()
    return redirect(url_for("account.index"))
