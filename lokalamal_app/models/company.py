"""Workplaces and who belongs to them."""

import secrets
import unicodedata
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from ..extensions import db
from .base import TimestampMixin


def new_join_code() -> str:
    return secrets.token_urlsafe(9)


def name_key(name: str) -> str:
    """What makes two names the same: letter case and spacing do not count."""
    return " ".join(name.split()).casefold()


def search_key(text: str) -> str:
    """What a search matches: name_key without accents ("Mälarhamnen" -> "malarhamnen"),
    the same on SQLite and PostgreSQL because it is made here, not by the database."""
    decomposed = unicodedata.normalize("NFKD", name_key(text or ""))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))[:120]


class Company(TimestampMixin, db.Model):
    # One organisation number, one workplace: the database holds to it even when two
    # registrations race (the loser goes to review, see companies.services).
    __table_args__ = (
        Index("uq_company_org_number", "org_number", unique=True,
              postgresql_where=text("org_number IS NOT NULL"),
              sqlite_where=text("org_number IS NOT NULL")),
    )

    ORGNR_STATUSES = ("", "review", "rejected")

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    name_key: Mapped[str] = mapped_column(String(120), unique=True)
    # Kept by `_fold_name` whenever the name is set; searched by companies.queries.search.
    search_key: Mapped[str] = mapped_column(String(120), default="", server_default="")
    slug: Mapped[str] = mapped_column(String(140), unique=True)
    org_number: Mapped[str | None] = mapped_column(String(10))  # ten digits, no dash; confirmed
    # A number another workplace already holds, waiting for the mission's staff ("review");
    # "rejected" when staff said no (the workplace goes on without a number).
    claimed_org_number: Mapped[str | None] = mapped_column(String(10))
    orgnr_status: Mapped[str] = mapped_column(String(10), default="", server_default="")
    # "Kontrollerad av stadsmissionen": staff have checked that the workplace is who it says.
    checked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    checked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    street: Mapped[str] = mapped_column(String(120), default="")
    postcode: Mapped[str] = mapped_column(String(5), default="")
    city: Mapped[str] = mapped_column(String(80), default="Västerås")
    headcount: Mapped[int] = mapped_column(Integer, default=1)
    join_code: Mapped[str] = mapped_column(String(32), unique=True, default=new_join_code)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    memberships: Mapped[list["Membership"]] = relationship(back_populates="company")

    @validates("name")
    def _fold_name(self, _key: str, name: str) -> str:
        self.search_key = search_key(name)
        return name

    @property
    def in_review(self) -> bool:
        return self.orgnr_status == "review"

    def __repr__(self) -> str:
        return f"<Company {self.id} {self.slug}>"


class Membership(TimestampMixin, db.Model):
    __table_args__ = (UniqueConstraint("user_id", "company_id"),)

    ROLES = ("member", "admin")

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    role: Mapped[str] = mapped_column(String(10), default="member")

    user: Mapped["User"] = relationship()  # noqa: F821
    company: Mapped[Company] = relationship(back_populates="memberships")

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


class JoinRequest(TimestampMixin, db.Model):
    """Someone asking to join a workplace; an admin approves or declines."""

    STATUSES = ("pending", "approved", "declined")

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    message: Mapped[str] = mapped_column(String(300), default="")
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    company: Mapped[Company] = relationship()
    user: Mapped["User"] = relationship(foreign_keys=[user_id])  # noqa: F821
