"""What waits for a commit waits for the transaction itself, not for a savepoint inside it
(`begin_nested`, which SQLAlchemy also reports as a commit): the live boards' version and
other actions after commit (mail: tests/integration/test_mail_outbox.py).
Before, a savepoint released in the middle of a transaction (a payroll month, a bank file's
booking) let the queued mail go while its rows were not committed yet, and moved the boards'
version on before the money was there to see."""

from lokalamal_app import shared_state
from lokalamal_app.extensions import db
from lokalamal_app.ledger import totals
from tests import factories


def test_the_boards_version_moves_when_the_money_is_committed(app, app_ctx, make_app):
    team = factories.make_team(factories.make_company(), captain=factories.make_user())
    factories.commit()
    other_worker = make_app()

    def version_elsewhere() -> int:
        with other_worker.app_context():
            try:
                return totals.board_version()
            finally:
                db.session.remove()

    before = version_elsewhere()
    factories.make_collection(team, 250_00)
    with db.session.begin_nested():
        factories.make_user(email="sam@example.se")
    assert version_elsewhere() == before  # nothing committed: readers keep the old boards
    db.session.commit()
    assert version_elsewhere() > before


def test_an_action_after_commit_runs_once_after_the_transaction(app_ctx):
    calls = []
    shared_state.after_commit(db.session(), "test", lambda: calls.append("ran"))
    with db.session.begin_nested():
        factories.make_user(email="sam@example.se")
    assert calls == []
    db.session.commit()
    assert calls == ["ran"]
