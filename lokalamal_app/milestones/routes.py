"""Milestones: the captain sets the team's, an admin the workplace's; staff see them all."""

from flask import abort, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import campaigns, permissions
from ..companies.http import company_or_404, refuse, stale_form
from ..extensions import db
from ..forms import EmptyForm
from ..inputs import small_int
from ..models import Campaign, Milestone
from ..redirects import go
from ..teams.routes import team_or_404
from . import bp, queries, services
from .forms import MilestoneForm


def _manage(owner, progress, back: str, template_args: dict):
    """The shared GET/POST of a milestone list: add one, or show the form again (422)."""
    form = MilestoneForm()
    if form.validate_on_submit():
        try:
            services.add_milestone(owner["company_id"], owner["team_id"], form.amount.ore,
                                   form.promise.data, current_user)
        except services.MilestoneError as exc:
            db.session.rollback()
            form.amount.errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Delmålet är sparat."), "success")
            return go(back)
    status = 422 if form.is_submitted() else 200
    return render_template("milestones/manage.html", form=form, progress=progress,
                           button_form=EmptyForm(), **template_args), status


@bp.route("/teams/<ident>/milestones", methods=["GET", "POST"])
@login_required
def team_milestones(ident: str):
    """The captain (or an admin, or staff) sets the team's milestones and promises."""
    team = permissions.team_manager_or_403(current_user, team_or_404(ident))
    back = url_for("milestones.team_milestones", ident=team.slug)
    return _manage({"company_id": team.company_id, "team_id": team.id},
                   queries.for_team(team), back,
                   {"owner_name": team.name, "back_url": url_for("teams.show", ident=team.slug),
                    "remove_endpoint": ("milestones.remove_team_milestone", {"ident": team.slug})})


@bp.post("/teams/<ident>/milestones/<int:milestone_id>/remove")
@login_required
def remove_team_milestone(ident: str, milestone_id: int):
    """Take away a milestone of the team that is not reached yet."""
    team = permissions.team_manager_or_403(current_user, team_or_404(ident))
    back = url_for("milestones.team_milestones", ident=team.slug)
    return _remove(queries.milestone_of(Milestone.team_id == team.id, milestone_id), back)


@bp.route("/companies/<slug>/milestones", methods=["GET", "POST"])
@login_required
def company_milestones(slug: str):
    """The workplace's admins set its own milestones and promises."""
    company = permissions.company_admin_or_403(current_user, company_or_404(slug))
    back = url_for("milestones.company_milestones", slug=company.slug)
    return _manage({"company_id": company.id, "team_id": None},
                   queries.for_company(company), back,
                   {"owner_name": company.name,
                    "back_url": url_for("companies.show", slug=company.slug),
                    "remove_endpoint": ("milestones.remove_company_milestone",
                                        {"slug": company.slug})})


@bp.post("/companies/<slug>/milestones/<int:milestone_id>/remove")
@login_required
def remove_company_milestone(slug: str, milestone_id: int):
    """Take away a workplace milestone that is not reached yet."""
    company = permissions.company_admin_or_403(current_user, company_or_404(slug))
    back = url_for("milestones.company_milestones", slug=company.slug)
    owner = (Milestone.company_id == company.id) & Milestone.team_id.is_(None)
    return _remove(queries.milestone_of(owner, milestone_id), back)


def _remove(milestone, back: str):
    if milestone is None:
        abort(404)
    if refusal := stale_form(back):
        return refusal
    try:
        services.remove_milestone(milestone, current_user)
    except services.MilestoneError as exc:
        return refuse(str(exc), back)
    db.session.commit()
    flash(_("Delmålet är borttaget."), "success")
    return go(back)


@bp.get("/staff/milestones")
def staff_overview():
    """Staff: every promise of a campaign, reached or not (403 for everyone else, visitors
    too, like every staff page: no login page that hints at it)."""
    permissions.staff_or_403(current_user)
    all_campaigns = db.session.execute(
        db.select(Campaign).order_by(Campaign.starts_on.desc(), Campaign.id.desc())
    ).scalars().all()
    chosen = request.args.get("campaign", "")
    if chosen == "none":
        campaign_id = None
    elif chosen:
        campaign_id = small_int(chosen)
        if campaign_id is None or campaign_id not in {c.id for c in all_campaigns}:
            abort(404)
    else:
        running = campaigns.current()
        campaign_id = running.id if running else None
    reached = request.args.get("reached", "")
    if reached not in ("", "yes", "no"):
        abort(400)
    rows = queries.staff_overview(campaign_id, reached)
    return render_template("milestones/staff.html", rows=rows, campaigns=all_campaigns,
                           campaign_id=campaign_id, reached=reached)
