"""Telling people things: in the app, and by e-mail when it matters.

Everything here is written in the *recipient's* language (`User.locale`), not in the
language of whoever caused it: an English-speaking admin who attests a Swedish member's
collection sends that member a Swedish notification. So callers hand over text that is not
translated yet: a lazy string (`lazy_gettext("...%(name)s...", name=...)`, imported as
`_l`), or for text put together from several pieces a `LazyString(function, *args)`.
`notify` renders them inside `in_language_of(user)`. The rendered text is what is stored.
"""

from flask_babel import LazyString, force_locale
from flask_babel import gettext as _

from .extensions import db
from .mail import send_mail
from .models.notification import Notification
from .models.user import LOCALES
from .urls import absolute


def language_of(user) -> str:
    """The language `user` reads their notifications and e-mail in."""
    locale = getattr(user, "locale", None)
    return locale if locale in LOCALES else LOCALES[0]


def in_language_of(user):
    """Context manager: gettext, lazy strings and formatting inside speak `user`'s language."""
    return force_locale(language_of(user))


def notify(user, text: str | LazyString, link: str = "",
           email_subject: str | LazyString | None = None) -> Notification:
    """Add a notification for `user`; with `email_subject` also queue it as an e-mail,
    which leaves after the caller's transaction commits (see `mail`).

    `text` and `email_subject` are rendered in the recipient's language: pass lazy strings
    (see the module docstring); a plain str is stored as it is. `link` is a path inside the
    app ("/companies/x"). Flushes, the caller commits.
    """
    with in_language_of(user):
        text = str(text)
        note = Notification(user_id=user.id, text=text, link=link)
        db.session.add(note)
        if email_subject:
            # The mail needs the whole address; it comes from PUBLIC_URL in production.
            body = (text + (f"\n\n{absolute(link)}" if link else "") + "\n\n"
                    + _("Hälsningar,\nLokala mål") + "\n")
            send_mail(user.email, str(email_subject), body)
    db.session.flush()
    return note


def unread_count(user) -> int:
    return db.session.execute(
        db.select(db.func.count(Notification.id)).where(
            Notification.user_id == user.id, Notification.read_at.is_(None)
        )
    ).scalar_one()
