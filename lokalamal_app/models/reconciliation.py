"""Imported bank files (BgMax) and their payments, each recorded once."""

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, Date, DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import TimestampMixin


class BankFile(TimestampMixin, db.Model):
    """One imported BgMax file; Bankgirot's timestamp and the payee bankgiro name it, so the
    same file is recorded once however often it is uploaded."""

    __table_args__ = (UniqueConstraint("payee_bankgiro", "bgc_timestamp"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bgc_timestamp: Mapped[str] = mapped_column(String(20))
    file_date: Mapped[date] = mapped_column(Date)
    test_file: Mapped[bool] = mapped_column(Boolean, default=False)
    payee_bankgiro: Mapped[str] = mapped_column(String(10))
    deposit_serials: Mapped[str] = mapped_column(String(200), default="")
    payment_count: Mapped[int] = mapped_column()
    total_ore: Mapped[int] = mapped_column(BigInteger)
    # Payments of this file that an earlier file had already recorded (Bankgirot sent them
    # again): they stay with that file, and these figures make this file's sums add up.
    earlier_count: Mapped[int] = mapped_column(default=0)
    earlier_ore: Mapped[int] = mapped_column(BigInteger, default=0)
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    imported_by: Mapped["User | None"] = relationship()  # noqa: F821


class BankPayment(TimestampMixin, db.Model):
    """One payment of an imported file, by Bankgirot's serial number (unique): booked (a
    ledger entry or a payroll run received), waiting for a person, or refused (not ours)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("bank_file.id"), index=True)
    bgc_serial: Mapped[str] = mapped_column(String(12), unique=True)
    line: Mapped[int] = mapped_column()
    paid_on: Mapped[date] = mapped_column(Date)
    amount_ore: Mapped[int] = mapped_column(BigInteger)
    reference: Mapped[str] = mapped_column(String(25), default="")
    message: Mapped[str] = mapped_column(String(200), default="")
    payer_name: Mapped[str] = mapped_column(String(70), default="")
    status: Mapped[str] = mapped_column(String(10), index=True)  # booked, waiting, refused
    reason: Mapped[str] = mapped_column(String(500), default="")
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"))
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_entry.id"), unique=True)
    payroll_run_id: Mapped[int | None] = mapped_column(ForeignKey("payroll_run.id"), index=True)
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    handled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    file: Mapped[BankFile] = relationship()
    team: Mapped["Team | None"] = relationship()  # noqa: F821
