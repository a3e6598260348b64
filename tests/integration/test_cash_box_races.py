"""Two colleagues confirm the same box count at the same moment: one attests it, the other
is answered 409, and the money is counted once.

Two logged-in clients, each in its own thread with its own database connection, are
released together by a barrier. SQLite lets one writer in at a time, so only PostgreSQL
shows a race; on SQLite the test proves the same answers when the requests queue."""

import threading

import pytest

from lokalamal_app import clock
from lokalamal_app.cashboxes import services as boxes
from lokalamal_app.extensions import db
from lokalamal_app.ledger import check, soundness
from lokalamal_app.models import LedgerEntry
from tests import factories

ROUNDS = 6


@pytest.fixture
def world(app_ctx):
    admin = factories.make_user(display_name="Admin")
    company = factories.make_company(admin=admin, name="Kopparlunden AB")
    maja = factories.make_user(display_name="Maja")
    team = factories.make_team(company, captain=maja, name="Fikagänget")
    bo = factories.make_user(display_name="Bo")
    cia = factories.make_user(display_name="Cia")
    factories.join_team(team, bo)
    factories.join_team(team, cia)
    box = boxes.register_box(company, team, "1", "P-1", maja, admin)
    factories.commit()
    return type("World", (), dict(**locals()))


def test_two_colleagues_confirming_one_count_at_once_attest_it_once(world, login):
    clients = [login(world.bo), login(world.cia)]
    box_id = world.box.id
    for _ in range(ROUNDS):
        count = boxes.log_count(world.box, 420_00, clock.today(), True, "mission", "",
                                clock.today(), world.maja)
        factories.commit()
        count_id, entry_id = count.id, count.entry_id
        barrier = threading.Barrier(2)
        answers: list = [None, None]

        def run(side: int, count_id=count_id, barrier=barrier, answers=answers) -> None:
            barrier.wait()
            answers[side] = clients[side].post(
                f"/boxes/{box_id}/counts/{count_id}/confirm").status_code

        threads = [threading.Thread(target=run, args=(side,)) for side in (0, 1)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert sorted(answers) == [303, 409], answers
        db.session.rollback()  # read what the two requests committed
        entry = db.session.get(LedgerEntry, entry_id)
        assert entry.status == "attested"
        assert entry.count_confirmed_by_id in (world.bo.id, world.cia.id)
        assert soundness.problems() == []
        assert check.all_differences() == []
        db.session.rollback()
