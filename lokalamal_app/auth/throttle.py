"""Slowing and then refusing repeated failed logins, following OWASP's advice against both
guessing and lock-out.

Three counts per failed login, each over a window of LOGIN_WINDOW_SECONDS:
- the pair (account, client address): after LOGIN_LOCK_AFTER failures that address may not
  try that account again until the window ends. Only the guessing address is shut out: the
  owner's own address is another pair, so an attacker cannot lock the owner out.
- the client address: after LOGIN_ADDRESS_LOCK_AFTER failures (over all accounts) the address
  is refused. Set far above what one office behind a shared address mistypes, it stops one
  address from trying a password on account after account.
- the account: never refused (that would let anyone lock anyone out), but once it has
  LOGIN_SLOW_AFTER failures from anywhere every attempt waits LOGIN_SLOW_SECONDS before the
  password is checked. The right password still gets in, after the wait.

Counts live in the database (LoginThrottle), or in Redis when REDIS_URL is set, so that the
limit holds however many server processes answer the requests. Callers read the limits, wait
and check the password with no transaction open, then record a failure in a short
transaction of its own (SQLite has one writer: nothing slow may happen while it writes).

In Redis each key has a failure counter that expires a window after its first failure (the
database's window) and, once the key's limit is reached, a lock key that expires a window
after the locking failure (the database's `locked_until`).
"""

import time
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from .. import shared_state
from ..extensions import db
from ..models import LoginThrottle
from ..models.base import as_utc, utcnow

# The column holds 300 characters: a longer key is cut (a longer e-mail is no one's).
_KEY_LENGTH = 300


def _account(email: str) -> str:
    return email.strip().casefold()


def keys_for(email: str, client_addr: str | None) -> list[str]:
    """The throttle keys of one attempt: account, client address, and the pair of both."""
    account, addr = _account(email), client_addr or "unknown"
    return [f"account:{account}"[:_KEY_LENGTH], f"addr:{addr}"[:_KEY_LENGTH],
            f"pair:{account}|{addr}"[:_KEY_LENGTH]]


def _lock_after(key: str) -> int:
    """Failures after which the key is refused; 0 for never (accounts are only slowed)."""
    config = current_app.config
    kind = key.partition(":")[0]
    if kind == "pair":
        return config["LOGIN_LOCK_AFTER"]
    if kind == "addr":
        return config["LOGIN_ADDRESS_LOCK_AFTER"]
    return 0


def _slows(key: str) -> bool:
    # Others' failures behind a shared office address never slow a colleague down.
    return not key.startswith("addr:")


@dataclass(frozen=True)
class Limits:
    refused: bool
    wait_seconds: float


# Count one failure per key atomically: INCR, EXPIRE on the first failure of the window,
# and the lock key (expiring a window from now) once the count reaches the key's limit.
_RECORD_FAILURE = """
for i = 1, #KEYS, 2 do
  local n = redis.call('INCR', KEYS[i])
  if n == 1 or redis.call('TTL', KEYS[i]) < 0 then
    redis.call('EXPIRE', KEYS[i], ARGV[1])
  end
  local limit = tonumber(ARGV[(i + 1) / 2 + 1])
  if limit > 0 and n >= limit then
    redis.call('SET', KEYS[i + 1], '1', 'EX', ARGV[1])
  end
end
"""


def _failures_key(key: str) -> str:
    return shared_state.key(f"login:failures:{key}")


def _lock_key(key: str) -> str:
    return shared_state.key(f"login:locked:{key}")


def check(keys: list[str]) -> Limits:
    """Whether this attempt is refused, and how long it must wait before the password is
    checked. Reads only."""
    config = current_app.config
    client = shared_state.redis_client()
    if client is not None:
        refused = client.exists(*[_lock_key(k) for k in keys if _lock_after(k)]) > 0
        counts = client.mget([_failures_key(k) for k in keys])
        failures = max((int(c) for k, c in zip(keys, counts, strict=True)
                        if c is not None and _slows(k)), default=0)
    else:
        now = utcnow()
        window = timedelta(seconds=config["LOGIN_WINDOW_SECONDS"])
        rows = db.session.execute(
            db.select(LoginThrottle).where(LoginThrottle.key.in_(keys))
        ).scalars().all()
        refused = any(r.locked_until and as_utc(r.locked_until) > now for r in rows)
        failures = max((r.failures for r in rows
                        if _slows(r.key) and as_utc(r.window_start) + window > now), default=0)
    slow = failures >= config["LOGIN_SLOW_AFTER"] and config["LOGIN_SLOW_SECONDS"] > 0
    return Limits(refused=refused, wait_seconds=config["LOGIN_SLOW_SECONDS"] if slow else 0.0)


def wait(limits: Limits) -> None:
    """Make the attempt wait (guessing gets slow). Never call it inside a transaction."""
    if limits.wait_seconds > 0:
        time.sleep(limits.wait_seconds)


def _insert(dialect: str):
    return pg_insert if dialect == "postgresql" else sqlite_insert


def record_failure(keys: list[str]) -> None:
    """Count one failed login for each key (flushes; the caller commits at once)."""
    config = current_app.config
    client = shared_state.redis_client()
    if client is not None:
        redis_keys = [name for k in keys for name in (_failures_key(k), _lock_key(k))]
        client.eval(_RECORD_FAILURE, len(redis_keys), *redis_keys,
                    max(1, config["LOGIN_WINDOW_SECONDS"]), *[_lock_after(k) for k in keys])
        return
    now = utcnow()
    window = timedelta(seconds=config["LOGIN_WINDOW_SECONDS"])
    insert = _insert(db.engine.dialect.name)
    # Create missing rows without a race (two first failures at once), then lock and count.
    db.session.execute(
        insert(LoginThrottle)
        .values([{"key": k, "failures": 0, "window_start": now} for k in keys])
        .on_conflict_do_nothing(index_elements=["key"])
    )
    rows = db.session.execute(
        db.select(LoginThrottle).where(LoginThrottle.key.in_(keys))
        .order_by(LoginThrottle.key).with_for_update()
        .execution_options(populate_existing=True)
    ).scalars()
    for row in rows:
        if as_utc(row.window_start) + window <= now:
            row.failures, row.window_start, row.locked_until = 0, now, None
        row.failures += 1
        limit = _lock_after(row.key)
        if limit and row.failures >= limit:
            row.locked_until = now + window
    db.session.flush()


def clear_after_success(keys: list[str]) -> None:
    """A successful login forgets the account's failures and this address's failures on it
    (not the address's failures on other accounts)."""
    cleared = [k for k in keys if not k.startswith("addr:")]
    client = shared_state.redis_client()
    if client is not None:
        client.delete(*[name for k in cleared for name in (_failures_key(k), _lock_key(k))])
        return
    db.session.execute(db.delete(LoginThrottle).where(LoginThrottle.key.in_(cleared)))


def _glob_escape(text: str) -> str:
    return "".join("\\" + c if c in "*?[]\\" else c for c in text)


def forget_account(email: str) -> None:
    """A new password (set from a reset link, say) ends every lock and count on the account,
    from every address: whoever holds the new password is its owner."""
    account_key, _, pair_key = keys_for(email, "")
    pair_prefix = pair_key[: pair_key.index("|") + 1]
    client = shared_state.redis_client()
    if client is not None:
        names = [_failures_key(account_key), _lock_key(account_key)]
        for pattern in (_failures_key(pair_prefix), _lock_key(pair_prefix)):
            names += client.scan_iter(match=_glob_escape(pattern) + "*")
        client.delete(*names)
        return
    db.session.execute(db.delete(LoginThrottle).where(
        (LoginThrottle.key == account_key)
        | LoginThrottle.key.startswith(pair_prefix, autoescape=True)
    ))
