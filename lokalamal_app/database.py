"""Engine settings that make SQLite safe for several processes writing at once, and the
text that names the database a request talks to."""

import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

from flask import g, has_request_context, request
from sqlalchemy import Insert, Select, bindparam, event, exc, insert, inspect, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import instance_state
from sqlalchemy.orm.util import identity_key

READ_METHODS = {"GET", "HEAD", "OPTIONS"}
_DEFERRED = "sqlite_deferred_begin"
_LOCKED = "sqlite_write_lock_held"  # g: this request's transaction holds the write lock
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
        if _begins_with_write_lock():
            connection.exec_driver_sql("BEGIN IMMEDIATE")
            setattr(g, _LOCKED, True)
        else:
            connection.exec_driver_sql("BEGIN")

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def _on_end(_connection):
        if has_request_context():
            g.pop(_LOCKED, None)


def _begins_with_write_lock() -> bool:
    """Whether a transaction begun now takes SQLite's write lock at BEGIN (see above)."""
    return (has_request_context()
            and (request.method not in READ_METHODS or bool(g.get(_IMMEDIATE)))
            and not g.get(_DEFERRED))


def ping_idle_connections(engine: Engine, idle_seconds: float) -> None:
    """Check a pooled connection before use only when it has lain idle `idle_seconds` or
    more; one found dead is replaced before the request sees it.

    Instead of `pool_pre_ping`, which asks the server on every checkout: that round trip was
    a large part of a page that needs one query. A connection in steady use was just seen
    alive; one that lay idle (overnight, across a database restart) is the one to check.
    A restart in the middle of traffic costs the requests then in flight, after which
    SQLAlchemy replaces the whole pool.
    """
    if engine.dialect.name == "sqlite":
        return  # a local file: nothing to lose the connection to

    @event.listens_for(engine, "checkin")
    def _idle_from(_dbapi_connection, record):
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _alive(dbapi_connection, record, _proxy):
        since = record.info.get("idle_since")
        if since is None or time.monotonic() - since < idle_seconds:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            # The pool throws this connection away and checks out another.
            raise exc.DisconnectionError() from error


_SQL_TEXTS: "weakref.WeakKeyDictionary[Engine, dict]" = weakref.WeakKeyDictionary()


@cache
def columns_of(model) -> tuple[tuple, tuple[str, ...]]:
    """A model's table columns, for a plain SELECT of its rows, and the attribute each fills
    (see `as_loaded`)."""
    attributes = tuple(prop.key for prop in inspect(model).column_attrs)
    columns = tuple(getattr(model.__table__.c, inspect(model).get_property(key).columns[0].key)
                    for key in attributes)
    return columns, attributes


@cache
def _row_by_id(model) -> tuple[Select, tuple[str, ...]]:
    """One plain SELECT of a model's columns by its id, built once, and the attribute each
    column fills."""
    columns, attributes = columns_of(model)
    return select(*columns).where(model.__table__.c.id == bindparam("ident")), attributes


def as_loaded(model, attributes: tuple[str, ...], row):
    """The object of `model` a plain SELECT of `columns_of(model)` found, in the session as
    if the ORM had loaded it; the one the session already holds for that row, if it does."""
    from .extensions import db

    values = dict(zip(attributes, row, strict=True))
    session = db.session()  # the request's Session itself, not the proxy in front of it
    held = session.identity_map.get(identity_key(model, values["id"]))
    if held is not None:
        return held
    found = model(**values)
    make_transient_to_detached(found)  # as if loaded: nothing to write back
    session.add(found)
    return found


def in_autocommit(statement, params: dict | None = None):
    """The statement's first row, run on its own in autocommit, apart from the session's
    transaction (see `_read_in_autocommit`)."""
    from .extensions import db

    return _read_in_autocommit(db.engine, statement, params or {})


def _plain(bind: Engine, statement) -> tuple[str, tuple[str, ...] | None, tuple]:
    """The statement as the driver takes it, compiled once per database: its text, the
    order of its parameters where the driver wants them by position (SQLite), and for each
    column SQLAlchemy's conversion of what the driver gives (SQLite keeps times as text)."""
    texts = _SQL_TEXTS.setdefault(bind, {})
    plain = texts.get(statement)
    if plain is None:
        dialect = bind.dialect
        compiled = statement.compile(dialect=dialect)
        names = tuple(compiled.positiontup) if compiled.positional else None
        processors = tuple(column.type.dialect_impl(dialect).result_processor(dialect, None)
                           for column in getattr(statement, "selected_columns", ()))
        plain = texts[statement] = (str(compiled), names, processors)
    return plain


def _read_in_autocommit(bind: Engine, statement, params: dict):
    """The statement's first row, read in autocommit on a pooled connection's driver
    directly: outside any transaction, so on SQLite outside the write lock too (its
    connections are in autocommit outside the BEGIN this module sends).

    SQLAlchemy's Connection around a single read (the isolation level set and reset, the
    execution context, the result) cost more than the round trip itself. The pool still
    hands the connection out (pinging one that lay idle) and takes it back; an error is
    raised as SQLAlchemy's own (OperationalError for a lost server: the 503 page), and the
    connection is thrown away rather than returned in autocommit. SQLAlchemy's statement
    events do not see this read.
    """
    sql, names, processors = _plain(bind, statement)
    args = tuple(params[name] for name in names) if names is not None else params
    postgresql = bind.dialect.name == "postgresql"
    pooled, done = None, False
    try:
        pooled = bind.raw_connection()
        driver = pooled.driver_connection
        if postgresql:
            driver.autocommit = True
        row = driver.execute(sql, args).fetchone()
        if postgresql:
            driver.autocommit = False
        done = True
    except bind.dialect.loaded_dbapi.Error as error:
        lost = pooled is None or bind.dialect.is_disconnect(error, pooled.driver_connection,
                                                            None)
        if lost:
            bind.dispose()  # the others went with the server: a new pool, as SQLAlchemy does
        raise exc.DBAPIError.instance(sql, params, error, bind.dialect.loaded_dbapi.Error,
                                      connection_invalidated=lost,
                                      dialect=bind.dialect) from error
    finally:
        if pooled is not None:
            if not done:  # whatever stopped it: never back to the pool in autocommit
                pooled.invalidate()
            pooled.close()
    if row is None or not any(processors):
        return row
    return tuple(value if convert is None else convert(value)
                 for convert, value in zip(processors, row, strict=True))


def read_before_write_lock(statement, params: dict):
    """The first row of a read that a writing request makes before it writes anything.

    On SQLite such a request's transaction takes the one write lock at BEGIN and holds it to
    the end, so a read that begins it is time every other worker's writes wait for: until
    the request has begun its transaction, the read is made outside any, on a pooled
    connection's driver. Under READ COMMITTED PostgreSQL sees the same either way; there,
    and once the transaction has begun, it is read in the session's transaction.
    """
    from .extensions import db

    session = db.session
    bind = session.get_bind()
    if bind.dialect.name == "sqlite" and _begins_with_write_lock() and not g.get(_LOCKED):
        return _read_in_autocommit(bind, statement, params)
    return session.connection().execute(statement, params).first()


def get_before_transaction(model, ident):
    """`db.session.get(model, ident)` for what every request reads first (who is logged
    in), at the cost of one plain statement: on PostgreSQL read in autocommit, apart from the
    request's transaction; on SQLite so too for a writing request, before its transaction
    takes the write lock. The object is then handed to the request's session as loaded.

    Inside the session's transaction that read cost BEGIN and, at the end of a request that
    reads nothing else (a cached page), ROLLBACK: two of its three round trips. Under READ
    COMMITTED every statement sees what was committed when it started anyway, so reading it
    first and apart sees the same. The ORM's own `get` built its query anew each time: on a
    cached page that was most of a logged-in person's extra cost.
    """
    from .extensions import db

    session = db.session
    if identity_key(model, ident) in session.identity_map or session().in_transaction():
        return session.get(model, ident)
    statement, attributes = _row_by_id(model)
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        row = _read_in_autocommit(bind, statement, {"ident": ident})
    else:  # a writing request before the write lock; a page view in its transaction
        row = read_before_write_lock(statement, {"ident": ident})
    if row is None:
        return None
    return as_loaded(model, attributes, row)


@cache
def _insert_of(model) -> tuple[Insert, tuple[tuple[str, str, object], ...]]:
    """One INSERT of a model's columns but its id, returning the id, built once; for each
    column its attribute, its name and its default."""
    table = model.__table__
    fields = tuple(
        (prop.key, prop.columns[0].key, prop.columns[0].default)
        for prop in inspect(model).column_attrs if prop.columns[0] is not table.c.id
    )
    for key, _name, default in fields:
        if default is not None and not (default.is_scalar or default.is_callable):
            raise TypeError(f"{model.__name__}.{key}: only Python defaults are filled in")
    return insert(table).returning(table.c.id), fields


def insert_as_loaded(model, **values):
    """`session.add(model(**values))` and a flush, at the cost of one plain INSERT: the new
    object is handed to the session as loaded, every column filled (its default where
    `values` leave it out). The mapper's before_insert and after_insert events fire as in a
    flush.

    For rows written on every logged collection: the unit of work around a single INSERT
    (sorting, dependency processing, the returned row fetched back into the object) cost
    several times the statement. Whatever else is pending in the session is flushed first,
    as the ORM would before a statement.
    """
    from .extensions import db

    session = db.session
    session.flush()
    statement, fields = _insert_of(model)
    instance = model(**values)
    state = instance_state(instance)
    mapper = state.mapper
    connection = session.connection()
    mapper.dispatch.before_insert(mapper, connection, state)
    params = {}
    for key, name, default in fields:
        if key not in state.dict:
            value = None
            if default is not None:
                value = default.arg(None) if default.is_callable else default.arg
            setattr(instance, key, value)
        params[name] = state.dict[key]
    instance.id = connection.execute(statement, params).scalar_one()
    make_transient_to_detached(instance)  # as if flushed and loaded: nothing to write back
    session.add(instance)
    mapper.dispatch.after_insert(mapper, connection, state)
    return instance
