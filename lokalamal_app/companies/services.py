"""Writes for workplaces: create, edit, join, roles, invites. Flush, never commit."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from .. import audit, clock
from ..extensions import db
from ..models import Company, JoinRequest, Membership, TeamMember, User
from ..models.base import utcnow
from ..models.company import name_key, new_join_code
from ..notifications import notify
from ..people_lock import is_admin_now, lock_people
from ..text import slugify, unique_slug


class CompanyError(ValueError):
    """A rule was broken; the message is translated and fit for the user."""


class OrgNumberTaken(CompanyError):
    """An edit gives the workplace a number another workplace holds."""


def company_by_name(name: str) -> Company | None:
    """The workplace whose name is the same regardless of letter case and spacing."""
    return db.session.execute(
        db.select(Company).where(Company.name_key == name_key(name))
    ).scalar_one_or_none()


def _slug_taken(slug: str) -> bool:
    return db.session.execute(db.select(Company.id).where(Company.slug == slug)).first() is not None


def _snapshot(company: Company) -> dict:
    return {
        "name": company.name, "org_number": company.org_number, "street": company.street,
        "postcode": company.postcode, "city": company.city, "headcount": company.headcount,
        "claimed_org_number": company.claimed_org_number, "orgnr_status": company.orgnr_status,
    }


def holder_of(org_number: str) -> Company | None:
    """The workplace whose organisation number this is (confirmed), if any."""
    return db.session.execute(
        db.select(Company).where(Company.org_number == org_number)
    ).scalar_one_or_none()


def company_admins(company: Company) -> list[User]:
    """The workplace's admins."""
    return list(db.session.execute(
        db.select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.company_id == company.id, Membership.role == "admin")
        .order_by(User.id)
    ).scalars())


def _claim_org_number(company: Company, org_number: str | None, actor: User) -> None:
    """Give the workplace its organisation number, or, when another workplace holds it,
    keep it as a claim for the mission's staff to review and tell the holder's admins.

    The number is written in a savepoint: when a registration with the same number wins a
    race, the unique index refuses this one and it goes to review instead of failing."""
    company.claimed_org_number = None
    company.orgnr_status = ""
    db.session.flush()  # what came before stays, whatever happens in the savepoint below
    if not org_number:
        company.org_number = None
        return
    holder = holder_of(org_number)
    if holder is None or holder.id == company.id:
        try:
            with db.session.begin_nested():
                company.org_number = org_number
                db.session.flush()
            return
        except IntegrityError:
            holder = holder_of(org_number)
            if holder is None:  # not the number after all (a name or a slug): the caller's
                raise
    company.org_number = None
    company.claimed_org_number = org_number
    company.orgnr_status = "review"
    db.session.flush()
    audit.record("company.orgnr_review", "company", company.id, actor=actor,
                 after={"claimed_org_number": org_number, "holder_id": holder.id})
    for admin in company_admins(holder):
        notify(admin, _l("%(name)s har registrerats med ert organisationsnummer. "
                         "Stadsmissionen granskar det.", name=company.name),
               f"/companies/{holder.slug}",
               email_subject=_l("Ert organisationsnummer används av en annan arbetsplats"))


def create_company(values: dict, creator: User) -> Company:
    """Add a workplace; its creator becomes its first admin."""
    if company_by_name(values["name"]) is not None:
        raise CompanyError(_("Det finns redan en arbetsplats med det namnet."))
    company = Company(
        name=" ".join(values["name"].split()),
        name_key=name_key(values["name"]),
        slug=unique_slug(slugify(values["name"], 120), _slug_taken),
        street=values.get("street") or "",
        postcode=values.get("postcode") or "",
        city=values.get("city") or "Västerås",
        headcount=values["headcount"],
        created_by_id=creator.id,
    )
    db.session.add(company)
    db.session.flush()
    db.session.add(Membership(user_id=creator.id, company_id=company.id, role="admin"))
    _close_requests(company, creator)
    audit.record("company.create", "company", company.id, actor=creator, after=_snapshot(company))
    _claim_org_number(company, values.get("org_number"), creator)
    db.session.flush()
    return company


def update_company(company: Company, values: dict, actor: User) -> Company:
    """Change a workplace's details (name, address, headcount...)."""
    other = company_by_name(values["name"])
    if other is not None and other.id != company.id:
        raise CompanyError(_("Det finns redan en arbetsplats med det namnet."))
    org_number = values.get("org_number") or None
    keeps_claim = company.in_review and org_number == company.claimed_org_number
    holder = holder_of(org_number) if org_number and not keeps_claim else None
    if holder is not None and holder.id != company.id:
        raise OrgNumberTaken(_("Organisationsnumret tillhör redan en annan arbetsplats. "
                               "Kontakta stadsmissionen om det är fel."))
    before = _snapshot(company)
    company.name = " ".join(values["name"].split())
    company.name_key = name_key(values["name"])
    if org_number != company.org_number and not keeps_claim:
        _claim_org_number(company, org_number, actor)
    company.street = values.get("street") or ""
    company.postcode = values.get("postcode") or ""
    company.city = values.get("city") or "Västerås"
    company.headcount = values["headcount"]
    audit.record("company.update", "company", company.id, actor=actor, before=before,
                 after=_snapshot(company))
    db.session.flush()
    return company


def membership_of(user: User, company: Company) -> Membership | None:
    return db.session.execute(
        db.select(Membership).where(
            Membership.user_id == user.id, Membership.company_id == company.id
        )
    ).scalar_one_or_none()


def _close_requests(company: Company, user: User) -> None:
    """A person who is in the workplace has nothing left to ask for."""
    db.session.execute(
        db.update(JoinRequest)
        .where(JoinRequest.company_id == company.id, JoinRequest.user_id == user.id,
               JoinRequest.status == "pending")
        .values(status="approved", decided_at=utcnow())
    )


def join_company(company: Company, user: User) -> Membership:
    """Make `user` a member (by invite link or QR code)."""
    lock_people(company.id)
    if membership_of(user, company) is not None:
        raise CompanyError(_("Du är redan med i %(name)s.", name=company.name))
    membership = Membership(user_id=user.id, company_id=company.id, role="member")
    db.session.add(membership)
    _close_requests(company, user)
    audit.record("company.join", "company", company.id, actor=user, after={"user_id": user.id})
    db.session.flush()
    return membership


def request_to_join(company: Company, user: User, message: str = "") -> JoinRequest:
    """Ask the workplace's admins to let `user` in."""
    lock_people(company.id)
    if membership_of(user, company) is not None:
        raise CompanyError(_("Du är redan med i %(name)s.", name=company.name))
    pending = db.session.execute(
        db.select(JoinRequest).where(
            JoinRequest.company_id == company.id, JoinRequest.user_id == user.id,
            JoinRequest.status == "pending",
        )
    ).scalar_one_or_none()
    if pending is not None:
        raise CompanyError(_("Du har redan bett om att få gå med. En administratör svarar snart."))
    join_request = JoinRequest(company_id=company.id, user_id=user.id, message=message.strip())
    db.session.add(join_request)
    db.session.flush()
    admins = db.session.execute(
        db.select(User).join(Membership, Membership.user_id == User.id).where(
            Membership.company_id == company.id, Membership.role == "admin"
        )
    ).scalars()
    for admin in admins:
        notify(admin, _l("%(name)s vill gå med i %(company)s.", name=user.display_name,
                          company=company.name),
               f"/companies/{company.slug}/members")
    return join_request


def decide_join_request(join_request: JoinRequest, approve: bool, actor: User) -> JoinRequest:
    """Approve or decline a pending request, and tell the asker."""
    lock_people(join_request.company_id)
    _still_admin(actor, join_request.company_id)
    # As committed: answered by another admin just now, or gone with an anonymised asker?
    status = db.session.execute(db.select(JoinRequest.status).where(
        JoinRequest.id == join_request.id)).scalar_one_or_none()
    if status != "pending":
        raise CompanyError(_("Den förfrågan är redan besvarad."))
    company = join_request.company
    asker = join_request.user
    join_request.decided_at = utcnow()
    join_request.decided_by_id = actor.id
    if approve:
        if membership_of(asker, company) is None:
            db.session.add(Membership(user_id=asker.id, company_id=company.id, role="member"))
        join_request.status = "approved"
        notify(asker, _l("Välkommen! Du är nu med i %(name)s. Starta ett lag eller gå med i ett.",
                         name=company.name),
               f"/companies/{company.slug}",
               email_subject=_l("Du är med i %(name)s", name=company.name))
    else:
        join_request.status = "declined"
        notify(asker, _l("Din förfrågan om att gå med i %(name)s blev inte godkänd.",
                         name=company.name),
               "/account", email_subject=_l("Svar från %(name)s", name=company.name))
    audit.record(f"company.request_{join_request.status}", "company", company.id, actor=actor,
                 after={"user_id": asker.id})
    db.session.flush()
    return join_request


def _still_admin(actor: User, company_id: int) -> None:
    if not is_admin_now(actor, company_id):
        raise CompanyError(_("Du är inte längre administratör för arbetsplatsen."))


def _locked_membership(user: User, company: Company, actor: User) -> Membership:
    """The person's membership as committed, with the workplace's people locked (see
    `people_lock`): what a change of role or a removal decides from. Someone acting on
    another person must still be an admin then."""
    lock_people(company.id)
    if actor.id != user.id:
        _still_admin(actor, company.id)
    membership = membership_of(user, company)
    if membership is None:
        raise CompanyError(_("Personen är inte med i arbetsplatsen."))
    db.session.refresh(membership)
    return membership


def _admin_count(company: Company) -> int:
    return db.session.execute(
        db.select(db.func.count(Membership.id)).where(
            Membership.company_id == company.id, Membership.role == "admin"
        )
    ).scalar_one()


def set_role(company: Company, user: User, role: str, actor: User) -> Membership:
    """Promote a member to admin or make an admin a member again (never the last admin)."""
    if role not in Membership.ROLES:
        raise CompanyError(_("Välj administratör eller medlem."))
    membership = _locked_membership(user, company, actor)
    if membership.role == "admin" and role != "admin" and _admin_count(company) <= 1:
        raise CompanyError(_("Arbetsplatsen måste ha minst en administratör. Utse en till först."))
    before = membership.role
    membership.role = role
    audit.record("company.role", "company", company.id, actor=actor,
                 before={"user_id": user.id, "role": before}, after={"user_id": user.id, "role": role})
    db.session.flush()
    return membership


def remove_member(company: Company, user: User, actor: User) -> None:
    """Take a person out of the workplace and its teams; what they logged stays."""
    membership = _locked_membership(user, company, actor)
    if membership.is_admin and _admin_count(company) <= 1:
        raise CompanyError(
            _("Den sista administratören kan inte lämna. Utse en annan administratör först.")
        )
    team_member = db.session.execute(
        db.select(TeamMember).where(
            TeamMember.user_id == user.id, TeamMember.company_id == company.id
        )
    ).scalar_one_or_none()
    if team_member is not None:
        from ..teams.services import leave_team

        leave_team(team_member.team, user, actor=actor, force=True)
    from ..payroll.services import end_pledges_of

    end_pledges_of(user, company, actor, clock.today())
    db.session.delete(membership)
    action = "company.leave" if actor.id == user.id else "company.remove"
    audit.record(action, "company", company.id, actor=actor, before={"user_id": user.id})
    db.session.flush()


def renew_join_code(company: Company, actor: User) -> str:
    """A new invite code; the old link and QR code stop working at once."""
    company.join_code = new_join_code()
    audit.record("company.renew_code", "company", company.id, actor=actor)
    db.session.flush()
    return company.join_code


def reject_claim(company: Company, actor: User) -> Company:
    """Staff say no to a workplace's claim on a taken number: it goes on without a number."""
    # Decided from the row as committed, locked: two staff saying no at once tell the
    # workplace's admins once.
    db.session.execute(db.select(Company.id).where(Company.id == company.id)
                       .with_for_update(key_share=True))
    db.session.refresh(company)
    if not company.in_review:
        raise CompanyError(_("Arbetsplatsen väntar inte på granskning."))
    before = _snapshot(company)
    company.claimed_org_number = None
    company.orgnr_status = "rejected"
    audit.record("company.orgnr_reject", "company", company.id, actor=actor, before=before,
                 after=_snapshot(company))
    for admin in company_admins(company):
        notify(admin, _l("Stadsmissionen har granskat %(name)s: organisationsnumret tillhör en "
                         "annan arbetsplats och har tagits bort. Allt annat fortsätter som vanligt.",
                         name=company.name),
               f"/companies/{company.slug}")
    db.session.flush()
    return company


def set_checked(company: Company, checked: bool, actor: User) -> Company:
    """Staff mark a workplace as checked by the mission (or take the mark away)."""
    before = {"checked_at": company.checked_at, "checked_by_id": company.checked_by_id}
    company.checked_at = utcnow() if checked else None
    company.checked_by_id = actor.id if checked else None
    audit.record("company.checked" if checked else "company.unchecked", "company", company.id,
                 actor=actor, before=before,
                 after={"checked_at": company.checked_at, "checked_by_id": company.checked_by_id})
    db.session.flush()
    return company
