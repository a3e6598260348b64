"""Workplaces: create, show, edit, members and roles, join requests, invite links."""

from flask import abort, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from .. import page_cache, permissions, qr
from ..extensions import db
from ..forms import EmptyForm
from ..ledger import totals
from ..models import JoinRequest, User
from ..orgnr import format_org_number
from ..redirects import go
from ..teams import queries as team_queries
from ..teams import services as team_services
from ..teams.services import TeamError
from ..urls import external_url
from . import bp, queries, services
from .forms import CompanyForm, DecisionForm, JoinRequestForm, RoleForm
from .http import company_or_404, invite_poster_png, refuse, stale_form
from .services import CompanyError


@bp.app_template_filter("orgnr")
def orgnr_filter(digits: str | None) -> str:
    """"5560360793" -> "556036-0793" in templates."""
    return format_org_number(digits)


def member_or_404(company, user_id: int) -> User:
    """A person of this workplace; ids of people elsewhere are not found here."""
    user = permissions.get_or_404(User, user_id)
    if services.membership_of(user, company) is None:
        abort(404)
    return user


@bp.get("/companies")
def index():
    """Find your workplace by name, to open its page and ask to join."""
    text = request.args.get("q", "").strip()[:120]
    found = queries.search(text) if text else []
    return render_template("companies/index.html", q=text, found=found)


@bp.route("/companies/new", methods=["GET", "POST"])
@login_required
def new():
    """Add a workplace; the creator becomes its admin."""
    form = CompanyForm()
    if form.validate_on_submit():
        try:
            company = services.create_company(form.values(), current_user)
            db.session.commit()
        except (CompanyError, IntegrityError):  # someone took the name a moment ago
            db.session.rollback()
            form.existing = services.company_by_name(form.name.data)
            form.name.errors.append(_("Det finns redan en arbetsplats med det namnet."))
            return render_template("companies/new.html", form=form, existing=form.existing), 422
        flash(_("%(name)s är skapad och du är administratör. Starta ett lag!", name=company.name), "success")
        if company.in_review:
            flash(_("Organisationsnumret används redan av en annan arbetsplats. Stadsmissionen "
                    "granskar det; tills dess visas inget nummer."), "info")
        return go(url_for("companies.show", slug=company.slug))
    status = 422 if form.is_submitted() else 200
    return render_template("companies/new.html", form=form, existing=form.existing), status


@bp.get("/companies/<slug>")
@page_cache.cached
def show(slug: str):
    """The workplace's public page: teams with totals, company total, per employee, goals."""
    company = company_or_404(slug)
    figures = totals.figures("company", company.id)
    reported = figures.reported_ore if figures else 0
    is_member = permissions.is_company_member(current_user, company)
    my_team = None
    if current_user.is_authenticated:
        place = team_services.team_member_in(company, current_user)
        my_team = place.team_id if place else None
    invite_url = external_url("companies.join", code=company.join_code) if is_member else None
    return render_template(
        "companies/show.html",
        company=company,
        figures=figures,
        per_employee_ore=reported // max(company.headcount, 1),
        teams=queries.teams_with_totals(company),
        goals=queries.goals_of(company),
        is_member=is_member,
        is_admin=permissions.is_company_admin(current_user, company),
        my_team=my_team,
        invite_url=invite_url,
        share_url=external_url("companies.show", slug=company.slug),
        invite_svg=qr.svg(invite_url) if invite_url else None,
        pending=queries.pending_request_of(company, current_user),
        ask_form=JoinRequestForm(),
        button_form=EmptyForm(),
    )


@bp.route("/companies/<slug>/edit", methods=["GET", "POST"])
@login_required
def edit(slug: str):
    """Admins keep the workplace's details (and headcount) current."""
    company = permissions.company_admin_or_403(current_user, company_or_404(slug))
    form = CompanyForm(obj=company, company=company)
    if form.validate_on_submit():
        try:
            services.update_company(company, form.values(), current_user)
        except services.OrgNumberTaken as exc:
            db.session.rollback()
            form.org_number.errors.append(str(exc))
            return render_template("companies/edit.html", form=form, company=company), 422
        db.session.commit()
        flash(_("Uppgifterna är sparade."), "success")
        return go(url_for("companies.show", slug=company.slug))
    status = 422 if form.is_submitted() else 200
    return render_template("companies/edit.html", form=form, company=company), status


@bp.get("/companies/<slug>/members")
@login_required
def members(slug: str):
    """Admins see the members, their roles and teams, and open requests to join."""
    company = permissions.company_admin_or_403(current_user, company_or_404(slug))
    invite_url = external_url("companies.join", code=company.join_code)
    return render_template(
        "companies/members.html",
        company=company,
        members=queries.members(company),
        requests=queries.pending_requests(company),
        invite_url=invite_url,
        button_form=EmptyForm(),
    )


@bp.post("/companies/<slug>/members/<int:user_id>/role")
@login_required
def set_role(slug: str, user_id: int):
    """Promote a member to admin, or make an admin a member again."""
    company = permissions.company_admin_or_403(current_user, company_or_404(slug))
    user = member_or_404(company, user_id)
    back = url_for("companies.members", slug=company.slug)
    form = RoleForm()
    if not form.validate_on_submit():
        return refuse(_("Välj medlem eller administratör."), back, 422)
    try:
        services.set_role(company, user, form.role.data, current_user)
    except CompanyError as exc:
        return refuse(str(exc), back)
    db.session.commit()
    if form.role.data == "admin":
        flash(_("%(name)s är nu administratör.", name=user.display_name), "success")
    else:
        flash(_("%(name)s är nu medlem.", name=user.display_name), "success")
    return go(back)


@bp.post("/companies/<slug>/members/<int:user_id>/remove")
@login_required
def remove_member(slug: str, user_id: int):
    """Take someone out of the workplace; what they logged stays with their team."""
    company = permissions.company_admin_or_403(current_user, company_or_404(slug))
    user = member_or_404(company, user_id)
    back = url_for("companies.members", slug=company.slug)
    if refusal := stale_form(back):
        return refusal
    try:
        services.remove_member(company, user, current_user)
    except (CompanyError, TeamError) as exc:
        return refuse(str(exc), back)
    db.session.commit()
    flash(_("%(name)s är inte längre med i %(company)s.", name=user.display_name, company=company.name),
          "success")
    return go(back)


@bp.post("/companies/<slug>/leave")
@login_required
def leave(slug: str):
    """Leave the workplace (and its team); the last admin cannot."""
    company = company_or_404(slug)
    back = url_for("companies.show", slug=company.slug)
    if services.membership_of(current_user, company) is None:
        return refuse(_("Du är inte med i %(name)s.", name=company.name), back)
    if refusal := stale_form(back):
        return refusal
    try:
        services.remove_member(company, current_user, current_user)
    except (CompanyError, TeamError) as exc:
        return refuse(str(exc), back)
    db.session.commit()
    flash(_("Du har lämnat %(name)s.", name=company.name), "info")
    return go(url_for("account.index"))


@bp.post("/companies/<slug>/ask")
@login_required
def ask_to_join(slug: str):
    """Ask the workplace's admins to be let in; they approve or decline."""
    company = company_or_404(slug)
    back = url_for("companies.show", slug=company.slug)
    form = JoinRequestForm()
    if not form.validate_on_submit():
        message = form.message.errors[0] if form.message.errors else _("Försök igen.")
        return refuse(message, back, 422)
    try:
        services.request_to_join(company, current_user, form.message.data or "")
    except CompanyError as exc:
        return refuse(str(exc), back)
    db.session.commit()
    flash(_("Vi har frågat administratörerna för %(name)s. Du får besked här.", name=company.name),
          "success")
    return go(back)


@bp.post("/companies/<slug>/requests/<int:request_id>")
@login_required
def decide_request(slug: str, request_id: int):
    """Approve or decline a request to join; the asker is told either way."""
    company = permissions.company_admin_or_403(current_user, company_or_404(slug))
    join_request = permissions.get_or_404(JoinRequest, request_id)
    if join_request.company_id != company.id:
        abort(404)
    back = url_for("companies.members", slug=company.slug)
    form = DecisionForm()
    if not form.validate_on_submit():
        return refuse(_("Välj godkänn eller avböj."), back, 422)
    try:
        services.decide_join_request(join_request, form.decision.data == "approve", current_user)
    except CompanyError as exc:
        return refuse(str(exc), back)
    db.session.commit()
    if join_request.status == "approved":
        flash(_("%(name)s är nu med.", name=join_request.user.display_name), "success")
    else:
        flash(_("%(name)s fick nej.", name=join_request.user.display_name), "success")
    return go(back)


@bp.post("/companies/<slug>/invite/renew")
@login_required
def renew_invite(slug: str):
    """A new invite code: old links and QR codes stop working at once."""
    company = permissions.company_admin_or_403(current_user, company_or_404(slug))
    back = url_for("companies.members", slug=company.slug)
    if refusal := stale_form(back):
        return refusal
    services.renew_join_code(company, current_user)
    db.session.commit()
    flash(_("Inbjudningslänken är förnyad. Gamla länkar och QR-koder fungerar inte längre."), "success")
    return go(back)


@bp.get("/companies/<slug>/invite.png")
@login_required
def invite_poster(slug: str):
    """A print-size QR code poster for the workplace's invite link (members only)."""
    company = permissions.company_member_or_403(current_user, company_or_404(slug))
    return invite_poster_png(external_url("companies.join", code=company.join_code),
                             _("Skanna och gå med i %(name)s", name=company.name)[:60],
                             f"inbjudan-{company.slug}.png")


@bp.route("/join/<code>", methods=["GET", "POST"])
def join(code: str):
    """A workplace's or a team's invite link: shows what you join, joins on POST."""
    company = queries.company_by_code(code)
    team = None if company is not None else team_queries.team_by_code(code)
    if company is None and team is None:
        return render_template("companies/join_invalid.html"), 404
    target_company = company or team.company
    form = EmptyForm()
    if request.method == "POST":
        if not current_user.is_authenticated:
            return go(url_for("auth.login", next=request.path))
        if not form.validate_on_submit():
            return refuse(_("Formuläret hade gått ut. Försök igen."), request.path, 400)
        try:
            if team is not None:
                team_services.join_team(team, current_user)
            else:
                services.join_company(company, current_user)
        except (CompanyError, TeamError) as exc:
            return refuse(str(exc), request.path)
        db.session.commit()
        if team is not None:
            flash(_("Välkommen till %(name)s!", name=team.name), "success")
            return go(url_for("teams.show", ident=team.slug))
        flash(_("Välkommen till %(name)s! Gå med i ett lag eller starta ett.", name=company.name), "success")
        return go(url_for("companies.show", slug=company.slug))
    already = False
    if current_user.is_authenticated:
        if team is not None:
            already = permissions.is_team_member(current_user, team)
        else:
            already = services.membership_of(current_user, company) is not None
    return render_template("companies/join.html", company=target_company, team=team,
                           form=form, already=already)
