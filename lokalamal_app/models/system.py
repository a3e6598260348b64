"""Small tables the app keeps for itself: login throttling and the mail outbox.

Both live in the database so that they hold across several server processes.
"""

from datetime import datetime

from sqlalchemy import DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import TimestampMixin


class LoginThrottle(db.Model):
    key: Mapped[str] = mapped_column(String(300), primary_key=True)  # "account:x" / "addr:y"
    failures: Mapped[int] = mapped_column(Integer, default=0)
    window_start: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class OutboxMessage(TimestampMixin, db.Model):
    """An e-mail written in the transaction that caused it and delivered after its commit
    (see `lokalamal_app.mail`): due while neither sent nor failed."""

    id: Mapped[int] = mapped_column(primary_key=True)
    to: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    # A sender owns the message from claimed_at until it records the outcome; a claim
    # older than MAIL_CLAIM_STALE_SECONDS belongs to a sender that died.
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    # Given up after MAIL_MAX_ATTEMPTS: kept, logged, never tried again.
    failed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
