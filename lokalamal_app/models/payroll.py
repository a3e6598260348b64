"""Payroll giving and employer matching.

Salaries and personal identity numbers are never stored: a per-mille pledge is kept as a
rate and the workplace's payroll works out the sum, which the admin confirms each month.
"""

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import TimestampMixin


class PayrollScheme(TimestampMixin, db.Model):
    """A workplace's payroll giving: which forms it offers and when its payroll closes."""

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), unique=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    allow_fixed: Mapped[bool] = mapped_column(Boolean, default=True)
    allow_permille: Mapped[bool] = mapped_column(Boolean, default=False)
    min_monthly_ore: Mapped[int] = mapped_column(BigInteger, default=0)
    closing_day: Mapped[int] = mapped_column(Integer, default=25)
    uses_employee_numbers: Mapped[bool] = mapped_column(Boolean, default=False)


class Pledge(TimestampMixin, db.Model):
    """One employee's monthly payroll gift, from start_month until end_month (inclusive)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # "fixed" or "permille"
    amount_ore: Mapped[int | None] = mapped_column(BigInteger)
    # Per mille in tenths: 25 means 2,5 ‰ (0,1–100 ‰ is 1–1000).
    permille_tenths: Mapped[int | None] = mapped_column(Integer)
    # Only for pledgers without a team: the goal they give to.
    goal_id: Mapped[int | None] = mapped_column(ForeignKey("goal.id"))
    employee_number: Mapped[str] = mapped_column(String(30), default="")
    start_month: Mapped[str] = mapped_column(String(7))  # "YYYY-MM"
    end_month: Mapped[str | None] = mapped_column(String(7))
    stopped_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped["User"] = relationship()  # noqa: F821
    company: Mapped["Company"] = relationship()  # noqa: F821
    goal: Mapped["Goal | None"] = relationship()  # noqa: F821


class PayrollRun(TimestampMixin, db.Model):
    """A confirmed payroll month of a workplace; a month is confirmed once."""

    __table_args__ = (UniqueConstraint("company_id", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    month: Mapped[str] = mapped_column(String(7))
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))


class PayrollDeduction(TimestampMixin, db.Model):
    """What one pledge gave in one confirmed month, and the ledger entry it wrote."""

    __table_args__ = (UniqueConstraint("pledge_id", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("payroll_run.id"), index=True)
    pledge_id: Mapped[int] = mapped_column(ForeignKey("pledge.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    month: Mapped[str] = mapped_column(String(7))
    amount_ore: Mapped[int] = mapped_column(BigInteger)
    entry_id: Mapped[int] = mapped_column(ForeignKey("ledger_entry.id"), unique=True)

    pledge: Mapped[Pledge] = relationship()
    entry: Mapped["LedgerEntry"] = relationship()  # noqa: F821


class MatchRule(TimestampMixin, db.Model):
    """The workplace adds `percent` % of what employees give, up to a cap per employee
    and year, for payroll gifts only or for all verified collections, in a period."""

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    percent: Mapped[int] = mapped_column(Integer)
    cap_ore: Mapped[int] = mapped_column(BigInteger)
    scope: Mapped[str] = mapped_column(String(10))  # "payroll" or "all"
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))


class MatchUsage(db.Model):
    """How much match one employee has used in one year at one workplace.

    The row is locked (SELECT ... FOR UPDATE) while a match is added, so the cap holds
    when collections are verified at the same time.
    """

    __table_args__ = (UniqueConstraint("company_id", "user_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    year: Mapped[int] = mapped_column(Integer)
    matched_ore: Mapped[int] = mapped_column(BigInteger, default=0)
