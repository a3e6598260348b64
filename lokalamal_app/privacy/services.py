"""Anonymising a person. Flush, never commit.

The person's row stays (ledger entries, audit events and workplaces point at it), but
everything that tells who they were is removed: name, e-mail, password, memberships,
notifications, mail waiting to be sent. Their ledger entries stay as they are, so every
total stands; they now point at "Borttagen person".
"""

import secrets
from collections.abc import Callable
from datetime import datetime

from flask_babel import gettext as _

from .. import audit
from ..extensions import db
from ..models import (
    AuditEvent,
    LoginThrottle,
    Membership,
    Notification,
    OutboxMessage,
    Team,
    TeamMember,
    User,
)
from ..models.base import as_utc, utcnow

ANONYMOUS_NAME = "Borttagen person"
ANONYMOUS_DOMAIN = "anonym.invalid"

# Features with their own personal data register a cleanup here:
# `listener(user)` runs in the same transaction, before the user row is blanked.
_listeners: list[Callable[[User], None]] = []


class PrivacyError(Exception):
    """A request about personal data that cannot be carried out (message for the person,
    in Swedish unless a request chose English)."""


def on_anonymise(listener: Callable[[User], None]) -> Callable[[User], None]:
    """Register `listener(user)` to remove a feature's personal data of a person."""
    _listeners.append(listener)
    return listener


def is_anonymised(user: User) -> bool:
    """True for the row left behind by a deleted or anonymised account."""
    return user.email.endswith("@" + ANONYMOUS_DOMAIN)


def anonymise_user(user: User, actor: User | None, reason: str) -> User:
    """Remove a person's personal data; their collections stay in the totals."""
    if is_anonymised(user):
        raise PrivacyError(_("Kontot är redan anonymiserat."))
    for listener in _listeners:
        listener(user)

    old_email = user.email
    db.session.execute(db.delete(TeamMember).where(TeamMember.user_id == user.id))
    db.session.execute(db.delete(Membership).where(Membership.user_id == user.id))
    db.session.execute(db.delete(Notification).where(Notification.user_id == user.id))
    db.session.execute(db.delete(OutboxMessage).where(OutboxMessage.to == old_email))
    db.session.execute(db.delete(LoginThrottle).where(LoginThrottle.key == f"account:{old_email}"))
    # A team without its captain is run by the workplace's admins until someone takes over.
    db.session.execute(db.update(Team).where(Team.captain_id == user.id).values(captain_id=None))
    # Where the person was when they did something is personal data too.
    db.session.execute(
        db.update(AuditEvent).where(AuditEvent.actor_id == user.id).values(client_addr="")
    )

    user.email = f"borttagen-{user.id}@{ANONYMOUS_DOMAIN}"
    user.display_name = ANONYMOUS_NAME
    # Not a hash of anything: no password can ever match it.
    user.password_hash = "!" + secrets.token_hex(32)
    user.end_all_sessions()
    user.disabled = True
    user.is_staff = False
    user.hide_name = True
    user.last_login_at = None
    db.session.flush()
    # The audit event names the account by id only, never the old address or name.
    audit.record("user.anonymise", "user", user.id, actor=actor, after={"reason": reason})
    return user


def months_before(moment: datetime, months: int) -> datetime:
    """The same day and time `months` calendar months earlier (clamped to the month's end)."""
    year, month = divmod(moment.year * 12 + moment.month - 1 - months, 12)
    month += 1
    for day in range(moment.day, 27, -1):
        try:
            return moment.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    return moment.replace(year=year, month=month, day=min(moment.day, 28))


def inactive_users(months: int, now: datetime | None = None) -> list[User]:
    """Accounts (not staff, not yet anonymised) with no login for `months` months.

    An account that never logged in counts from when it was created.
    """
    cutoff = months_before(now or utcnow(), months)
    users = db.session.execute(
        db.select(User).where(User.is_staff.is_(False)).order_by(User.id)
    ).scalars()
    return [
        user
        for user in users
        if not is_anonymised(user)
        and as_utc(user.last_login_at or user.created_at) < cutoff
    ]


def anonymise_inactive(months: int, now: datetime | None = None) -> list[int]:
    """Anonymise every account inactive for `months` months; the ids that were anonymised."""
    if months < 1:
        raise PrivacyError(_("Ange minst en månad."))
    done = []
    for user in inactive_users(months, now):
        anonymise_user(user, actor=None, reason=f"inaktiv i {months} mån.")
        done.append(user.id)
    return done

