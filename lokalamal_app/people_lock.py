"""Who is in a workplace and in which of its teams changes one change at a time.

Joining, leaving, removing, undoing a removal, handing over captaincy and changing roles
each read the workplace's people and then write from what they read ("she is in the team",
"he is not the last admin", "the longest-standing teammate takes over"). Two of them at once
could both read the same moment and both write: a removal done and told twice, a captain
who is no longer in the team, a workplace left without an admin. So each first takes the
workplace's row with FOR NO KEY UPDATE, which waits for another such change to commit and
does not stop collections being logged (the ledger's foreign key takes only FOR KEY SHARE
on the row). What it reads after the lock is what was committed before it.

SQLite has one writer at a time anyway; there the statement is a plain read.
"""

from sqlalchemy import select

from .extensions import db
from .models import Company, Membership, Team, User


def lock_people(company_id: int) -> None:
    """Wait for, and then hold until commit, the right to change the workplace's people."""
    db.session.execute(
        select(Company.id).where(Company.id == company_id).with_for_update(key_share=True))


def is_admin_now(user: User, company_id: int) -> bool:
    """Under the lock: whether `user` is one of the workplace's admins (or the mission's
    staff) as committed, not as this request read it before it waited. An admin made a
    member a moment ago no longer removes people."""
    if db.session.execute(select(User.is_staff).where(User.id == user.id)).scalar():
        return True
    return db.session.execute(select(Membership.role).where(
        Membership.company_id == company_id, Membership.user_id == user.id)
    ).scalar_one_or_none() == "admin"


def manages_team_now(user: User, team: Team) -> bool:
    """Under the lock: whether `user` is the team's captain, or an admin of its workplace,
    as committed (see `is_admin_now`)."""
    captain_id = db.session.execute(select(Team.captain_id).where(Team.id == team.id)).scalar()
    return captain_id == user.id or is_admin_now(user, team.company_id)
