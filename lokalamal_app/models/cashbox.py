"""Collection boxes (insamlingsbössor): sealed, numbered, kept by a named colleague, and
counted by two colleagues together. A count is a cash ledger entry; the box keeps the rest."""

from datetime import date

from sqlalchemy import Boolean, Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import TimestampMixin

BOX_NUMBER_MAX = 20
SEAL_MAX = 40
DEPOSIT_REFERENCE_MAX = 80
# Where the counted cash went: the bank's deposit (with its receipt) or the mission's office.
DEPOSIT_KINDS = ("bank", "mission")


class CashBox(TimestampMixin, db.Model):
    __table_args__ = (UniqueConstraint("company_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"), index=True)
    # As painted on the box ("12", "B-3"); unique within the workplace.
    number: Mapped[str] = mapped_column(String(BOX_NUMBER_MAX))
    seal_number: Mapped[str] = mapped_column(String(SEAL_MAX))
    keeper_id: Mapped[int] = mapped_column(ForeignKey("user.id"))

    company: Mapped["Company"] = relationship()  # noqa: F821
    team: Mapped["Team"] = relationship()  # noqa: F821
    keeper: Mapped["User"] = relationship()  # noqa: F821

    def __repr__(self) -> str:
        return f"<CashBox {self.id} {self.number}>"


class CashBoxEvent(TimestampMixin, db.Model):
    """The box's history apart from counts: registered, handed over, sealed anew."""

    KINDS = ("registered", "handover", "seal")

    id: Mapped[int] = mapped_column(primary_key=True)
    box_id: Mapped[int] = mapped_column(ForeignKey("cash_box.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    # The keeper before and after (the same for a new seal).
    from_user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    to_user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    seal_number: Mapped[str] = mapped_column(String(SEAL_MAX), default="")
    by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    from_user: Mapped["User | None"] = relationship(foreign_keys=[from_user_id])  # noqa: F821
    to_user: Mapped["User | None"] = relationship(foreign_keys=[to_user_id])  # noqa: F821
    by: Mapped["User | None"] = relationship(foreign_keys=[by_id])  # noqa: F821


class CashBoxCount(TimestampMixin, db.Model):
    """One count of a box: the cash ledger entry it wrote, the seal and where the cash went.
    The entry holds the amount, who counted first (logged it) and second (confirmed it)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    box_id: Mapped[int] = mapped_column(ForeignKey("cash_box.id"), index=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("ledger_entry.id"), unique=True)
    seal_number: Mapped[str] = mapped_column(String(SEAL_MAX))
    seal_intact: Mapped[bool] = mapped_column(Boolean)
    deposit_kind: Mapped[str] = mapped_column(String(10))
    deposit_reference: Mapped[str] = mapped_column(String(DEPOSIT_REFERENCE_MAX), default="")
    deposited_on: Mapped[date] = mapped_column(Date)

    box: Mapped[CashBox] = relationship()
    entry: Mapped["LedgerEntry"] = relationship()  # noqa: F821
