"""Telling people things: in the app, and by e-mail when it matters."""

from flask_babel import gettext as _

from .extensions import db
from .mail import send_mail
from .models.notification import Notification


def notify(user, text: str, link: str = "", email_subject: str | None = None) -> Notification:
    """Add a notification for `user`; with `email_subject` also send it by e-mail.

    `link` is a path inside the app ("/companies/x"). Flushes, the caller commits.
    """
    note = Notification(user_id=user.id, text=text, link=link)
    db.session.add(note)
    if email_subject:
        body = text + (f"\n\n{link}" if link else "") + "\n\n" + _("Hälsningar,\nLokala mål") + "\n"
        send_mail(user.email, email_subject, body)
    db.session.flush()
    return note


def unread_count(user) -> int:
    return db.session.execute(
        db.select(db.func.count(Notification.id)).where(
            Notification.user_id == user.id, Notification.read_at.is_(None)
        )
    ).scalar_one()
