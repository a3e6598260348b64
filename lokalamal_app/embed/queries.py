"""Reads for the widget and the badges, a fixed few statements each."""

from sqlalchemy import select

from ..extensions import db
from ..ledger import totals
from ..models import EmbedOrigin


def origins_of(company_id: int) -> list[EmbedOrigin]:
    """The origins allowed to frame the workplace's widget, oldest first."""
    return db.session.execute(
        select(EmbedOrigin).where(EmbedOrigin.company_id == company_id)
        .order_by(EmbedOrigin.id)
    ).scalars().all()


def reported_total(subject: str, subject_id: int) -> int:
    """Reported money of a team or workplace since start, as its page shows it."""
    figures = totals.figures(subject, subject_id)
    return figures.reported_ore if figures else 0
