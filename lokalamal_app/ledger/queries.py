"""Reading the ledger for pages and exports; every list is one query (no N+1)."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import aliased, joinedload

from ..extensions import db
from ..goals.queries import all_goals as goals  # noqa: F401  (the export filter's goals)
from ..models import (
    AuditEvent,
    Company,
    Goal,
    LedgerEntry,
    Membership,
    Team,
    TeamMember,
    User,
)
from ..permissions import is_staff

_Reversal = aliased(LedgerEntry)


def _not_reversed():
    return ~db.select(_Reversal.id).where(_Reversal.reverses_id == LedgerEntry.id).exists()


def _with_people(stmt):
    return stmt.options(
        joinedload(LedgerEntry.team),
        joinedload(LedgerEntry.company),
        joinedload(LedgerEntry.goal),
        joinedload(LedgerEntry.logged_by),
    )


def admin_company_ids(user) -> list[int]:
    """The workplaces `user` is an admin of."""
    return list(db.session.execute(
        db.select(Membership.company_id).where(
            Membership.user_id == user.id, Membership.role == "admin"
        )
    ).scalars())


QUEUE_PAGE_SIZE = 50


@dataclass(frozen=True)
class QueuePage:
    """One page of the verification queue, and where it sits in the whole queue."""

    entries: list[LedgerEntry]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def first_number(self) -> int:
        """The place in the queue of the page's first entry (1 for the first page)."""
        return (self.page - 1) * self.per_page + 1 if self.entries else 0

    @property
    def last_number(self) -> int:
        return (self.page - 1) * self.per_page + len(self.entries)


def _queue_statement(user, company_id: int | None, *columns):
    """Entries that wait for someone: reported ones for a workplace admin's own workplaces
    to attest; for staff, everything reported or attested that the mission has not received
    (optionally one workplace). Withdrawn, reversing and uncounted cash are left out."""
    waiting = ("pending", "attested") if is_staff(user) else ("pending",)
    stmt = db.select(*columns).where(
        LedgerEntry.status.in_(waiting),
        LedgerEntry.reverses_id.is_(None),
        _not_reversed(),
        db.or_(LedgerEntry.needs_count_confirm.is_(False),
               LedgerEntry.count_confirmed_by_id.is_not(None)),
    )
    if not is_staff(user):
        # A subquery, not a list read first: the page stays at two statements.
        stmt = stmt.where(LedgerEntry.company_id.in_(
            db.select(Membership.company_id).where(
                Membership.user_id == user.id, Membership.role == "admin")
        ))
    if company_id is not None:
        stmt = stmt.where(LedgerEntry.company_id == company_id)
    return stmt


def queue_count(user, company_id: int | None = None) -> int:
    """How many entries wait in `user`'s queue (one workplace, or all they may handle)."""
    return db.session.execute(
        _queue_statement(user, company_id, db.func.count(LedgerEntry.id))
    ).scalar_one()


def queue(user, company_id: int | None = None, page: int = 1,
          per_page: int = QUEUE_PAGE_SIZE) -> QueuePage:
    """One page of the queue, oldest collection first (then the order they were logged in).

    A page past the end shows the last page, so a link from a queue that has since
    shrunk still lands somewhere useful. Two statements whatever the size of the queue."""
    total = queue_count(user, company_id)
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    stmt = (
        _queue_statement(user, company_id, LedgerEntry)
        .order_by(LedgerEntry.collected_on, LedgerEntry.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    entries = list(db.session.execute(_with_people(stmt)).unique().scalars())
    return QueuePage(entries, total, page, per_page)


def awaiting_count(user) -> list[LedgerEntry]:
    """Large cash entries in `user`'s teams, logged by someone else, waiting for a second count."""
    team_ids = db.select(TeamMember.team_id).where(TeamMember.user_id == user.id)
    stmt = db.select(LedgerEntry).where(
        LedgerEntry.team_id.in_(team_ids),
        LedgerEntry.needs_count_confirm.is_(True),
        LedgerEntry.count_confirmed_by_id.is_(None),
        LedgerEntry.status == "pending",
        LedgerEntry.logged_by_id != user.id,
        _not_reversed(),
    ).order_by(LedgerEntry.id)
    return list(db.session.execute(_with_people(stmt)).unique().scalars())


def entries_logged_by(user, limit: int = 200) -> list[LedgerEntry]:
    """What `user` logged, newest first, with status and any reason."""
    stmt = (
        db.select(LedgerEntry)
        .where(LedgerEntry.logged_by_id == user.id, LedgerEntry.reverses_id.is_(None))
        .order_by(LedgerEntry.id.desc())
        .limit(limit)
    )
    return list(db.session.execute(_with_people(stmt)).unique().scalars())


def reversed_ids(entry_ids: list[int]) -> set[int]:
    """Which of these entries have been withdrawn or corrected."""
    if not entry_ids:
        return set()
    return set(db.session.execute(
        db.select(LedgerEntry.reverses_id).where(LedgerEntry.reverses_id.in_(entry_ids))
    ).scalars())


def team_entries(team: Team, limit: int = 20) -> list[LedgerEntry]:
    """A team's latest entries (reversals included, so the sums add up), newest first."""
    stmt = (
        db.select(LedgerEntry)
        .where(LedgerEntry.team_id == team.id)
        .order_by(LedgerEntry.id.desc())
        .limit(limit)
    )
    return list(db.session.execute(
        stmt.options(joinedload(LedgerEntry.logged_by))
    ).unique().scalars())


def history(entry: LedgerEntry) -> tuple[list[LedgerEntry], list[AuditEvent]]:
    """Every entry linked to `entry` (what it reverses or corrects, what reverses or
    corrects it, and so on) and every audit event about them, oldest first."""
    ids = {entry.id}
    frontier = {entry.id}
    while frontier:
        rows = db.session.execute(
            db.select(LedgerEntry.id, LedgerEntry.reverses_id, LedgerEntry.corrects_id).where(
                db.or_(
                    LedgerEntry.id.in_(frontier),
                    LedgerEntry.reverses_id.in_(frontier),
                    LedgerEntry.corrects_id.in_(frontier),
                )
            )
        ).all()
        found = {i for row in rows for i in row if i is not None}
        frontier = found - ids
        ids |= found
    entries = list(db.session.execute(
        _with_people(db.select(LedgerEntry).where(LedgerEntry.id.in_(ids))
                     .order_by(LedgerEntry.id))
    ).unique().scalars())
    events = list(db.session.execute(
        db.select(AuditEvent)
        .where(AuditEvent.subject_type == "ledger_entry", AuditEvent.subject_id.in_(ids))
        .options(joinedload(AuditEvent.actor))
        .order_by(AuditEvent.id)
    ).scalars())
    return entries, events


def companies_for_filter(user) -> list[Company]:
    """The workplaces `user` may export or filter the queue by."""
    stmt = db.select(Company).order_by(Company.name)
    if not is_staff(user):
        stmt = stmt.where(Company.id.in_(admin_company_ids(user)))
    return list(db.session.execute(stmt).scalars())


def export_rows(
    company_ids: list[int] | None,
    date_from: date | None = None,
    date_to: date | None = None,
    goal_id: int | None = None,
    team_id: int | None = None,
    method: str | None = None,
    status: str | None = None,
) -> Iterator:
    """Ledger rows for the CSV export, streamed from the database in batches.

    `company_ids` None means every workplace (staff); otherwise only those.
    """
    Logger = aliased(User)  # noqa: N806
    Attester = aliased(User)  # noqa: N806
    stmt = (
        db.select(
            LedgerEntry.id, LedgerEntry.collected_on, LedgerEntry.created_at,
            Company.name.label("company"), Team.name.label("team"), Team.id.label("team_id"),
            Goal.number.label("goal_number"), Goal.title.label("goal"),
            LedgerEntry.amount_ore, LedgerEntry.method, LedgerEntry.status,
            LedgerEntry.status_reason, LedgerEntry.note, Logger.display_name.label("logged_by"),
            LedgerEntry.reverses_id, LedgerEntry.corrects_id,
            Attester.display_name.label("attested_by"), LedgerEntry.received_on,
            LedgerEntry.received_reference,
        )
        .join(Company, Company.id == LedgerEntry.company_id)
        .join(Team, Team.id == LedgerEntry.team_id)
        .join(Goal, Goal.id == LedgerEntry.goal_id)
        .outerjoin(Logger, Logger.id == LedgerEntry.logged_by_id)
        .outerjoin(Attester, Attester.id == LedgerEntry.attested_by_id)
        .order_by(LedgerEntry.id)
        .execution_options(yield_per=500)
    )
    if company_ids is not None:
        stmt = stmt.where(LedgerEntry.company_id.in_(company_ids))
    if date_from:
        stmt = stmt.where(LedgerEntry.collected_on >= date_from)
    if date_to:
        stmt = stmt.where(LedgerEntry.collected_on <= date_to)
    if goal_id:
        stmt = stmt.where(LedgerEntry.goal_id == goal_id)
    if team_id:
        stmt = stmt.where(LedgerEntry.team_id == team_id)
    if method:
        stmt = stmt.where(LedgerEntry.method == method)
    if status:
        stmt = stmt.where(LedgerEntry.status == status)
    yield from db.session.execute(stmt)


def audit_events(limit: int = 200, offset: int = 0, action: str | None = None):
    """The latest audit events, newest first, with who did them."""
    stmt = db.select(AuditEvent).options(joinedload(AuditEvent.actor))
    if action:
        stmt = stmt.where(AuditEvent.action.startswith(action))
    return list(db.session.execute(
        stmt.order_by(AuditEvent.id.desc()).limit(limit).offset(offset)
    ).scalars())


def all_audit_events() -> Iterator:
    """Every audit event, oldest first, streamed for the CSV export."""
    Actor = aliased(User)  # noqa: N806
    stmt = (
        db.select(AuditEvent.id, AuditEvent.created_at, AuditEvent.action,
                  AuditEvent.subject_type, AuditEvent.subject_id, AuditEvent.before,
                  AuditEvent.after, AuditEvent.client_addr,
                  Actor.email.label("actor_email"))
        .outerjoin(Actor, Actor.id == AuditEvent.actor_id)
        .order_by(AuditEvent.id)
        .execution_options(yield_per=500)
    )
    yield from db.session.execute(stmt)
