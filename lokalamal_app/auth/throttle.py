"""Slowing and then refusing repeated failed logins, per account and per client address.

Counts live in the database (LoginThrottle) so that the limit holds however many server
processes answer the requests.
"""

import time
from datetime import timedelta

from flask import current_app

from ..extensions import db
from ..models import LoginThrottle
from ..models.base import as_utc, utcnow


def keys_for(email: str, client_addr: str | None) -> list[str]:
    # Cut to the column's 300 characters: a longer e-mail is no one's and must not fail.
    return [f"account:{email.strip().casefold()}"[:300], f"addr:{client_addr or 'unknown'}"[:300]]


def is_locked(keys: list[str]) -> bool:
    """True while any of the keys has failed too often in the current window."""
    now = utcnow()
    rows = db.session.execute(
        db.select(LoginThrottle).where(LoginThrottle.key.in_(keys))
    ).scalars()
    return any(row.locked_until and as_utc(row.locked_until) > now for row in rows)


def slow_down(keys: list[str]) -> None:
    """Wait a little before answering once the failures pile up (makes guessing slow)."""
    config = current_app.config
    now = utcnow()
    window = timedelta(seconds=config["LOGIN_WINDOW_SECONDS"])
    rows = db.session.execute(
        db.select(LoginThrottle).where(LoginThrottle.key.in_(keys))
    ).scalars()
    failures = max(
        (r.failures for r in rows if as_utc(r.window_start) + window > now), default=0
    )
    if failures >= config["LOGIN_SLOW_AFTER"] and config["LOGIN_SLOW_SECONDS"] > 0:
        time.sleep(config["LOGIN_SLOW_SECONDS"])


def record_failure(keys: list[str]) -> None:
    config = current_app.config
    now = utcnow()
    window = timedelta(seconds=config["LOGIN_WINDOW_SECONDS"])
    for key in keys:
        row = db.session.get(LoginThrottle, key, with_for_update=True)
        if row is None:
            row = LoginThrottle(key=key, failures=0, window_start=now)
            db.session.add(row)
        elif as_utc(row.window_start) + window <= now:
            row.failures, row.window_start, row.locked_until = 0, now, None
        row.failures += 1
        if row.failures >= config["LOGIN_LOCK_AFTER"]:
            row.locked_until = now + window
    db.session.flush()


def clear_account(email: str) -> None:
    """A successful login forgets the account's failures (not the address's)."""
    row = db.session.get(LoginThrottle, keys_for(email, None)[0])
    if row is not None:
        db.session.delete(row)
