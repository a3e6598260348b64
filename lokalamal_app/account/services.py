"""Writes for Mina sidor. Flush, never commit."""

from ..extensions import db
from ..models import Notification
from ..models.base import utcnow


def set_privacy(user, show_name: bool) -> None:
    """Show the person's name to everyone, or only to colleagues and staff (the default)."""
    user.show_name = bool(show_name)
    db.session.flush()


def mark_notifications_read(user) -> int:
    """Mark every unread notification of the person as read; returns how many."""
    result = db.session.execute(
        db.update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    return result.rowcount or 0
