"""Anonymising a person. Flush, never commit.

The person's row stays (ledger entries, audit events and workplaces point at it), but
everything that tells who they were is removed: name, e-mail, password, memberships,
notifications, mail waiting to be sent, and their e-mail and name wherever audit events
copied them. Their ledger entries keep every amount and status, so every total stands;
they now point at "Borttagen person" (the ledger removes the free-text notes itself,
through a listener).
"""

import re
import secrets
from collections.abc import Callable
from datetime import datetime

from flask_babel import gettext as _

from .. import audit, clock
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
from ..models.base import as_utc
from ..people_lock import lock_people

ANONYMOUS_NAME = "Borttagen person"
ANONYMOUS_DOMAIN = "anonym.invalid"

# Features with their own personal data have a cleanup, listed in privacy.hooks (and set
# from create_app, never by importing a module): `listener(user)` runs in the same
# transaction, before the user row is blanked. It may return counts of what it removed
# (`{"ledger_notes": 3}`); they go into the audit event.
Listener = Callable[[User], dict[str, int] | None]
_listeners: list[Listener] = []

# Keys under which audit data holds a person's own details. They are removed wherever the
# data is about the person: an event on their account, or a dict with their `user_id`.
PERSONAL_KEYS = frozenset({"email", "display_name", "e-post", "namn"})


class PrivacyError(Exception):
    """A request about personal data that cannot be carried out (message for the person,
    in Swedish unless a request chose English)."""


def on_anonymise(listener: Listener) -> Listener:
    """Mark `listener(user)` as a feature's cleanup; it runs once privacy.hooks lists it."""
    listener.anonymises = True
    return listener


def set_listeners(listeners: list[Listener]) -> None:
    """The cleanups anonymising runs, in order (from privacy.hooks)."""
    _listeners[:] = listeners


def is_anonymised(user: User) -> bool:
    """True for the row left behind by a deleted or anonymised account."""
    return user.email.endswith("@" + ANONYMOUS_DOMAIN)


def _lock_person(user: User) -> None:
    """Hold what anonymising changes, and read the person again as committed: their
    workplaces' people (see `people_lock`: nobody makes them captain or answers their
    request to join meanwhile), then their own row (a login or a second anonymising at
    the same moment comes wholly before or after)."""
    companies = db.session.execute(
        db.select(Membership.company_id).where(Membership.user_id == user.id)
        .order_by(Membership.company_id)).scalars().all()
    for company_id in companies:
        lock_people(company_id)
    db.session.execute(db.select(User.id).where(User.id == user.id).with_for_update())
    db.session.refresh(user)


def anonymise_user(user: User, actor: User | None, reason: str) -> User:
    """Remove a person's personal data; their collections stay in the totals."""
    _lock_person(user)
    return _anonymise_locked(user, actor, reason)


def _anonymise_locked(user: User, actor: User | None, reason: str) -> User:
    """`anonymise_user` once `_lock_person` holds the person."""
    if is_anonymised(user):
        raise PrivacyError(_("Kontot är redan anonymiserat."))
    removed: dict[str, int] = {}
    for listener in _listeners:
        removed.update(listener(user) or {})

    old_email = user.email
    # Audit events keep their rows, actions, ids and amounts; the address and name go.
    forget = _forgetter(user.id, old_email, user.display_name)
    removed["audit_events"] = audit.scrub(
        [_may_name(user.id, old_email, user.display_name)], forget
    )
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
    user.show_name = False
    user.last_login_at = None
    db.session.flush()
    # The audit event names the account by id only, never the old address or name (not
    # even in a reason staff typed), and says how much was removed, never what.
    audit.record("user.anonymise", "user", user.id, actor=actor,
                 after={"reason": forget(None, "reason", reason, None), "removed": removed})
    return user


def _forgetter(user_id: int, email: str, name: str) -> audit.Cleaner:
    """A cleaner for `audit.scrub` that takes a person's e-mail and name out of strings.

    A string that is the address or the name (any case, any spacing) is replaced whole;
    inside a longer text the address is always replaced, the name only when it has at least
    two words (a first name alone would hit ordinary words, team and workplace names).
    Under one of PERSONAL_KEYS, any string goes if the data is about the person: an event
    on their account, or a dict holding their `user_id`.
    """
    def norm(text: str) -> str:
        return " ".join(text.split()).casefold()

    whole = {norm(email)} | ({norm(name)} if name.strip() else set())
    parts = [re.escape(email.strip())]
    if len(name.split()) >= 2:
        parts.append(r"\s+".join(re.escape(word) for word in name.split()))
    within = re.compile(r"(?<![\w.@+-])(?:" + "|".join(parts) + r")(?![\w@-])", re.IGNORECASE)

    def forget(event: AuditEvent | None, key: str | None, value: str,
               parent: dict | None) -> str:
        if not value or value == audit.REMOVED:
            return value
        if norm(value) in whole:
            return audit.REMOVED
        if key in PERSONAL_KEYS and (
            (parent is not None and parent.get("user_id") == user_id)
            or (event is not None and event.subject_type == "user"
                and event.subject_id == user_id)
        ):
            return audit.REMOVED
        return within.sub(audit.REMOVED, value)

    return forget


def _may_name(user_id: int, email: str, name: str):
    """SQL: the audit events that may hold a person's details (a sieve for `audit.scrub`)."""
    sieve = [
        audit.mentions(email),
        AuditEvent.actor_id == user_id,
        (AuditEvent.subject_type == "user") & (AuditEvent.subject_id == user_id),
    ]
    if name.strip():
        sieve.append(audit.mentions(" ".join(name.split())))
    return db.or_(*sieve)


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
    cutoff = months_before(now or clock.now(), months)
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
    cutoff = months_before(now or clock.now(), months)
    done = []
    for user in inactive_users(months, now):
        _lock_person(user)
        # Read again under the lock: someone who logged in since the list was made, or
        # was made staff, stays.
        if user.is_staff or as_utc(user.last_login_at or user.created_at) >= cutoff:
            continue
        _anonymise_locked(user, actor=None, reason=f"inaktiv i {months} mån.")
        done.append(user.id)
    return done

