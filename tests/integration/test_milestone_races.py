"""Two collections logged at the same moment that both pass a milestone: it is recorded
once and the team told once. And two that pass it only together: it is recorded too.

Each round two threads, each with its own app context and database connection, are
released together by a barrier. SQLite lets one writer in at a time, so only PostgreSQL
shows a race; the test runs on both.
"""

import threading
import uuid

import pytest

from lokalamal_app import clock
from lokalamal_app.extensions import db
from lokalamal_app.milestones import services as milestones
from lokalamal_app.models import Milestone, Notification, WebhookDelivery, WebhookEndpoint
from tests import factories

ROUNDS = 5


def _round(login, amount_each: int) -> tuple[Milestone, tuple[int, int]]:
    admin = factories.make_user()
    company = factories.make_company(admin=admin)
    captain = factories.make_user()
    team = factories.make_team(company, captain=captain)
    member = factories.make_user()
    factories.join_team(team, member)
    db.session.add(WebhookEndpoint(company_id=company.id, kind="slack",
                                   url="https://hooks.slack.com/services/T/B/X"))
    factories.make_collection(team, amount_ore=900_00, logged_by=captain)
    milestone = milestones.add_milestone(company.id, team.id, 1_000_00, "Tårta", captain)
    factories.commit()
    milestone_id, people = milestone.id, (captain.id, member.id)
    clients = [login(captain), login(member)]
    url = f"/teams/{team.id}/collections"
    barrier = threading.Barrier(2)
    answers: list = [None, None]

    def log(side: int) -> None:
        data = {"amount": str(amount_each // 100), "collected_on": clock.today().isoformat(),
                "method": "swish", "note": "", "idempotency_key": uuid.uuid4().hex}
        barrier.wait(timeout=10)
        answers[side] = clients[side].post(url, data=data).status_code

    threads = [threading.Thread(target=log, args=(side,)) for side in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert answers == [303, 303]
    # End this session's read transaction: on SQLite it would still see the moment before.
    db.session.rollback()
    return db.session.get(Milestone, milestone_id), people


@pytest.mark.parametrize("amount_each", [200_00, 60_00], ids=["each-passes", "together"])
def test_a_milestone_passed_by_two_collections_at_once_is_recorded_and_told_once(
        app_ctx, login, amount_each):
    for _ in range(ROUNDS):
        milestone, member_ids = _round(login, amount_each)
        assert milestone.reached_at is not None
        for person_id in member_ids:
            told = db.session.execute(db.select(db.func.count(Notification.id)).where(
                Notification.user_id == person_id, Notification.text.contains("Tårta"))
            ).scalar_one()
            assert told == 1
        queued = db.session.execute(db.select(db.func.count(WebhookDelivery.id)).where(
            WebhookDelivery.event == "milestone.reached",
            WebhookDelivery.endpoint_id.in_(db.select(WebhookEndpoint.id).where(
                WebhookEndpoint.company_id == milestone.company_id)))).scalar_one()
        assert queued == 1
