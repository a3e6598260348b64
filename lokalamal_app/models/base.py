"""Shared column helpers."""

from datetime import UTC, datetime

from sqlalchemy import DateTime
from sqlalchemy.orm import Mapped, mapped_column

from .. import clock


def utcnow() -> datetime:
    """Timezone-aware now in UTC, from the app's one clock; all stored times are UTC."""
    return clock.now().astimezone(UTC)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


def as_utc(value: datetime | None) -> datetime | None:
    """SQLite gives back naive datetimes; every stored time is UTC, so say so."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value
