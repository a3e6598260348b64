"""Two visitors open the honours page at the same moment a round has ended: its honours
are stored once, never twice, and both pages show them.

Two clients, each in its own thread with its own database connection, are released
together by a barrier. SQLite lets one writer in at a time, so only PostgreSQL shows a
race; on SQLite the test proves the same result when the requests queue."""

import threading
from datetime import date, datetime, time, timedelta

from lokalamal_app import clock
from lokalamal_app.extensions import db
from lokalamal_app.models import Round, RoundHonour, RoundResult
from lokalamal_app.rounds import services
from tests import factories

ROUNDS = 8


def test_two_requests_at_once_store_a_rounds_honours_once(app_ctx, freeze_clock, app):
    freeze_clock(datetime.combine(date(2026, 11, 15), time(12, tzinfo=clock.zone())))
    team = factories.make_team(factories.make_company(name="Kopparlunden AB"), name="Fikagänget")
    factories.commit()
    clients = [app.test_client(), app.test_client()]
    for n in range(ROUNDS):
        day = date(2026, 9, 1) + timedelta(days=n)
        found = services.add_round(1, f"Dag {n + 1}", day, day, None)
        factories.make_collection(team, 100_00 + n, collected_on=day)
        factories.commit()
        barrier = threading.Barrier(2)
        answers: list = [None, None]

        def run(side: int, barrier=barrier, answers=answers) -> None:
            barrier.wait()
            answers[side] = clients[side].get("/leaderboards/honours")

        threads = [threading.Thread(target=run, args=(side,)) for side in (0, 1)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert [a.status_code for a in answers] == [200, 200]
        db.session.rollback()  # read what the two requests committed
        results = db.session.execute(
            db.select(RoundResult).where(RoundResult.round_id == found.id)).scalars().all()
        assert len(results) == 1
        honours = db.session.execute(db.select(RoundHonour).where(
            RoundHonour.result_id == results[0].id)).scalars().all()
        assert sorted((h.kind, h.place, h.amount_ore) for h in honours) == [
            ("company", 1, 100_00 + n), ("team", 1, 100_00 + n)]
        for answer in answers:
            # Whoever stored them, both pages show them (the loser's after the winner's commit
            # on PostgreSQL, as its insert waited for it).
            assert f"Dag {n + 1}" in answer.get_data(as_text=True)
        db.session.rollback()
    assert db.session.execute(db.select(db.func.count(Round.id))).scalar_one() == ROUNDS
