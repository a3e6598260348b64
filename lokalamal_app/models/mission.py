"""The mission's own data: goal impact lines, partners, partner inquiries and imported
Swish/bank payments."""

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..i18n_request import localized
from .base import TimestampMixin

PARTNER_LEVELS = {"main": _l("Huvudpartner"), "partner": _l("Partner")}


class ImpactLine(TimestampMixin, db.Model):
    """"X kr = what it does" on a goal page; the figures come from staff."""

    id: Mapped[int] = mapped_column(primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("goal.id"), index=True)
    amount_ore: Mapped[int] = mapped_column(BigInteger)
    text: Mapped[str] = mapped_column(String(200))
    # The English version; empty means "show the Swedish".
    text_en: Mapped[str] = mapped_column(String(200), default="", server_default="")
    position: Mapped[int] = mapped_column(Integer, default=0)

    @property
    def shown_text(self) -> str:
        """What the amount does, in the visitor's language."""
        return localized(self.text, self.text_en)


class Partner(TimestampMixin, db.Model):
    """A company named as main partner (huvudpartner) or partner of one goal."""

    id: Mapped[int] = mapped_column(primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("goal.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    level: Mapped[str] = mapped_column(String(10), default="partner")
    url: Mapped[str] = mapped_column(String(300), default="")
    # The logo lives in the database so that every server process can serve it.
    logo: Mapped[bytes | None] = mapped_column(LargeBinary)
    logo_type: Mapped[str] = mapped_column(String(20), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)

    goal: Mapped["Goal"] = relationship()  # noqa: F821

    @property
    def level_label(self) -> str:
        return str(PARTNER_LEVELS.get(self.level, self.level))


class Inquiry(TimestampMixin, db.Model):
    """A company asking to become a partner ("Bli partner")."""

    id: Mapped[int] = mapped_column(primary_key=True)
    company_name: Mapped[str] = mapped_column(String(120))
    contact_name: Mapped[str] = mapped_column(String(80))
    email: Mapped[str] = mapped_column(String(254))
    phone: Mapped[str] = mapped_column(String(30), default="")
    goal_id: Mapped[int | None] = mapped_column(ForeignKey("goal.id"))
    level: Mapped[str] = mapped_column(String(10), default="partner")
    message: Mapped[str] = mapped_column(Text, default="")
    client_addr: Mapped[str] = mapped_column(String(45), default="", index=True)
    handled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    goal: Mapped["Goal | None"] = relationship()  # noqa: F821

    @property
    def level_label(self) -> str:
        return str(PARTNER_LEVELS.get(self.level, self.level))


class SwishFile(TimestampMixin, db.Model):
    """One imported Swish or bank report (CSV), recognised by its content's hash, so the
    same file is recorded once however often it is uploaded."""

    id: Mapped[int] = mapped_column(primary_key=True)
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    layout: Mapped[str] = mapped_column(String(20))
    first_day: Mapped[date | None] = mapped_column(Date)
    last_day: Mapped[date | None] = mapped_column(Date)
    # What the file holds: every payment row, and the sum of the amounts it could read.
    payment_count: Mapped[int] = mapped_column()
    total_ore: Mapped[int] = mapped_column(BigInteger)
    # Rows an earlier file had already recorded: they stay with that file, and these
    # figures make this file's sums add up.
    earlier_count: Mapped[int] = mapped_column(default=0)
    earlier_ore: Mapped[int] = mapped_column(BigInteger, default=0)
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    imported_by: Mapped["User | None"] = relationship()  # noqa: F821


class SwishPayment(TimestampMixin, db.Model):
    """One payment row of an imported Swish or bank report: booked (`entry_id` is the entry
    it received or created), waiting for a person, or refused with its reason.

    `import_key` identifies the payment across files (unique), so a payment in two
    overlapping reports is recorded, and booked, once. A row the parser could not read has
    no key (and perhaps no date or amount). Rows booked before files were recorded have no
    `file_id`.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    file_id: Mapped[int | None] = mapped_column(ForeignKey("swish_file.id"), index=True)
    line: Mapped[int | None] = mapped_column()
    import_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    paid_on: Mapped[date | None] = mapped_column(Date)
    amount_ore: Mapped[int | None] = mapped_column(BigInteger)
    message: Mapped[str] = mapped_column(String(200), default="")
    payer_name: Mapped[str] = mapped_column(String(70), default="")
    status: Mapped[str] = mapped_column(String(10), default="booked", index=True)
    reason: Mapped[str] = mapped_column(String(500), default="")
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_entry.id"), unique=True)
    action: Mapped[str] = mapped_column(String(10), default="")  # "receive" or "create"
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    handled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    file: Mapped[SwishFile | None] = relationship()
    team: Mapped["Team | None"] = relationship()  # noqa: F821
