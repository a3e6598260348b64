"""Who may see and change what: every object-level check lives here, not in the views.

The `*_or_403` helpers abort with 404 when the object does not exist and 403 when the
person may not use it, so that a changed id in a URL or form never reaches other
workplaces' data. Anonymous visitors are sent to the login page by @login_required
before these run.
"""

from functools import lru_cache

from flask import abort
from sqlalchemy import and_, bindparam, select

from .database import as_loaded, columns_of, read_before_write_lock
from .extensions import db
from .models import Company, Membership, Team, TeamMember, User


def is_staff(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_staff)


def membership(user, company: Company) -> Membership | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.execute(
        db.select(Membership).where(
            Membership.user_id == user.id, Membership.company_id == company.id
        )
    ).scalar_one_or_none()


def is_company_member(user, company: Company) -> bool:
    return is_staff(user) or membership(user, company) is not None


def is_company_admin(user, company: Company) -> bool:
    """Admins of the workplace, and the mission's staff."""
    if is_staff(user):
        return True
    m = membership(user, company)
    return m is not None and m.is_admin


def team_membership(user, team: Team) -> TeamMember | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.execute(
        db.select(TeamMember).where(TeamMember.user_id == user.id, TeamMember.team_id == team.id)
    ).scalar_one_or_none()


def is_team_member(user, team: Team) -> bool:
    return team_membership(user, team) is not None


def is_team_captain(user, team: Team) -> bool:
    return getattr(user, "is_authenticated", False) and team.captain_id == user.id


def can_manage_team(user, team: Team) -> bool:
    """The captain, the workplace's admins and staff."""
    return is_team_captain(user, team) or is_company_admin(user, team.company)


def get_or_404(model, ident):
    obj = db.session.get(model, ident) if ident is not None else None
    if obj is None:
        abort(404)
    return obj


def company_admin_or_403(user: User, company: Company) -> Company:
    if not is_company_admin(user, company):
        abort(403)
    return company


def company_member_or_403(user: User, company: Company) -> Company:
    if not is_company_member(user, company):
        abort(403)
    return company


@lru_cache(maxsize=1)
def _team_and_membership():
    """The team's row and the person's membership of it, as one plain statement built once,
    and the attribute each of the team's columns fills."""
    columns, attributes = columns_of(Team)
    team, member = Team.__table__, TeamMember.__table__
    statement = (
        select(*columns, member.c.id)
        .select_from(team.outerjoin(member, and_(member.c.team_id == team.c.id,
                                                 member.c.user_id == bindparam("user_id"))))
        .where(team.c.id == bindparam("team_id"))
    )
    return statement, attributes


def team_to_log_for_or_404(user: User, team_id: int) -> Team:
    """The team, when `user` may log for it (a member, or staff): 404 for an unknown team,
    403 otherwise. One plain query for the team and the membership together, since every
    logged collection asks this (through the ORM it cost twice the round trip); on SQLite
    made before the log takes the write lock."""
    statement, attributes = _team_and_membership()
    row = read_before_write_lock(statement, {"team_id": team_id, "user_id": user.id})
    if row is None:
        abort(404)
    *team_row, member_id = row
    if member_id is None and not is_staff(user):
        abort(403)
    return as_loaded(Team, attributes, team_row)


def team_manager_or_403(user: User, team: Team) -> Team:
    if not can_manage_team(user, team):
        abort(403)
    return team


def staff_or_403(user: User) -> None:
    if not is_staff(user):
        abort(403)


def ledger_admin_or_403(user: User, entry) -> None:
    """Admins of the entry's workplace (where it was counted) and staff handle an entry."""
    if not is_company_admin(user, db.session.get(Company, entry.company_id)):
        abort(403)


def any_company_admin_or_403(user: User) -> None:
    """Staff, or an admin of at least one workplace (the queue and the export)."""
    if is_staff(user):
        return
    if not getattr(user, "is_authenticated", False) or not db.session.execute(
        db.select(Membership.id).where(Membership.user_id == user.id, Membership.role == "admin")
    ).first():
        abort(403)
