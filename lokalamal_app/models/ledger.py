"""The collection ledger and the running totals kept beside it.

The ledger is append-only: an amount is never changed. A correction or withdrawal is a
new entry with the opposite sign that points at the entry it reverses. Only an entry's
status moves, and every move is an audit event: pending (reported) -> attested (the
workplace says it is genuine) -> received (the mission's staff have the money), or rejected.
A reversal carries the status of the entry it reverses.
"""

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    Sequence,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import TimestampMixin, utcnow

# Labels are lazy: shown in the visitor's language; str() them where a plain str is needed.
METHODS = {
    "swish": _l("Swish"),
    "cash": _l("Kontanter"),
    "card": _l("Kort"),
    "payroll": _l("Löneavdrag"),
    "event": _l("Evenemang eller aktivitet"),
    "match": _l("Arbetsgivarens matchning"),
    "other": _l("Annat"),
}
STATUSES = {
    "pending": _l("Rapporterad"),
    "attested": _l("Attesterad av arbetsplatsen"),
    "received": _l("Mottagen av stadsmissionen"),
    "rejected": _l("Avvisad"),
}
# The statuses whose money counts as reported, attested and received: each step includes
# the later ones (received money was attested too, by the mission's own check).
REPORTED = ("pending", "attested", "received")
ATTESTED = ("attested", "received")
RECEIVED = ("received",)
REFERENCE_MAX = 120


class LedgerEntry(TimestampMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"), index=True)
    # The team's workplace and goal when the entry was made: a later change of goal
    # does not move money already counted.
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("goal.id"), index=True)
    amount_ore: Mapped[int] = mapped_column(BigInteger)
    collected_on: Mapped[date] = mapped_column(Date, index=True)
    method: Mapped[str] = mapped_column(String(12))
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    status_reason: Mapped[str] = mapped_column(Text, default="")
    status_changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    status_changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    logged_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    # The person the money counts for (matching, its cap, participation, yearly statements):
    # recorded, never inferred. A reversal, a correction and a match keep the original's.
    giver_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_entry.id"), unique=True)
    # The entry an employer match was made for.
    matches_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_entry.id"), index=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    # A correction is a reversal of the old entry plus this new one, pointing at the old.
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_entry.id"), unique=True)
    # Large cash sums wait for a second colleague's count before they reach the queue.
    needs_count_confirm: Mapped[bool] = mapped_column(Boolean, default=False)
    count_confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    count_confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Who attested it for the workplace (an admin, or the colleague who counted the cash).
    attested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    attested_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # When the money reached the mission's account, and the receipt or bank row that shows it.
    received_on: Mapped[date | None] = mapped_column(Date)
    received_reference: Mapped[str] = mapped_column(String(REFERENCE_MAX), default="")

    team: Mapped["Team"] = relationship()  # noqa: F821
    company: Mapped["Company"] = relationship()  # noqa: F821
    goal: Mapped["Goal"] = relationship()  # noqa: F821
    logged_by: Mapped["User | None"] = relationship(foreign_keys=[logged_by_id])  # noqa: F821
    giver: Mapped["User | None"] = relationship(foreign_keys=[giver_id])  # noqa: F821
    reverses: Mapped["LedgerEntry | None"] = relationship(
        remote_side=[id], foreign_keys=[reverses_id]
    )
    corrects: Mapped["LedgerEntry | None"] = relationship(
        remote_side=[id], foreign_keys=[corrects_id]
    )
    status_changed_by: Mapped["User | None"] = relationship(  # noqa: F821
        foreign_keys=[status_changed_by_id]
    )
    count_confirmed_by: Mapped["User | None"] = relationship(  # noqa: F821
        foreign_keys=[count_confirmed_by_id]
    )
    attested_by: Mapped["User | None"] = relationship(  # noqa: F821
        foreign_keys=[attested_by_id]
    )

    @property
    def method_label(self) -> str:
        return str(METHODS.get(self.method, self.method))

    @property
    def status_label(self) -> str:
        return str(STATUSES.get(self.status, self.status))

    @property
    def awaiting_count(self) -> bool:
        """Cash over the limit that no second colleague has counted yet."""
        return self.needs_count_confirm and self.count_confirmed_by_id is None

    @property
    def counts_as_reported(self) -> bool:
        return self.status in REPORTED

    @property
    def counts_as_attested(self) -> bool:
        return self.status in ATTESTED

    @property
    def counts_as_received(self) -> bool:
        return self.status in RECEIVED

    def __repr__(self) -> str:
        return f"<LedgerEntry {self.id} {self.amount_ore} {self.status}>"


class Tally(db.Model):
    """Stored totals for a team, a workplace, a goal or everything ('all', id 0), and for a
    workplace or a team on one goal ('cg:<goal id>', 'tg:<goal id>').

    One row per subject and period: 'all', a campaign 'c<id>' or a month 'YYYY-MM'. Changed only
    by ledger.totals in the same transaction as the entry, with SQL increments.
    """

    __table_args__ = (UniqueConstraint("subject", "subject_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(10))
    subject_id: Mapped[int] = mapped_column(Integer)
    period: Mapped[str] = mapped_column(String(10))
    reported_ore: Mapped[int] = mapped_column(BigInteger, default=0)
    # Attested or received (each received sum was attested too), and received alone.
    attested_ore: Mapped[int] = mapped_column(BigInteger, default=0)
    received_ore: Mapped[int] = mapped_column(BigInteger, default=0)
    # The employer-match part of the figures above, to show employees' money alone.
    match_reported_ore: Mapped[int] = mapped_column(BigInteger, default=0)
    match_attested_ore: Mapped[int] = mapped_column(BigInteger, default=0)
    match_received_ore: Mapped[int] = mapped_column(BigInteger, default=0)
    entry_count: Mapped[int] = mapped_column(Integer, default=0)
    # When the figure last grew: earlier wins a tie on the boards.
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class BoardVersion(db.Model):
    """The live boards' version on SQLite, one row bumped in each change's transaction
    (SQLite's writers take turns anyway). PostgreSQL uses `BOARD_VERSION_SEQUENCE`, which
    takes no row lock, and Redis, when configured, a counter there."""

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, default=0)


# Advanced after each committed change on PostgreSQL (see ledger.totals.bump_board_version);
# SQLite has no sequences and create_all leaves it out there.
BOARD_VERSION_SEQUENCE = Sequence("board_version_seq", metadata=db.metadata)
