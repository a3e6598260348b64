"""Fixtures: one migrated database per run (SQLite file, or PostgreSQL from
TEST_DATABASE_URL/DATABASE_URL), emptied after every test."""

import contextlib
import os
import re
import tempfile
import time
from datetime import datetime

import pytest
from flask import current_app, g, has_app_context
from flask_migrate import upgrade
from redis.exceptions import ConnectionError as RedisConnectionError
from sqlalchemy import event, text

from config import TestingConfig
from lokalamal_app import clock, create_app, shared_state
from lokalamal_app.extensions import db

from . import factories

_TMP = tempfile.mkdtemp(prefix="lokalamal-test-")


def _database_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if url:
        from config import _database_url

        return _database_url(url)
    # A file, not :memory:, so that live-server threads and other processes share it.
    return f"sqlite:///{os.path.join(_TMP, 'test.sqlite')}"


class _Config(TestingConfig):
    SQLALCHEMY_DATABASE_URI = _database_url()


def build_app(**overrides):
    """A fresh app on the test database (for tests that need their own settings).

    Prefer the `make_app` fixture, which also closes the app's connections afterwards.
    """
    config = type("Config", (_Config,), overrides)
    return _end_requests_cleanly(create_app(config))


def _end_requests_cleanly(app):
    """Tests share one app context with the requests they make, so what a server ends with
    the app context must end here: the request's transaction (no lock outlives it) and `g`
    (Flask-Login caches the logged-in user there)."""

    @app.teardown_request
    def _end_request(_exc):
        db.session.rollback()
        for name in list(vars(g)):
            g.pop(name)

    return app


def dispose(app) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    client = shared_state.redis_client(app)
    if client is not None:
        client.close()


def forget_shared_state(app) -> None:
    """Remove what the app wrote to Redis (only keys under its test prefix)."""
    client = shared_state.redis_client(app)
    if client is None:
        return
    try:
        keys = list(client.scan_iter(match=shared_state.key("*", app)))
    except RedisConnectionError:  # a test's deliberately unreachable Redis
        return
    if keys:
        client.delete(*keys)


def require_test_redis() -> str:
    """TEST_REDIS_URL, else skip the test (fail under REQUIRE_BROWSER=1, as in CI)."""
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        message = "TEST_REDIS_URL is not set: no Redis server to test the Redis backend on"
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return url


@pytest.fixture
def make_app():
    """make_app(**config) -> another app (another worker) on the same database."""
    made = []

    def _make(**overrides):
        made.append(build_app(**overrides))
        return made[-1]

    yield _make
    for other in made:
        forget_shared_state(other)
        dispose(other)


@pytest.fixture
def redis_app(make_app):
    """Another app on the same database whose shared state (login throttling, board
    version) lives in the test Redis (TEST_REDIS_URL)."""
    other = make_app(REDIS_URL=require_test_redis())
    forget_shared_state(other)
    return other


@pytest.fixture(params=["default", "redis"])
def shared_app(request, app):
    """The app (shared state in the database, unless TEST_SHARED_STATE=redis), then an app
    with shared state in Redis."""
    if request.param == "default":
        return app
    return request.getfixturevalue("redis_app")


def _reset_schema(app) -> None:
    """Start every run from an empty database and build it with the migrations alone."""
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade()


_SEEDED: dict[str, list[dict]] = {}
_KEEP = {"alembic_version"}


def _snapshot_seed(app) -> None:
    with app.app_context(), db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            if table.name not in _KEEP and (rows := _rows(conn, table)):
                _SEEDED[table.name] = rows


def _empty_database(app) -> None:
    """Remove what the test wrote and put back the rows the migrations seeded.

    Only the tables that have rows are emptied (one query finds them), and the seeded ones
    only when they differ from the seed: most tests touch a few tables, and truncating all
    of them was most of a short test's time on PostgreSQL."""
    with app.app_context():
        db.session.remove()
        tables = [t for t in reversed(db.metadata.sorted_tables) if t.name not in _KEEP]
        with db.engine.begin() as conn:
            postgresql = conn.dialect.name == "postgresql"
            used = _tables_with_rows(conn, tables)
            dirty = [t for t in tables if t.name in used and t.name not in _SEEDED]
            for table in dirty:  # a few small tables: quicker than TRUNCATE on PostgreSQL
                conn.execute(table.delete())
            for table in tables:  # the seeded ones, each once everything after it is empty
                if table.name in _SEEDED and _rows(conn, table) != _SEEDED[table.name]:
                    conn.execute(table.delete())
                    conn.execute(table.insert(), _SEEDED[table.name])
                    if postgresql and "id" in table.c and table.c.id.autoincrement is not False:
                        # The seeded rows keep their ids: new rows are numbered after them.
                        conn.execute(text(
                            f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                            f"(SELECT max(id) FROM \"{table.name}\"))"
                        ))
            if postgresql:
                # Every test numbers its rows from 1 (also in a table whose insert rolled back).
                conn.execute(text("SELECT " + ", ".join(
                    f"setval('{sequence}', 1, false)"
                    for table, sequence in _sequences(conn).items() if table not in _SEEDED)))
            elif _has_sqlite_sequence(conn):
                conn.execute(text("DELETE FROM sqlite_sequence"))


def _rows(conn, table) -> list[dict]:
    order = list(table.primary_key.columns) or list(table.c)
    return [dict(r) for r in conn.execute(table.select().order_by(*order)).mappings()]


def _tables_with_rows(conn, tables) -> set[str]:
    """The names of the tables that have at least one row, in one query."""
    found = conn.execute(text(" UNION ALL ".join(
        f"SELECT '{t.name}' WHERE EXISTS (SELECT 1 FROM \"{t.name}\")" for t in tables)))
    return set(found.scalars())


_SEQUENCES: dict[str, str] = {}


def _sequences(conn) -> dict[str, str]:
    """PostgreSQL: each table's own id sequence, by table name (looked up once)."""
    if not _SEQUENCES:
        rows = conn.execute(text(
            "SELECT t.relname, s.relname FROM pg_depend d "
            "JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S' "
            "JOIN pg_class t ON t.oid = d.refobjid "
            "JOIN pg_namespace n ON n.oid = t.relnamespace AND n.nspname = current_schema() "
            "WHERE d.deptype IN ('a', 'i')"))
        _SEQUENCES.update({table: sequence for table, sequence in rows})
    return _SEQUENCES


def _has_sqlite_sequence(conn) -> bool:
    return bool(
        conn.execute(
            text("SELECT name FROM sqlite_master WHERE name = 'sqlite_sequence'")
        ).first()
    )


def _read_campaigns(app) -> None:
    """Forget the campaigns a test added and read the seeded list again now, as a running
    server has it, so that counted statements do not include its reading."""
    from lokalamal_app import campaigns

    campaigns.forget()
    with app.app_context():
        campaigns.all_campaigns()
        db.session.remove()


@pytest.fixture(scope="session")
def app():
    app = _end_requests_cleanly(create_app(_Config))
    _reset_schema(app)
    _snapshot_seed(app)
    _read_campaigns(app)
    yield app
    dispose(app)


def _ledger_differences(app) -> list[str]:
    """What `ledger-check` would report about the database the test leaves behind."""
    from lokalamal_app.ledger import check

    with app.app_context():
        try:
            return check.all_differences()
        finally:
            db.session.remove()


@pytest.fixture(autouse=True)
def _clean_database(app, request):
    yield
    # Whatever a test did through the app, the stored figures still equal the ledger; only
    # tests that tamper with a figure on purpose (marked `ledger_tampered`) are excused.
    found = []
    if request.node.get_closest_marker("ledger_tampered") is None:
        found = _ledger_differences(app)
    _empty_database(app)
    forget_shared_state(app)
    # Emptying the database sends the board version back to its seed: forget cached boards
    # and pages.
    from lokalamal_app import page_cache
    from lokalamal_app.leaderboards.queries import board_cache

    board_cache.clear()
    page_cache.pages.clear()
    _read_campaigns(app)
    assert not found, f"ledger-check after {request.node.nodeid}: {found[:5]}"


@pytest.fixture
def freeze_clock():
    """freeze_clock(moment) stops the app's clock (lokalamal_app.clock) at an aware moment
    until the test ends; call it again to move it. Tests move this clock, never `date`."""
    with contextlib.ExitStack() as stack:

        def _freeze(moment: datetime) -> datetime:
            return stack.enter_context(clock.frozen(moment))

        yield _freeze


@pytest.fixture
def far_server_zone(monkeypatch):
    """Run the test in a process whose own time zone is far from Stockholm's (UTC-8/-7):
    what the app shows must not depend on the server's zone."""
    monkeypatch.setenv("TZ", "America/Los_Angeles")
    time.tzset()
    yield "America/Los_Angeles"
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def app_ctx(app):
    with app.app_context():
        yield
        db.session.remove()


@pytest.fixture
def shared_ctx(shared_app):
    """app_ctx for `shared_app`: the test's own writes bump that app's board version."""
    with shared_app.app_context():
        yield
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class Auth:
    """Log a test client in and out through the real forms."""

    def __init__(self, client):
        self.client = client

    def login(self, email: str, password: str = factories.PASSWORD):
        return self.client.post("/login", data={"email": email, "password": password})

    def logout(self):
        return self.client.post("/logout")


@pytest.fixture
def auth(client):
    return Auth(client)


@pytest.fixture
def login(app):
    """login(user) -> a test client logged in as that user (its own cookie jar)."""

    def _login(user, password: str = factories.PASSWORD):
        c = app.test_client()
        response = c.post("/login", data={"email": user.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return c

    return _login


@pytest.fixture
def count_queries(app):
    """with count_queries() as counter: ...; counter.count is the number of SQL statements
    on the current app's database."""
    from contextlib import contextmanager

    @contextmanager
    def _count():
        class Counter:
            count = 0
            statements: list[str] = []

        counter = Counter()
        counter.statements = []

        def _before(conn, cursor, statement, *args):
            if not re.match(r"\s*(BEGIN|SAVEPOINT|RELEASE|COMMIT|ROLLBACK)", statement, re.I):
                counter.count += 1
                counter.statements.append(statement)

        # The app whose context the test runs in (the `app`, or `shared_app` under shared_ctx).
        current = current_app._get_current_object() if has_app_context() else app
        with current.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", _before)
        try:
            yield counter
        finally:
            event.remove(engine, "before_cursor_execute", _before)

    return _count


@pytest.fixture
def scratch_app(app, make_app):
    """An app on an empty database of its own (a schema of its own on PostgreSQL), for
    tests that move migrations up and down."""
    with app.app_context():
        dialect = db.engine.dialect.name
        url = db.engine.url.render_as_string(hide_password=False)
    if dialect == "sqlite":
        path = os.path.join(tempfile.mkdtemp(prefix="lokalamal-migration-"), "db.sqlite")
        yield make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}")
        return
    schema = "migration_check"
    with app.app_context(), db.engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    yield make_app(SQLALCHEMY_DATABASE_URI=url, SQLALCHEMY_ENGINE_OPTIONS={
        "connect_args": {"options": f"-csearch_path={schema}"}})
    with app.app_context(), db.engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
