"""Engine settings that make SQLite safe for several processes writing at once, and the
text that names the database a request talks to."""

import weakref
from collections.abc import Iterator
from contextlib import contextmanager

from flask import g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

READ_METHODS = {"GET", "HEAD", "OPTIONS"}
_DEFERRED = "sqlite_deferred_begin"
_BIND_KEYS: "weakref.WeakKeyDictionary[Engine, str]" = weakref.WeakKeyDictionary()


def bind_key() -> str:
    """The database the session talks to, as text: the key of what a process keeps of it
    (tests run several apps, each with its own database, in one process). Rendered once per
    engine, since every cached page and poll asks for it."""
    from .extensions import db

    bind = db.session.get_bind()
    key = _BIND_KEYS.get(bind)
    if key is None:
        key = _BIND_KEYS[bind] = bind.url.render_as_string()
    return key


@contextmanager
def reads_without_write_lock(session: Session) -> Iterator[None]:
    """Run the block's queries in a transaction that takes no write lock on SQLite, even in
    a POST, and end it afterwards: for the reads before something slow (a password hash, a
    deliberate wait), so that the slow part never holds SQLite's single write lock.
    Whatever the block loads is expired when it ends: keep plain values, not objects.
    """
    session.commit()  # a transaction begun earlier in the request would hold the lock
    g.setdefault(_DEFERRED, True)
    try:
        yield
    finally:
        g.pop(_DEFERRED, None)
        session.rollback()  # nothing was written: just end the read transaction


@contextmanager
def writes_in_a_read(session: Session) -> Iterator[None]:
    """Run the block in a transaction that takes SQLite's write lock at BEGIN, even in a
    GET: for a page view that stores something once (a round's honours), so it waits its
    turn instead of failing to upgrade a read lock. The caller commits inside the block."""
    session.commit()  # end the read transaction the request began
    g.setdefault(_IMMEDIATE, True)
    try:
        yield
    finally:
        g.pop(_IMMEDIATE, None)


_IMMEDIATE = "sqlite_immediate_begin"


def configure_sqlite(engine: Engine) -> None:
    """WAL, a busy timeout, and BEGIN IMMEDIATE for writing requests.

    pysqlite's own BEGIN handling is turned off so that we decide when a transaction
    starts. Requests that may write (POST and the like) take the write lock at BEGIN, so
    two workers never both read and then fight over upgrading to a write lock, which
    SQLite answers with SQLITE_BUSY at once instead of waiting. Page views and work
    outside requests (commands run one at a time) stay deferred and read concurrently.
    """
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        immediate = (has_request_context()
                     and (request.method not in READ_METHODS or g.get(_IMMEDIATE))
                     and not g.get(_DEFERRED))
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
