"""Writes for colleague teams: start, edit, join, move, leave, captaincy. Flush, never commit."""

import json
import secrets
from datetime import timedelta

from flask_babel import gettext as _

from .. import audit
from ..extensions import db
from ..ledger import totals
from ..models import AuditEvent, Company, Membership, Team, TeamMember, User
from ..models.base import utcnow
from ..models.company import name_key
from ..models.team import new_team_code
from ..people_lock import lock_people, manages_team_now
from ..text import slugify, unique_slug
from . import looks

REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


class TeamError(ValueError):
    """A rule was broken; the message is translated and fit for the user."""


def _slug_taken(slug: str) -> bool:
    return db.session.execute(db.select(Team.id).where(Team.slug == slug)).first() is not None


def _new_reference() -> str:
    """A short code for the Swish message, free of look-alike letters (O/0, I/1)."""
    while True:
        code = "LM" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(5))
        if db.session.execute(db.select(Team.id).where(Team.reference == code)).first() is None:
            return code


def name_taken(company: Company, name: str, except_team: Team | None = None) -> bool:
    """Is there another team in the workplace with this name (case and spacing do not count)?"""
    query = db.select(Team.id).where(Team.company_id == company.id, Team.name_key == name_key(name))
    if except_team is not None:
        query = query.where(Team.id != except_team.id)
    return db.session.execute(query).first() is not None


def team_member_in(company: Company, user: User) -> TeamMember | None:
    """The person's place in a team of this workplace, if any (at most one)."""
    return db.session.execute(
        db.select(TeamMember).where(
            TeamMember.company_id == company.id, TeamMember.user_id == user.id
        )
    ).scalar_one_or_none()


def _is_company_member(company: Company, user: User) -> bool:
    return db.session.execute(
        db.select(Membership.id).where(
            Membership.company_id == company.id, Membership.user_id == user.id
        )
    ).first() is not None


def _snapshot(team: Team) -> dict:
    return {"name": team.name, "goal_id": team.goal_id, "target_ore": team.target_ore,
            "captain_id": team.captain_id}


def create_team(company: Company, values: dict, creator: User) -> Team:
    """Start a team; the creator becomes captain (leaving any other team in the workplace)."""
    lock_people(company.id)
    if name_taken(company, values["name"]):
        raise TeamError(_("Det finns redan ett lag med det namnet på arbetsplatsen."))
    if not _is_company_member(company, creator):
        raise TeamError(_("Gå med i arbetsplatsen först."))
    current = team_member_in(company, creator)
    if current is not None:
        leave_team(current.team, creator, actor=creator)
    name = " ".join(values["name"].split())
    team = Team(
        company_id=company.id, goal_id=values["goal_id"], name=name, name_key=name_key(name),
        slug=unique_slug(slugify(f"{name}-{company.slug}", 150), _slug_taken),
        target_ore=values.get("target_ore"), pitch=values.get("pitch") or "",
        reference=_new_reference(), captain_id=creator.id,
    )
    db.session.add(team)
    db.session.flush()
    db.session.add(TeamMember(team_id=team.id, user_id=creator.id, company_id=company.id))
    audit.record("team.create", "team", team.id, actor=creator, after=_snapshot(team))
    db.session.flush()
    return team


def update_team(team: Team, values: dict, actor: User) -> Team:
    """Change name, goal, target and pitch. Money already logged stays on its goal."""
    if name_taken(team.company, values["name"], except_team=team):
        raise TeamError(_("Det finns redan ett lag med det namnet på arbetsplatsen."))
    before = _snapshot(team)
    team.name = " ".join(values["name"].split())
    team.name_key = name_key(team.name)
    team.goal_id = values["goal_id"]
    team.target_ore = values.get("target_ore")
    team.pitch = values.get("pitch") or ""
    audit.record("team.update", "team", team.id, actor=actor, before=before, after=_snapshot(team))
    db.session.flush()
    return team


def set_team_look(team: Team, colour: str, emblem: str, actor: User) -> Team:
    """Choose the team's colour and emblem from the fixed palette; boards show it at once."""
    if colour not in looks.COLOURS or emblem not in looks.EMBLEMS:
        raise TeamError(_("Välj en färg och en symbol ur listorna."))
    before = {"colour": team.colour, "emblem": team.emblem}
    team.colour, team.emblem = colour, emblem
    audit.record("team.look", "team", team.id, actor=actor, before=before,
                 after={"colour": colour, "emblem": emblem})
    db.session.flush()
    # Boards keep their rows per board version: a new version shows the new badge.
    totals.bump_board_version()
    return team


def join_team(team: Team, user: User) -> TeamMember:
    """Put `user` in the team, moving them from another team of the workplace.

    Someone outside the workplace joins it too (the team's link is an invite)."""
    lock_people(team.company_id)
    existing = team_member_in(team.company, user)
    if existing is not None and existing.team_id == team.id:
        raise TeamError(_("Du är redan med i %(name)s.", name=team.name))
    if not _is_company_member(team.company, user):
        db.session.add(Membership(user_id=user.id, company_id=team.company_id, role="member"))
    if existing is not None:
        leave_team(existing.team, user, actor=user)
    member = TeamMember(team_id=team.id, user_id=user.id, company_id=team.company_id)
    db.session.add(member)
    audit.record("team.join", "team", team.id, actor=user, after={"user_id": user.id})
    db.session.flush()
    return member


def _still_manages(team: Team, actor: User) -> None:
    """Under the lock: the actor still runs the team (its captain, an admin of the
    workplace, or staff); captaincy or admin rights taken a moment ago count."""
    if not manages_team_now(actor, team):
        raise TeamError(_("Du får inte längre ändra %(name)s.", name=team.name))


def leave_team(team: Team, user: User, actor: User, force: bool = False) -> None:
    """Take `user` out of the team; what they logged stays with it.

    A captain with teammates hands captaincy over first, unless `force` (removed from
    the workplace), when the longest-standing teammate becomes captain."""
    lock_people(team.company_id)
    db.session.refresh(team, ["captain_id"])  # as committed before the lock, if changed
    if actor.id != user.id:
        _still_manages(team, actor)
    member = db.session.execute(
        db.select(TeamMember).where(TeamMember.team_id == team.id, TeamMember.user_id == user.id)
    ).scalar_one_or_none()
    if member is None:
        if actor.id != user.id:  # taken out by someone else a moment ago
            raise TeamError(_("%(person)s är redan borttagen ur %(name)s.",
                              person=user.display_name, name=team.name))
        raise TeamError(_("Du är inte med i %(name)s.", name=team.name))
    others = db.session.execute(
        db.select(TeamMember).where(TeamMember.team_id == team.id, TeamMember.user_id != user.id)
        .order_by(TeamMember.created_at, TeamMember.id)
    ).scalars().all()
    if team.captain_id == user.id:
        if others and not force and actor.id == user.id:
            raise TeamError(_("Du är lagkapten. Lämna över kaptensrollen till en lagkamrat först."))
        team.captain_id = others[0].user_id if others else None
    db.session.delete(member)
    action = "team.leave" if actor.id == user.id else "team.remove"
    audit.record(action, "team", team.id, actor=actor, before={"user_id": user.id})
    db.session.flush()


def hand_over_captaincy(team: Team, new_captain: User, actor: User) -> Team:
    """Make a teammate the captain."""
    lock_people(team.company_id)
    _still_manages(team, actor)
    member = db.session.execute(
        db.select(TeamMember.id).where(
            TeamMember.team_id == team.id, TeamMember.user_id == new_captain.id
        )
    ).first()
    if member is None:
        raise TeamError(_("Välj någon som är med i laget."))
    before = team.captain_id
    team.captain_id = new_captain.id
    audit.record("team.captain", "team", team.id, actor=actor, before={"captain_id": before},
                 after={"captain_id": new_captain.id})
    db.session.flush()
    return team


def renew_join_code(team: Team, actor: User) -> str:
    """A new team link; the old link and QR code stop working at once."""
    team.join_code = new_team_code()
    audit.record("team.renew_code", "team", team.id, actor=actor)
    db.session.flush()
    return team.join_code


UNDO_REMOVAL = timedelta(hours=24)


def recent_removals(team: Team, now=None) -> list[User]:
    """People taken out of the team by someone else in the last 24 hours who are in no team
    of the workplace now: a removal the captain can still undo."""
    since = (now or utcnow()) - UNDO_REMOVAL
    events = db.session.execute(
        db.select(AuditEvent).where(
            AuditEvent.action == "team.remove", AuditEvent.subject_type == "team",
            AuditEvent.subject_id == team.id, AuditEvent.created_at >= since,
        ).order_by(AuditEvent.id.desc())
    ).scalars().all()
    ids = list(dict.fromkeys(json.loads(e.before).get("user_id") for e in events if e.before))
    if not ids:
        return []
    placed = set(db.session.execute(
        db.select(TeamMember.user_id).where(TeamMember.company_id == team.company_id,
                                            TeamMember.user_id.in_(ids))
    ).scalars())
    members = set(db.session.execute(
        db.select(Membership.user_id).where(Membership.company_id == team.company_id,
                                            Membership.user_id.in_(ids))
    ).scalars())
    people = {u.id: u for u in db.session.execute(
        db.select(User).where(User.id.in_(ids))).scalars()}
    return [people[i] for i in ids if i in people and i in members and i not in placed]


def undo_removal(team: Team, user: User, actor: User) -> TeamMember:
    """Put back someone the team's captain or an admin removed in the last 24 hours, if they
    have not joined another team of the workplace since."""
    lock_people(team.company_id)
    _still_manages(team, actor)
    if user not in recent_removals(team):
        raise TeamError(_("%(name)s kan inte läggas tillbaka: det har gått mer än ett dygn, "
                          "eller personen har gått med i ett annat lag.", name=user.display_name))
    member = TeamMember(team_id=team.id, user_id=user.id, company_id=team.company_id)
    db.session.add(member)
    audit.record("team.restore", "team", team.id, actor=actor, after={"user_id": user.id})
    db.session.flush()
    return member
