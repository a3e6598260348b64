"""Colleague teams: start, show, edit, join, leave, captaincy, invite links."""

from flask import abort, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from .. import notifications, page_cache, permissions, qr
from ..companies.http import company_or_404, invite_poster_png, refuse, stale_form
from ..extensions import db
from ..forms import EmptyForm
from ..ledger import totals
from ..models import User
from ..redirects import go
from ..urls import external_url
from . import bp, looks, queries, services
from .forms import CaptainForm, LookForm, TeamForm
from .services import TeamError


@bp.app_template_global()
def team_look(team=None, team_id=None, colour=None, emblem=None) -> looks.Look:
    """A team's badge look, from the Team or from a board row's id, colour and emblem."""
    if team is not None:
        return looks.team_look(team)
    return looks.look(team_id, colour, emblem)


def team_or_404(ident: str):
    team = queries.team_by_ident(ident)
    if team is None:
        abort(404)
    return team


@bp.route("/companies/<slug>/teams/new", methods=["GET", "POST"])
@login_required
def new(slug: str):
    """Start a team in a workplace you belong to; you become its captain."""
    company = permissions.company_member_or_403(current_user, company_or_404(slug))
    form = TeamForm(company=company)
    if form.validate_on_submit():
        try:
            team = services.create_team(company, form.values(), current_user)
            db.session.commit()
        except TeamError as exc:
            db.session.rollback()
            form.name.errors.append(str(exc))
            return render_template("teams/new.html", form=form, company=company), 422
        except IntegrityError:  # someone took the name a moment ago
            db.session.rollback()
            form.name.errors.append(_("Det finns redan ett lag med det namnet på arbetsplatsen."))
            return render_template("teams/new.html", form=form, company=company), 422
        flash(_("%(name)s är startat och du är lagkapten. Bjud in kollegorna!", name=team.name), "success")
        return go(url_for("teams.show", ident=team.slug))
    status = 422 if form.is_submitted() else 200
    return render_template("teams/new.html", form=form, company=company), status


@bp.get("/teams/<ident>")
@page_cache.cached
def show(ident: str):
    """The team's page: goal, progress, members, recent collections, invite and share links."""
    team = team_or_404(ident)
    figures = totals.figures("team", team.id)
    reported = figures.reported_ore if figures else 0
    received = figures.received_ore if figures else 0
    is_member = permissions.is_team_member(current_user, team)
    can_manage = permissions.can_manage_team(current_user, team)
    invite_url = external_url("companies.join", code=team.join_code) if is_member or can_manage \
        else None
    members = queries.members(team)
    return render_template(
        "teams/show.html",
        team=team,
        figures=figures,
        reported_ore=reported,
        received_ore=received,
        members=members,
        removed=services.recent_removals(team) if can_manage else [],
        collections=queries.recent_collections(team),
        is_member=is_member,
        can_manage=can_manage,
        in_company=permissions.is_company_member(current_user, team.company),
        share_url=external_url("teams.show", ident=team.slug),
        invite_url=invite_url,
        invite_svg=qr.svg(invite_url) if invite_url else None,
        captain_form=CaptainForm(members=[m for m in members if m.id != team.captain_id]),
        button_form=EmptyForm(),
    )


@bp.route("/teams/<ident>/edit", methods=["GET", "POST"])
@login_required
def edit(ident: str):
    """The captain (or an admin) changes name, goal, target and pitch."""
    team = permissions.team_manager_or_403(current_user, team_or_404(ident))
    form = TeamForm(obj=team, company=team.company, team=team)
    if not form.is_submitted():
        form.goal.data = team.goal_id
    if form.validate_on_submit():
        services.update_team(team, form.values(), current_user)
        db.session.commit()
        flash(_("Laget är uppdaterat."), "success")
        return go(url_for("teams.show", ident=team.slug))
    status = 422 if form.is_submitted() else 200
    return render_template("teams/edit.html", form=form, team=team,
                           look_form=LookForm(team=team)), status


@bp.post("/teams/<ident>/look")
@login_required
def look(ident: str):
    """The captain (or an admin, or staff) picks the team's colour and emblem."""
    team = permissions.team_manager_or_403(current_user, team_or_404(ident))
    look_form = LookForm(team=team)
    if not look_form.validate_on_submit():
        # 422 like every other invalid form here: a 400 with a good token would read as a
        # CSRF refusal (tests/integration/test_hostile_input.py).
        form = TeamForm(obj=team, company=team.company, team=team, formdata=None)
        form.goal.data = team.goal_id
        return render_template("teams/edit.html", form=form, team=team,
                               look_form=look_form), 422
    try:
        services.set_team_look(team, look_form.colour.data, look_form.emblem.data, current_user)
    except TeamError as exc:
        db.session.rollback()
        look_form.colour.errors = [*look_form.colour.errors, str(exc)]
        return render_template("teams/edit.html", form=TeamForm(obj=team, company=team.company,
                                                                 team=team, formdata=None),
                               team=team, look_form=look_form), 422
    db.session.commit()
    flash(_("Lagets färg och symbol är sparade."), "success")
    return go(url_for("teams.show", ident=team.slug))


@bp.post("/teams/<ident>/join")
@login_required
def join(ident: str):
    """A colleague joins (or moves to) this team from the workplace's page."""
    team = team_or_404(ident)
    permissions.company_member_or_403(current_user, team.company)
    back = url_for("teams.show", ident=team.slug)
    if refusal := stale_form(back):
        return refusal
    try:
        services.join_team(team, current_user)
    except TeamError as exc:
        return refuse(str(exc), back)
    db.session.commit()
    flash(_("Välkommen till %(name)s!", name=team.name), "success")
    return go(back)


@bp.post("/teams/<ident>/leave")
@login_required
def leave(ident: str):
    """Leave the team; what you logged stays with it."""
    team = team_or_404(ident)
    back = url_for("teams.show", ident=team.slug)
    if refusal := stale_form(back):
        return refusal
    try:
        services.leave_team(team, current_user, actor=current_user)
    except TeamError as exc:
        return refuse(str(exc), back)
    db.session.commit()
    flash(_("Du har lämnat %(name)s.", name=team.name), "info")
    return go(back)


@bp.post("/teams/<ident>/captain")
@login_required
def hand_over(ident: str):
    """Hand captaincy to a teammate."""
    team = permissions.team_manager_or_403(current_user, team_or_404(ident))
    back = url_for("teams.show", ident=team.slug)
    form = CaptainForm(members=queries.members(team))
    if not form.validate_on_submit():
        return refuse(_("Välj någon som är med i laget."), back, 422)
    new_captain = db.session.get(User, form.user_id.data)
    try:
        services.hand_over_captaincy(team, new_captain, current_user)
    except TeamError as exc:
        return refuse(str(exc), back)
    db.session.commit()
    flash(_("%(name)s är ny lagkapten.", name=new_captain.display_name), "success")
    return go(back)


@bp.route("/teams/<ident>/members/<int:user_id>/remove", methods=["GET", "POST"])
@login_required
def remove_member(ident: str, user_id: int):
    """The captain (or an admin) takes someone out of the team: a page asks first, the
    person is told, and for a day the removal can be undone from the team page."""
    team = permissions.team_manager_or_403(current_user, team_or_404(ident))
    user = permissions.get_or_404(User, user_id)
    back = url_for("teams.show", ident=team.slug)
    if not permissions.is_team_member(user, team):
        abort(404)
    if request.method == "GET":
        return render_template("teams/remove.html", team=team, person=user, form=EmptyForm(),
                               back=back)
    if refusal := stale_form(back):
        return refusal
    try:
        services.leave_team(team, user, actor=current_user)
    except TeamError as exc:
        return refuse(str(exc), back)
    notifications.notify(
        user, _l("%(who)s tog bort dig ur laget %(team)s. Det du har registrerat stannar hos "
                 "laget. Hör av dig till lagkaptenen om det var ett misstag.",
                 who=current_user.display_name, team=team.name),
        link=back, email_subject=_l("Du är inte längre med i ett lag"))
    db.session.commit()
    flash(_("%(name)s är inte längre med i laget och har fått veta det. Du kan ångra det "
            "under ett dygn här på lagets sida.", name=user.display_name), "success")
    return go(back)


@bp.post("/teams/<ident>/members/<int:user_id>/restore")
@login_required
def restore_member(ident: str, user_id: int):
    """Undo a removal made in the last day."""
    team = permissions.team_manager_or_403(current_user, team_or_404(ident))
    user = permissions.get_or_404(User, user_id)
    back = url_for("teams.show", ident=team.slug)
    if refusal := stale_form(back):
        return refusal
    try:
        services.undo_removal(team, user, actor=current_user)
        notifications.notify(user, _l("Du är med i laget %(team)s igen.", team=team.name),
                             link=back)
        db.session.commit()
    except TeamError as exc:
        return refuse(str(exc), back)
    except IntegrityError:  # put back at the same moment by someone else
        db.session.rollback()
        return refuse(_("%(name)s är redan med i ett lag.", name=user.display_name), back)
    flash(_("%(name)s är med i laget igen.", name=user.display_name), "success")
    return go(back)


@bp.post("/teams/<ident>/invite/renew")
@login_required
def renew_invite(ident: str):
    """A new team link: old links and QR codes stop working at once."""
    team = permissions.team_manager_or_403(current_user, team_or_404(ident))
    back = url_for("teams.show", ident=team.slug)
    if refusal := stale_form(back):
        return refusal
    services.renew_join_code(team, current_user)
    db.session.commit()
    flash(_("Lagets länk är förnyad. Gamla länkar och QR-koder fungerar inte längre."), "success")
    return go(back)


@bp.get("/teams/<ident>/invite.png")
@login_required
def invite_poster(ident: str):
    """A print-size poster: "Skanna och gå med i vårt lag", the link written under the code."""
    team = team_or_404(ident)
    if not (permissions.is_team_member(current_user, team)
            or permissions.can_manage_team(current_user, team)):
        abort(403)
    return invite_poster_png(external_url("companies.join", code=team.join_code),
                             _("Skanna och gå med i vårt lag"), f"lag-{team.slug}.png")
