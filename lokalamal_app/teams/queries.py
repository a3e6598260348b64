"""Reads for team pages; a fixed number of queries each."""

from sqlalchemy import func

from ..extensions import db
from ..inputs import small_int
from ..models import LedgerEntry, Team, TeamMember, User


def team_by_ident(ident: str) -> Team | None:
    """The team at /teams/<id or slug>."""
    if ident.isascii() and ident.isdigit():
        number = small_int(ident)
        return db.session.get(Team, number) if number is not None else None
    return db.session.execute(db.select(Team).where(Team.slug == ident)).scalar_one_or_none()


def team_by_code(code: str) -> Team | None:
    """The team whose current invite code this is."""
    return db.session.execute(db.select(Team).where(Team.join_code == code)).scalar_one_or_none()


def members(team: Team) -> list[User]:
    """The team's people, captain first, then in the order they joined (one query)."""
    users = db.session.execute(
        db.select(User).join(TeamMember, TeamMember.user_id == User.id)
        .where(TeamMember.team_id == team.id)
        .order_by(TeamMember.created_at, TeamMember.id)
    ).scalars().all()
    return sorted(users, key=lambda u: u.id != team.captain_id)


def recent_collections(team: Team, limit: int = 15) -> list[LedgerEntry]:
    """The team's latest ledger entries, newest first, with who logged them (one query)."""
    return db.session.execute(
        db.select(LedgerEntry).where(LedgerEntry.team_id == team.id)
        .options(db.joinedload(LedgerEntry.logged_by))
        # Sorted on an expression, not the bare column: on PostgreSQL a plain `collected_on`
        # made the planner walk the whole ledger's date index backwards, filtering out every
        # other team's rows (tens of thousands); this way it reads the team's rows by
        # `team_id` and sorts those few.
        .order_by(func.coalesce(LedgerEntry.collected_on, LedgerEntry.collected_on).desc(),
                  LedgerEntry.created_at.desc(), LedgerEntry.id.desc())
        .limit(limit)
    ).scalars().all()
