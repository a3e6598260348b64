"""Who is logged in is read first, on PostgreSQL outside the request's transaction: what a
person sees and may do is the same as when it was read inside it."""

import pytest

from lokalamal_app import clock
from lokalamal_app.database import get_before_transaction
from lokalamal_app.extensions import db
from lokalamal_app.models import User
from lokalamal_app.models.base import utcnow
from tests import factories, statements


@pytest.fixture
def person(app, app_ctx):
    user = factories.make_user(email="erik@example.se", display_name="Erik Ek")
    factories.commit()
    return user.id


def _as_a_server(app, client, path: str):
    """The request in an app context of its own, with an empty session, as a server worker
    has it (the tests' shared context would already hold the person)."""
    with app.app_context():
        try:
            return client.get(path)
        finally:
            db.session.remove()


def _first_words(seen: list) -> list:
    """(each statement's first word, whether its connection was in autocommit, which sends
    no BEGIN and needs no ROLLBACK)."""
    return [(statement.split()[0].upper(), autocommit) for statement, autocommit in seen]


def test_the_person_is_read_without_a_transaction_on_postgresql(app, person):
    with app.app_context(), app.test_request_context("/"):
        with statements.sent(db.engine) as seen:
            user = get_before_transaction(User, person)
        assert user.display_name == "Erik Ek"
        assert user in db.session  # the request's session holds it, for what comes later
        user.display_name = "Erik Eksson"  # and changes to it are the request's as usual
        db.session.commit()
        db.session.remove()
    if db.engine.dialect.name == "postgresql":
        assert _first_words(seen) == [("SELECT", True)]
    else:  # SQLite: in the request's transaction, begun as every request's is
        assert _first_words(seen) == [("BEGIN", False), ("SELECT", False)]
    with app.app_context():
        assert db.session.get(User, person).display_name == "Erik Eksson"
        db.session.remove()


def test_a_writing_request_reads_the_person_before_it_takes_the_write_lock(app, person):
    """On SQLite a request that may write begins with BEGIN IMMEDIATE, and holds the one
    write lock until it ends: who is logged in is read before, outside any transaction."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL reads it in autocommit (the test above)")
    with app.app_context(), app.test_request_context("/", method="POST"):
        with statements.sent(db.engine) as seen:
            user = get_before_transaction(User, person)
            db.session.execute(db.text("SELECT 1"))  # the request's own work begins here
        assert user in db.session and user.display_name == "Erik Ek"
        db.session.remove()
    assert [statement.split()[0] if statement.startswith("SELECT") else statement
            for statement, _autocommit in seen] == ["SELECT", "BEGIN IMMEDIATE", "SELECT"]


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_the_person_read_first_is_the_one_the_orm_would_load(app, person, method):
    """Every column as the ORM's own `get` has it (types too: times with their zone, and
    on SQLite, where a writing request reads on the driver, times and flags converted from
    what SQLite keeps), and nothing to write back at the next commit."""
    with app.app_context():
        db.session.get(User, person).last_login_at = utcnow()
        db.session.commit()
        db.session.remove()
    with app.app_context(), app.test_request_context("/", method=method):
        mine = get_before_transaction(User, person)
        assert not db.session.dirty and not db.session.new
        ours = {attr.key: getattr(mine, attr.key) for attr in db.inspect(User).column_attrs}
        db.session.remove()
    with app.app_context():
        theirs = db.session.get(User, person)
        assert ours == {attr.key: getattr(theirs, attr.key)
                        for attr in db.inspect(User).column_attrs}
        if db.engine.dialect.name == "postgresql":  # SQLite keeps no zone, for either
            assert ours["last_login_at"].utcoffset() is not None
        db.session.remove()


def test_a_read_stopped_halfway_never_leaves_a_connection_in_autocommit(
        app, person, monkeypatch):
    """Whatever stops the read (here an error from outside the driver), the connection it
    used never goes back to the pool in autocommit, where a request's transaction would
    quietly commit statement by statement."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("only PostgreSQL reads it on the driver in autocommit")
    import psycopg

    def stopped(*_args, **_kwargs):
        raise RuntimeError("stopped halfway")

    with app.app_context(), app.test_request_context("/"):
        monkeypatch.setattr(psycopg.Connection, "execute", stopped)
        with pytest.raises(RuntimeError):
            get_before_transaction(User, person)
        monkeypatch.undo()
        db.session.remove()
        size = db.engine.pool.size() + 1
        connections = [db.engine.connect() for _ in range(size)]  # every pooled one, and more
        try:
            assert not any(c.connection.driver_connection.autocommit for c in connections)
        finally:
            for c in connections:
                c.close()


def test_an_unknown_id_is_nobody(app, app_ctx):
    with app.test_request_context("/"):
        assert get_before_transaction(User, 987654) is None
        db.session.remove()


def test_a_cached_page_for_a_logged_in_person_begins_no_transaction(app, person, login):
    """On PostgreSQL the page cache answers a logged-in person with one read, in
    autocommit: no BEGIN and ROLLBACK around it."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite reads in the request's transaction: it is a local file")
    app.config.update(PAGE_CACHE_SECONDS=60, LEADERBOARD_VERSION_TTL=60)
    client = login(db.session.get(User, person))
    assert _as_a_server(app, client, "/").status_code == 200  # rendered and kept
    with statements.sent(db.engine) as seen:
        response = _as_a_server(app, client, "/")
    assert response.status_code == 200
    assert "Logga ut" in response.get_data(as_text=True)
    assert _first_words(seen) == [("SELECT", True)]


def test_a_disabled_person_is_logged_out_on_the_next_page(app, person, login):
    client = login(db.session.get(User, person))
    assert _as_a_server(app, client, "/account/password").status_code == 200
    with app.app_context():
        db.session.get(User, person).disabled = True
        db.session.commit()
        db.session.remove()
    assert _as_a_server(app, client, "/account/password").status_code == 302


def test_logging_out_everywhere_ends_the_other_sessions(app, person, login):
    user = db.session.get(User, person)
    mine, other = login(user), login(user)
    assert _as_a_server(app, other, "/account/password").status_code == 200
    with app.app_context():
        db.session.get(User, person).session_token = "a-new-token"
        db.session.commit()
        db.session.remove()
    assert _as_a_server(app, mine, "/account/password").status_code == 302
    assert _as_a_server(app, other, "/account/password").status_code == 302


def test_a_log_on_sqlite_reads_the_person_and_the_team_before_it_takes_the_write_lock(
        app, login):
    """The write lock is held from BEGIN IMMEDIATE to COMMIT, and every other worker's log
    waits for it: who is logging and for which team are read before, outside any
    transaction, and the lock is taken by the log's first write."""
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("PostgreSQL has no single write lock")
        member = factories.make_user(email="tove@example.se")
        team = factories.make_team(factories.make_company(), captain=member)
        factories.commit()
        client, team_id = login(member), team.id
        db.session.remove()
    body = {"amount": "120", "collected_on": clock.today().isoformat(), "method": "swish",
            "note": "", "idempotency_key": "a" * 32}
    with app.app_context():
        with statements.sent(db.engine) as seen:
            response = client.post(f"/teams/{team_id}/collections", data=body)
        db.session.remove()
    assert response.status_code == 303
    words = [" ".join(statement.split()[:3]).upper() for statement, _ in seen]
    begin = words.index("BEGIN IMMEDIATE")
    assert [w.split()[0] for w in words[:begin]] == ["SELECT", "SELECT"]  # person, team
    assert words[begin + 1].startswith("INSERT INTO LEDGER_ENTRY")
    assert words[-1] == "COMMIT"
