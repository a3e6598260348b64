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


def _remove_while_reaching(login) -> tuple[list, int, int]:
    """The captain removes a fresh milestone while a member logs past it, at one moment:
    (the two answers, the milestone's id, the member's id)."""
    captain = factories.make_user()
    team = factories.make_team(factories.make_company(admin=factories.make_user()),
                               captain=captain)
    member = factories.make_user()
    factories.join_team(team, member)
    factories.make_collection(team, amount_ore=900_00, logged_by=captain)
    milestone = milestones.add_milestone(team.company_id, team.id, 1_000_00, "Glass", captain)
    factories.commit()
    milestone_id, member_id = milestone.id, member.id
    clients = [login(captain), login(member)]
    remove_url = f"/teams/{team.slug}/milestones/{milestone_id}/remove"
    log_url = f"/teams/{team.id}/collections"
    barrier = threading.Barrier(2)
    answers: list = [None, None]

    def remove() -> None:
        barrier.wait(timeout=10)
        answers[0] = clients[0].post(remove_url).status_code

    def log() -> None:
        data = {"amount": "200", "collected_on": clock.today().isoformat(),
                "method": "swish", "note": "", "idempotency_key": uuid.uuid4().hex}
        barrier.wait(timeout=10)
        answers[1] = clients[1].post(log_url, data=data).status_code

    threads = [threading.Thread(target=remove), threading.Thread(target=log)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    db.session.rollback()
    return answers, milestone_id, member_id


def test_a_milestone_reached_while_it_is_removed_is_either_kept_or_never_told(app_ctx, login):
    """The captain removes a milestone at the moment a collection reaches it: either the
    removal comes first and nobody is told, or the collection does and the removal is
    refused with 409. Never a promise told and then taken away."""
    for _ in range(ROUNDS * 2):
        answers, milestone_id, member_id = _remove_while_reaching(login)
        told = db.session.execute(db.select(db.func.count(Notification.id)).where(
            Notification.user_id == member_id, Notification.text.contains("Glass"))
        ).scalar_one()
        still_there = db.session.get(Milestone, milestone_id)
        assert answers[1] == 303
        if still_there is not None:
            assert answers[0] == 409 and still_there.reached_at is not None and told == 1
        else:
            assert answers[0] in (302, 303) and told == 0
