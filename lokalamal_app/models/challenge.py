"""Vägg i vägg: challenges between workplaces, and their stored running totals."""

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import TimestampMixin

MEASURES = {
    "total": _l("Insamlade kronor"),
    "per_employee": _l("Kronor per anställd"),
    "participation": _l("Andel anställda som deltar"),
}
GREETING_MAX = 280
REPLY_MAX = 280


class Challenge(TimestampMixin, db.Model):
    """A challenge: proposed -> accepted (or declined / withdrawn); settled when frozen.

    Whether an accepted challenge is upcoming, running or awaiting settlement follows
    from its dates; `settled_at` marks the frozen result.
    """

    STATUSES = ("proposed", "accepted", "declined", "withdrawn")

    id: Mapped[int] = mapped_column(primary_key=True)
    challenger_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date, index=True)
    measure: Mapped[str] = mapped_column(String(16), default="total")
    goal_id: Mapped[int | None] = mapped_column(ForeignKey("goal.id"))
    greeting: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default="proposed", index=True)
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    rematch_of_id: Mapped[int | None] = mapped_column(ForeignKey("challenge.id"))
    settled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    settled_on: Mapped[date | None] = mapped_column(Date)
    winner_id: Mapped[int | None] = mapped_column(ForeignKey("company.id"))

    challenger: Mapped["Company"] = relationship(foreign_keys=[challenger_id])  # noqa: F821
    winner: Mapped["Company | None"] = relationship(foreign_keys=[winner_id])  # noqa: F821
    goal: Mapped["Goal | None"] = relationship()  # noqa: F821
    participants: Mapped[list["ChallengeParticipant"]] = relationship(
        back_populates="challenge", order_by="ChallengeParticipant.id"
    )

    @property
    def measure_label(self) -> str:
        return str(MEASURES.get(self.measure, self.measure))

    def __repr__(self) -> str:
        return f"<Challenge {self.id} {self.status}>"


class ChallengeParticipant(TimestampMixin, db.Model):
    """A workplace in a challenge: the challenger (accepted from the start) or an invitee.

    `headcount` is fixed when the workplace is in for good (an invitee when it accepts,
    the challenger when the challenge is accepted): per-employee and participation scores
    are measured on it, so changing the workplace's headcount later moves nothing.
    The final_* columns hold the frozen result once the challenge is settled.
    """

    __table_args__ = (UniqueConstraint("challenge_id", "company_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenge.id"), index=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), default="invited")  # invited/accepted/declined
    reply: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    headcount: Mapped[int | None] = mapped_column(Integer)
    final_ore: Mapped[int | None] = mapped_column(BigInteger)
    final_people: Mapped[int | None] = mapped_column(Integer)
    final_headcount: Mapped[int | None] = mapped_column(Integer)
    final_rank: Mapped[int | None] = mapped_column(Integer)

    challenge: Mapped[Challenge] = relationship(back_populates="participants")
    company: Mapped["Company"] = relationship()  # noqa: F821


class ChallengeTally(db.Model):
    """Stored figures of one workplace in one challenge, kept by the ledger listener.

    kind 'company' (key ''), 'team' (key team id), 'day' (key YYYY-MM-DD, for the chart)
    or 'person' (key user id; the counts say how many of their entries count, for the
    participation measure). Changed only with SQL increments, in the ledger's transaction.
    """

    __table_args__ = (UniqueConstraint("challenge_id", "company_id", "kind", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenge.id"), index=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))
    kind: Mapped[str] = mapped_column(String(8))
    key: Mapped[str] = mapped_column(String(12), default="")
    reported_ore: Mapped[int] = mapped_column(BigInteger, default=0)
    attested_ore: Mapped[int] = mapped_column(BigInteger, default=0)
    received_ore: Mapped[int] = mapped_column(BigInteger, default=0)
    reported_count: Mapped[int] = mapped_column(Integer, default=0)
    attested_count: Mapped[int] = mapped_column(Integer, default=0)
    received_count: Mapped[int] = mapped_column(Integer, default=0)
