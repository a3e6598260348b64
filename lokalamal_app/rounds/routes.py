"""Rounds: staff plan them on the campaign page; everyone reads the honours page."""

from flask import abort, flash, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import campaigns, permissions
from ..database import writes_in_a_read
from ..extensions import db
from ..forms import EmptyForm
from ..redirects import go
from ..staff.forms import CampaignForm
from . import bp, queries, services
from .forms import RoundForm


def _staff_only() -> None:
    if not permissions.is_staff(current_user):
        abort(403)


def _campaigns_page(round_form=None, round_campaign_id=None, status=200):
    """The staff campaign page with this round form (and its errors) in place."""
    from ..staff import queries as staff_queries

    return render_template(
        "staff/campaigns.html", form=CampaignForm(formdata=None),
        rows=staff_queries.campaign_rows(), current=campaigns.current(),
        round_form=round_form, round_campaign_id=round_campaign_id,
        empty_form=EmptyForm()), status


@bp.post("/staff/campaigns/<int:campaign_id>/rounds")
def add(campaign_id: int):
    """Add one round to a campaign."""
    _staff_only()
    form = RoundForm()
    if not form.validate_on_submit():
        return _campaigns_page(form, campaign_id, 422)
    try:
        found = services.add_round(campaign_id, form.name.data, form.starts_on.data,
                                   form.ends_on.data, current_user)
    except services.RoundError as exc:
        db.session.rollback()
        if exc.status == 404:
            abort(404)
        getattr(form, exc.field or "starts_on").errors.append(str(exc))
        return _campaigns_page(form, campaign_id, exc.status)
    db.session.commit()
    flash(_("Omgången %(name)s är tillagd.", name=found.name), "success")
    return go(url_for("staff.campaigns_page") + f"#kampanj-{campaign_id}")


@bp.post("/staff/campaigns/<int:campaign_id>/rounds/monthly")
def monthly(campaign_id: int):
    """Split a campaign into calendar months."""
    _staff_only()
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        added = services.generate_monthly_rounds(campaign_id, current_user)
    except services.RoundError as exc:
        db.session.rollback()
        if exc.status == 404:
            abort(404)
        flash(str(exc), "error")
        return _campaigns_page(status=exc.status)
    db.session.commit()
    flash(_("%(count)s omgångar är tillagda.", count=len(added)), "success")
    return go(url_for("staff.campaigns_page") + f"#kampanj-{campaign_id}")


@bp.post("/staff/rounds/<int:round_id>/remove")
def remove(round_id: int):
    """Remove a round whose honours are not stored yet."""
    _staff_only()
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        services.remove_round(round_id, current_user)
    except services.RoundError as exc:
        db.session.rollback()
        if exc.status == 404:
            abort(404)
        flash(str(exc), "error")
        return _campaigns_page(status=exc.status)
    db.session.commit()
    flash(_("Omgången är borttagen."), "success")
    return go(url_for("staff.campaigns_page"))


@bp.get("/leaderboards/honours")
def honours():
    """The winners of every ended round, as they stood when it ended.

    Reading stores what is due first: the honours of a round that ended since the last
    visit, once (a second request at once finds them claimed and stores nothing)."""
    if services.due_rounds():  # rarely: once per round, by the first to ask
        with writes_in_a_read(db.session):
            services.store_due_honours()
            db.session.commit()
    found = queries.honours()
    names = queries.challenge_names([h.challenge_id for r in found for h in r.challenges])
    return render_template("rounds/honours.html", rounds=found, challenge_names=names)
