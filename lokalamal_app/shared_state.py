"""Where state shared between app servers lives: the database, or Redis when REDIS_URL is set.

Chosen once per app in `init_app`. Shared state here means login throttling counts and the
live-board version; ended sessions stay in the database (see the README, "Several servers").
"""

import logging

from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

_EXTENSION = "lokalamal_shared_state"
_PENDING_BUMP = "lokalamal_board_bump"
_PENDING_ACTIONS = "lokalamal_after_commit"


def init_app(app: Flask) -> None:
    url = app.config.get("REDIS_URL")
    client = None
    if url:
        import redis

        client = redis.Redis.from_url(url)
    app.extensions[_EXTENSION] = client


def redis_client(app: Flask | None = None):
    """The app's Redis client, or None when shared state lives in the database."""
    return (app or current_app).extensions.get(_EXTENSION)


def key(name: str, app: Flask | None = None) -> str:
    """A Redis key under the app's prefix, so that several sites can share one Redis."""
    return (app or current_app).config.get("REDIS_KEY_PREFIX", "lokalamal:") + name


# Add ARGV[1] to the counter KEYS[1] (0 to read it) and answer its value. A missing counter
# starts at Redis's clock in microseconds, so that a counter lost with an emptied or
# restarted Redis starts above every value it gave out before and no version number ever
# comes back (servers cache boards by version). TIME's parts are joined as text: Lua's
# numbers would print in exponent notation.
_COUNTER = """
if redis.call('EXISTS', KEYS[1]) == 0 then
  local t = redis.call('TIME')
  redis.call('SET', KEYS[1], t[1] .. string.rep('0', 6 - #t[2]) .. t[2])
end
return redis.call('INCRBY', KEYS[1], ARGV[1])
"""


def add_to_counter(client, name: str, amount: int = 0) -> int:
    """Add `amount` to the counter (atomically, starting it when missing); its new value."""
    return int(client.eval(_COUNTER, 1, name, amount))


def read_counter(client, name: str) -> int:
    return add_to_counter(client, name, 0)


def incr_after_commit(session: Session, client, name: str) -> None:
    """INCR the counter `name` in Redis once the session's current transaction commits, never
    if it rolls back. Each call counts (INCRBY the number of calls), as the database row does."""
    pending = session.info.setdefault(_PENDING_BUMP, {})
    pending[(client, name)] = pending.get((client, name), 0) + 1


def after_commit(session: Session, name: str, action) -> None:
    """Call `action()` once the session's current transaction commits (once per `name`,
    however often it is asked for), never if it rolls back."""
    session.info.setdefault(_PENDING_ACTIONS, {})[name] = action


@event.listens_for(Session, "after_commit")
def _bump_after_commit(session: Session) -> None:
    # SQLAlchemy also calls this when a savepoint is released (begin_nested): the bumps
    # wait for the transaction itself, or readers would cache the old figures as new.
    if session.in_nested_transaction():
        return
    for (client, name), count in session.info.pop(_PENDING_BUMP, {}).items():
        try:
            add_to_counter(client, name, count)
        except Exception:  # the change is committed: a lost bump only delays live boards
            log.exception("Could not bump %s in Redis", name)
    for name, action in session.info.pop(_PENDING_ACTIONS, {}).items():
        try:
            action()
        except Exception:  # the change is committed: a lost bump only delays live boards
            log.exception("Could not run %s after commit", name)


@event.listens_for(Session, "after_transaction_end")
def _forget_when_not_committed(session: Session, transaction) -> None:
    """The outermost transaction ended without commit (rollback, close): no bump."""
    if transaction.parent is None:
        session.info.pop(_PENDING_BUMP, None)
        session.info.pop(_PENDING_ACTIONS, None)
