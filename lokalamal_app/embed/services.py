"""Writes for the widget's allowed origins."""

from flask_babel import gettext as _
from sqlalchemy import select

from .. import audit
from ..extensions import db
from ..models import EmbedOrigin, User
from .origins import MAX_ORIGINS


class EmbedError(ValueError):
    """An origin breaks a rule; the message is translated."""


def add_origin(company_id: int, origin: str, actor: User) -> EmbedOrigin:
    """Allow a checked origin to frame the workplace's widget; flushes."""
    existing = db.session.execute(
        select(EmbedOrigin.origin).where(EmbedOrigin.company_id == company_id)
    ).scalars().all()
    if origin in existing:
        raise EmbedError(_("Den adressen finns redan i listan."))
    if len(existing) >= MAX_ORIGINS:
        raise EmbedError(_("Högst %(max)s adresser går att lägga till.", max=MAX_ORIGINS))
    row = EmbedOrigin(company_id=company_id, origin=origin)
    db.session.add(row)
    db.session.flush()
    audit.record("embed.origin_added", "company", company_id, actor=actor,
                 after={"origin": origin})
    return row


def remove_origin(row: EmbedOrigin, actor: User) -> None:
    """Stop allowing an origin; flushes."""
    audit.record("embed.origin_removed", "company", row.company_id, actor=actor,
                 before={"origin": row.origin})
    db.session.delete(row)
    db.session.flush()
