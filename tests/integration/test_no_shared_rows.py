"""Logging a collection writes no row that every other log must wait for.

Two workplaces' teams log for two different goals at the same moment: the second log must
commit while the first is still open. Before, every log bumped one overall total and one
board-version row and held both until commit, so logs queued behind each other.

On SQLite writers take turns whatever the rows, so the test needs PostgreSQL.
"""

import threading

import pytest

from lokalamal_app.extensions import db
from lokalamal_app.ledger import check, totals
from tests import factories


@pytest.fixture
def world(app, app_ctx):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite lets one writer in at a time: there is no waiting to measure")
    one = factories.make_team(factories.make_company(name="Kopparlunden AB"),
                              captain=factories.make_user(), name="Fikagänget", goal_number=1)
    other = factories.make_team(factories.make_company(name="Mälarhamnen AB"),
                                captain=factories.make_user(), name="Hamnlaget", goal_number=2)
    factories.commit()
    return type("World", (), {"one_id": one.id, "other_id": other.id})


def _log(team_id: int, amount_ore: int):
    from lokalamal_app.models import Team

    factories.make_collection(db.session.get(Team, team_id), amount_ore)
    db.session.flush()


def test_a_log_commits_while_another_workplaces_log_is_still_open(app, world):
    first_logged, second_done = threading.Event(), threading.Event()
    errors: list[BaseException] = []
    version_before = totals.board_version()

    def first() -> None:
        with app.app_context():
            try:
                _log(world.one_id, 100_00)
                first_logged.set()
                # Keep the transaction (and every lock it took) open until the other
                # workplace's log has committed, or has given up waiting.
                second_done.wait(timeout=20)
                db.session.commit()
            except BaseException as error:  # reported below, in the test's thread
                errors.append(error)
                first_logged.set()
            finally:
                db.session.remove()

    def second() -> None:
        with app.app_context():
            try:
                first_logged.wait(timeout=20)
                # A row lock held by the open log would make this wait: fail fast instead.
                db.session.execute(db.text("SET LOCAL lock_timeout = '3s'"))
                _log(world.other_id, 250_00)
                db.session.commit()
            except BaseException as error:
                errors.append(error)
            finally:
                second_done.set()
                db.session.remove()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    db.session.remove()
    assert totals.overall(["all"])["all"].reported_ore == 350_00
    assert totals.board_version() >= version_before + 2  # each commit moved the boards on
    assert check.all_differences() == []


def _version_seen_elsewhere(app) -> int:
    """The board version as another request (its own connection) reads it now."""
    seen: list[int] = []

    def read() -> None:
        with app.app_context():
            seen.append(totals.board_version())
            db.session.remove()

    thread = threading.Thread(target=read)
    thread.start()
    thread.join(timeout=30)
    return seen[0]


def test_the_board_version_moves_when_the_money_is_visible_and_never_on_rollback(app, world):
    before = totals.board_version()
    _log(world.one_id, 100_00)
    # Not yet committed: a poller must not take a new version for a board without it.
    assert _version_seen_elsewhere(app) == before
    db.session.rollback()
    assert _version_seen_elsewhere(app) == before

    _log(world.one_id, 100_00)
    db.session.commit()
    assert _version_seen_elsewhere(app) > before
