"""Slowing and then refusing repeated failed logins, per account and per client address.

Counts live in the database (LoginThrottle), or in Redis when REDIS_URL is set, so that the
limit holds however many server processes answer the requests.

In Redis each key has a failure counter that expires LOGIN_WINDOW_SECONDS after its first
failure (the database's window) and, once LOGIN_LOCK_AFTER failures are counted, a lock key
that expires a window after the locking failure (the database's `locked_until`).
"""

import time
from datetime import timedelta

from flask import current_app

from .. import shared_state
from ..extensions import db
from ..models import LoginThrottle
from ..models.base import as_utc, utcnow


def keys_for(email: str, client_addr: str | None) -> list[str]:
    # Cut to the column's 300 characters: a longer e-mail is no one's and must not fail.
    return [f"account:{email.strip().casefold()}"[:300], f"addr:{client_addr or 'unknown'}"[:300]]


# Count one failure per key atomically: INCR, EXPIRE on the first failure of the window,
# and the lock key (expiring a window from now) once the count reaches the limit.
_RECORD_FAILURE = """
for i = 1, #KEYS, 2 do
  local n = redis.call('INCR', KEYS[i])
  if n == 1 or redis.call('TTL', KEYS[i]) < 0 then
    redis.call('EXPIRE', KEYS[i], ARGV[1])
  end
  if n >= tonumber(ARGV[2]) then
    redis.call('SET', KEYS[i + 1], '1', 'EX', ARGV[1])
  end
end
"""


def _failures_key(key: str) -> str:
    return shared_state.key(f"login:failures:{key}")


def _lock_key(key: str) -> str:
    return shared_state.key(f"login:locked:{key}")


def is_locked(keys: list[str]) -> bool:
    """True while any of the keys has failed too often in the current window."""
    client = shared_state.redis_client()
    if client is not None:
        return client.exists(*[_lock_key(k) for k in keys]) > 0
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
    client = shared_state.redis_client()
    if client is not None:
        counts = client.mget([_failures_key(k) for k in keys])
        failures = max((int(c) for c in counts if c is not None), default=0)
    else:
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
    client = shared_state.redis_client()
    if client is not None:
        redis_keys = [name for k in keys for name in (_failures_key(k), _lock_key(k))]
        client.eval(_RECORD_FAILURE, len(redis_keys), *redis_keys,
                    max(1, config["LOGIN_WINDOW_SECONDS"]), config["LOGIN_LOCK_AFTER"])
        return
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
    client = shared_state.redis_client()
    if client is not None:
        key = keys_for(email, None)[0]
        client.delete(_failures_key(key), _lock_key(key))
        return
    row = db.session.get(LoginThrottle, keys_for(email, None)[0])
    if row is not None:
        db.session.delete(row)
