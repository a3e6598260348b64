"""Late in the evening UTC it is already tomorrow in Stockholm: people log today's money,
see today's date in the form and this month on the boards, whatever the server's zone."""

import re
import uuid
from datetime import UTC, date, datetime

import pytest

from lokalamal_app.challenges import queries as challenge_queries
from lokalamal_app.challenges import services as challenges
from lokalamal_app.extensions import db
from lokalamal_app.leaderboards import queries
from lokalamal_app.ledger import services as ledger
from lokalamal_app.models import LedgerEntry
from tests import factories
from tests.challenge_helpers import running, workplace

# 23:30 UTC on 30 November is 00:30 on 1 December in Stockholm (winter time, UTC+1).
LATE_EVENING_UTC = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)
# 22:30 UTC on 31 March is 00:30 on 1 April in Stockholm (summer time since 29 March, UTC+2).
AFTER_SPRING_CHANGE_UTC = datetime(2026, 3, 31, 22, 30, tzinfo=UTC)


@pytest.fixture
def world(app_ctx, freeze_clock, far_server_zone):
    company = factories.make_company(name="Kopparlunden AB")
    member = factories.make_user(display_name="Maja Medlem")
    team = factories.make_team(company, name="Nattugglorna", captain=member)
    staff = factories.make_user(is_staff=True)
    factories.commit()
    return type("World", (), dict(company=company, member=member, team=team, staff=staff,
                                  freeze=freeze_clock))


def _post(client, team, day: date):
    return client.post(f"/teams/{team.id}/collections", data={
        "amount": "250", "collected_on": day.isoformat(), "method": "swish", "note": "",
        "idempotency_key": uuid.uuid4().hex,
    })


def _entry_dates() -> list[date]:
    return db.session.execute(db.select(LedgerEntry.collected_on)).scalars().all()


@pytest.mark.parametrize("moment, today, tomorrow", [
    (LATE_EVENING_UTC, date(2026, 12, 1), date(2026, 12, 2)),
    (AFTER_SPRING_CHANGE_UTC, date(2026, 4, 1), date(2026, 4, 2)),
])
def test_stockholms_today_is_accepted_and_tomorrow_refused(world, login, moment, today,
                                                           tomorrow):
    world.freeze(moment)
    client = login(world.member)
    assert _post(client, world.team, today).status_code == 303
    refused = _post(client, world.team, tomorrow)
    assert refused.status_code == 422
    assert "Datumet kan inte ligga i framtiden." in refused.get_data(as_text=True)
    assert _entry_dates() == [today]


def test_the_ledger_itself_refuses_only_dates_after_stockholms_today(world):
    world.freeze(LATE_EVENING_UTC)
    ledger.log_collection(world.team, 100_00, date(2026, 12, 1), "cash")
    with pytest.raises(ledger.LedgerError, match="framtiden"):
        ledger.log_collection(world.team, 100_00, date(2026, 12, 2), "cash")


def test_the_logging_form_suggests_stockholms_date_and_allows_no_later_one(world, login):
    world.freeze(LATE_EVENING_UTC)
    html = login(world.member).get(f"/teams/{world.team.id}/collections/new").get_data(
        as_text=True)
    field = re.search(r'<input[^>]*name="collected_on"[^>]*>', html).group(0)
    assert 'value="2026-12-01"' in field
    assert 'max="2026-12-01"' in field


def test_this_months_board_is_stockholms_month(world, client):
    world.freeze(LATE_EVENING_UTC)
    november = factories.make_team(world.company, name="Novembergänget")
    factories.make_collection(november, amount_ore=900_00, collected_on=date(2026, 11, 30))
    factories.make_collection(world.team, amount_ore=100_00, collected_on=date(2026, 12, 1))
    factories.commit()
    month = queries.standings("teams", params=queries.BoardParams(period="month"))
    assert [r.name for r in month.rows] == ["Nattugglorna"]
    html = client.get("/leaderboards/teams?period=month").get_data(as_text=True)
    assert "Nattugglorna" in html and "Novembergänget" not in html
    # The board says when it was drawn in Stockholm time, not the server's.
    assert "Uppdaterad 00:30" in html


def test_the_staff_overview_counts_stockholms_month_and_week(world, login):
    world.freeze(LATE_EVENING_UTC)
    factories.make_collection(world.team, amount_ore=300_00, collected_on=date(2026, 11, 30))
    factories.make_collection(world.team, amount_ore=700_00, collected_on=date(2026, 12, 1))
    factories.commit()
    html = login(world.staff).get("/staff").get_data(as_text=True)
    footer = html.split("<tfoot>", 1)[1].split("</tfoot>", 1)[0]
    week, month, _campaign, everything = re.findall(r"<strong>([^<]*)</strong>", footer)
    assert (week, month, everything) == ("1\u00a0000\u00a0kr", "700\u00a0kr",
                                         "1\u00a0000\u00a0kr")
    chart_labels = re.findall(r'text-anchor="middle"[^>]*>([^<]*)</text>', html)
    assert chart_labels[-2:] == ["nov 26", "dec 26"]


def test_the_export_file_is_named_for_stockholms_date(world, login):
    world.freeze(LATE_EVENING_UTC)
    response = login(world.staff).get("/ledger/export.csv")
    assert response.status_code == 200
    assert "lokalamal-insamlingar-2026-12-01.csv" in response.headers["Content-Disposition"]


def test_a_collection_logged_after_midnight_shows_stockholms_time(world, login):
    world.freeze(LATE_EVENING_UTC)
    entry = factories.make_collection(world.team, amount_ore=250_00,
                                      collected_on=date(2026, 12, 1))
    factories.commit()
    html = login(world.staff).get(f"/ledger/entries/{entry.id}").get_data(as_text=True)
    assert "1 dec. 2026 00:30" in html
    assert "30 nov. 2026 23:30" not in html


def test_a_challenge_from_stockholms_today_runs_and_yesterday_is_the_past(world):
    world.freeze(LATE_EVENING_UTC)
    ours, our_admin = workplace(name="Vi AB")
    theirs = workplace(name="Grannen AB")
    challenge = running(ours, our_admin, [theirs], days=7)
    assert challenge.starts_on == date(2026, 12, 1)
    assert challenge_queries.phase(challenge) == "running"
    with pytest.raises(challenges.ChallengeError, match="förflutna"):
        challenges.propose_challenge(ours, [theirs[0]], date(2026, 11, 30), date(2026, 12, 6),
                                     "total", None, "Hej!", actor=our_admin)
