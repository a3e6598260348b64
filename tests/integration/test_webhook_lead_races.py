"""Two `send-webhooks` runs at once (two servers' cron jobs, or a slow run overlapping the
next): each lead change in a challenge is queued once, and the very first runs, which
both find no cursor, neither fail nor queue old news.

The cursor row is read FOR UPDATE, so this races only on PostgreSQL; SQLite has one writer
and its command-line runs do not take the write lock up front."""

from datetime import UTC, datetime

import pytest

from lokalamal_app.extensions import db
from lokalamal_app.models import WebhookDelivery, WebhookEndpoint
from lokalamal_app.models.setting import Setting
from lokalamal_app.webhooks import leads
from tests import challenge_helpers, factories
from tests.races import at_once

ROUNDS = 4


@pytest.fixture(autouse=True)
def _postgresql_only(app_ctx):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the cursor's row lock races only on PostgreSQL")


def _two_runs_at_once(app) -> list:
    """queue_lead_changes() in two app contexts (two connections) at one moment."""

    def run():
        with app.app_context():
            try:
                return leads.queue_lead_changes()
            except Exception as error:  # reported by the assertions of the test
                return error
            finally:
                db.session.remove()

    return at_once(run, run)


def _lead_messages() -> int:
    return db.session.execute(db.select(db.func.count(WebhookDelivery.id)).where(
        WebhookDelivery.event == "challenge_lead")).scalar_one()


def test_two_runs_at_once_queue_each_lead_change_once(app, freeze_clock):
    freeze_clock(datetime(2026, 11, 18, 11, 0, tzinfo=UTC))
    ours, admin = challenge_helpers.workplace(name="Mälarhamnen AB")
    theirs = challenge_helpers.workplace(name="Kopparlunden AB")
    challenge_helpers.running(ours, admin, [theirs])
    for company in (ours, theirs[0]):
        db.session.add(WebhookEndpoint(company_id=company.id, kind="slack",
                                       url="https://hooks.slack.com/services/T/B/X",
                                       created_by_id=admin.id))
    our_team = factories.make_team(ours, target_ore=None)
    their_team = factories.make_team(theirs[0], target_ore=None)
    factories.commit()

    # The very first runs at once: one places the cursor at the latest entry, neither fails.
    assert _two_runs_at_once(app) == [0, 0]
    assert db.session.execute(db.select(db.func.count()).select_from(Setting).where(
        Setting.key == leads.CURSOR_KEY)).scalar_one() == 1

    totals = {our_team.id: 0, their_team.id: 0}
    for round_number in range(ROUNDS):
        # Each round the team behind overtakes: one lead change, a message to each workplace.
        behind = their_team if round_number % 2 == 0 else our_team
        other = our_team if behind is their_team else their_team
        amount = totals[other.id] - totals[behind.id] + 100_00
        factories.make_collection(behind, amount_ore=amount)
        totals[behind.id] += amount
        factories.commit()
        found = _two_runs_at_once(app)
        assert sorted(found) == [0, 1], found
        assert _lead_messages() == 2 * (round_number + 1)
