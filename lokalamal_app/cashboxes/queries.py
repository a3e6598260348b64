"""Reading collection boxes for their pages."""

from sqlalchemy.orm import aliased, joinedload

from ..extensions import db
from ..models import CashBox, CashBoxCount, CashBoxEvent, LedgerEntry, Membership, Team, User

_Reversal = aliased(LedgerEntry)


def _not_reversed():
    return ~db.select(_Reversal.id).where(_Reversal.reverses_id == LedgerEntry.id).exists()


def box(box_id: int) -> CashBox | None:
    """One box with its workplace, team and keeper."""
    return db.session.execute(
        db.select(CashBox).where(CashBox.id == box_id)
        .options(joinedload(CashBox.company), joinedload(CashBox.team),
                 joinedload(CashBox.keeper))
    ).scalar_one_or_none()


def boxes_of(company, team_id: int | None = None) -> list[CashBox]:
    """A workplace's boxes (or one team's), by number, with team and keeper."""
    stmt = (db.select(CashBox).where(CashBox.company_id == company.id)
            .options(joinedload(CashBox.team), joinedload(CashBox.keeper))
            .order_by(CashBox.number, CashBox.id))
    if team_id is not None:
        stmt = stmt.where(CashBox.team_id == team_id)
    return list(db.session.execute(stmt).scalars())


def box_counts(box_ids: list[int]) -> list[CashBoxCount]:
    """Every count of these boxes, newest first, with its entry and the two counters."""
    if not box_ids:
        return []
    return list(db.session.execute(
        db.select(CashBoxCount).where(CashBoxCount.box_id.in_(box_ids))
        .options(joinedload(CashBoxCount.entry).joinedload(LedgerEntry.logged_by),
                 joinedload(CashBoxCount.entry).joinedload(LedgerEntry.count_confirmed_by))
        .order_by(CashBoxCount.id.desc())
    ).unique().scalars())


def history(box: CashBox) -> list[CashBoxEvent]:
    """Who had the box when and its seals, oldest first."""
    return list(db.session.execute(
        db.select(CashBoxEvent).where(CashBoxEvent.box_id == box.id)
        .options(joinedload(CashBoxEvent.from_user), joinedload(CashBoxEvent.to_user),
                 joinedload(CashBoxEvent.by))
        .order_by(CashBoxEvent.id)
    ).unique().scalars())


def reversed_entry_ids(entry_ids: list[int]) -> set[int]:
    """Which of these entries were taken back or corrected."""
    if not entry_ids:
        return set()
    return set(db.session.execute(
        db.select(LedgerEntry.reverses_id).where(LedgerEntry.reverses_id.in_(entry_ids))
    ).scalars())


def colleagues(company) -> list[User]:
    """The people of a workplace, by name (for choosing who keeps a box)."""
    return list(db.session.execute(
        db.select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.company_id == company.id).order_by(User.display_name, User.id)
    ).scalars())


def teams_of(company) -> list[Team]:
    """A workplace's teams, by name."""
    return list(db.session.execute(
        db.select(Team).where(Team.company_id == company.id).order_by(Team.name)
    ).scalars())


def awaiting_second_count(user) -> list[CashBoxCount]:
    """Box counts at `user`'s workplaces that someone else logged and that wait for a
    second colleague to count (the giver is nobody: box money is passers-by's)."""
    companies = db.select(Membership.company_id).where(Membership.user_id == user.id)
    return list(db.session.execute(
        db.select(CashBoxCount).join(LedgerEntry, LedgerEntry.id == CashBoxCount.entry_id)
        .where(LedgerEntry.company_id.in_(companies),
               LedgerEntry.status == "pending",
               LedgerEntry.needs_count_confirm.is_(True),
               LedgerEntry.count_confirmed_by_id.is_(None),
               LedgerEntry.logged_by_id != user.id,
               db.or_(LedgerEntry.giver_id.is_(None), LedgerEntry.giver_id != user.id),
               _not_reversed())
        .options(joinedload(CashBoxCount.box).joinedload(CashBox.team),
                 joinedload(CashBoxCount.entry).joinedload(LedgerEntry.logged_by))
        .order_by(CashBoxCount.id)
    ).unique().scalars())
