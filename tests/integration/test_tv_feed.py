"""The TV's feed: the ticker of the latest collections and the events it celebrates, and
the team's colour and emblem chosen on its settings page."""

import re
from datetime import UTC, datetime

import pytest

from lokalamal_app.extensions import db
from lokalamal_app.ledger import services as ledger
from lokalamal_app.models import AuditEvent, Team
from tests import factories

NOON = datetime(2026, 11, 18, 11, 0, tzinfo=UTC)
GIVER = "Greta Givarsson"


@pytest.fixture
def world(app_ctx, freeze_clock):
    freeze_clock(NOON)
    captain = factories.make_user(display_name="Kajsa Kapten", email="kapten@example.se")
    giver = factories.make_user(display_name=GIVER)
    company = factories.make_company(name="Mälarhamnen AB")
    factories.add_member(company, captain)
    factories.add_member(company, giver)
    team = factories.make_team(company, captain=captain, name="Kaffekoppen",
                               target_ore=1000_00)
    factories.join_team(team, giver)
    factories.commit()
    return type("World", (), {"team": team, "captain": captain, "giver": giver,
                              "company": company})


def _feed(client, since: int, v: str = "x"):
    return client.get(f"/leaderboards/tv/feed?since={since}&v={v}", headers={"HX-Request": "true"})


def test_the_feed_brings_a_passed_milestone_once(client, world):
    factories.make_collection(world.team, amount_ore=400_00, logged_by=world.giver)
    factories.commit()
    page = client.get("/leaderboards/tv").get_data(as_text=True)
    since = int(re.search(r'"since": "(\d+)"', page).group(1))
    factories.make_collection(world.team, amount_ore=200_00, logged_by=world.giver)
    factories.commit()
    first = _feed(client, since)
    html = first.get_data(as_text=True)
    assert first.status_code == 200
    assert html.count("Laget Kaffekoppen passerade halva målet!") == 1
    # The next poll sends the cursor the fragment carried: the event is not in it again.
    since = int(re.search(r'"since": "(\d+)"', html).group(1))
    again = _feed(client, since).get_data(as_text=True)
    assert "passerade halva målet" not in again


def test_a_tv_that_opens_celebrates_nothing_that_happened_before(client, world):
    factories.make_collection(world.team, amount_ore=600_00)
    factories.commit()
    page = client.get("/leaderboards/tv").get_data(as_text=True)
    assert "passerade halva målet" not in page
    assert "data-tv-celebration" in page


def test_the_feed_answers_204_while_nothing_changed(client, world):
    page = client.get("/leaderboards/tv").get_data(as_text=True)
    v = re.search(r'"v": "(\d+)"', page).group(1)
    since = re.search(r'"since": "(\d+)"', page).group(1)
    assert _feed(client, int(since), v).status_code == 204


def test_the_ticker_shows_teams_and_amounts_never_people(client, world):
    staff = factories.make_user(is_staff=True)
    factories.make_collection(world.team, amount_ore=123_00, logged_by=world.giver,
                              giver_id=world.giver.id)
    rejected = factories.make_collection(world.team, amount_ore=777_00, logged_by=world.giver)
    ledger.reject_entry(rejected, staff, "Fel")
    withdrawn = factories.make_collection(world.team, amount_ore=888_00, logged_by=world.giver)
    ledger.reverse_entry(withdrawn, staff, "Dubbel")
    factories.commit()
    for html in (client.get("/leaderboards/tv").get_data(as_text=True),
                 _feed(client, 0).get_data(as_text=True)):
        ticker = re.search(r'<p class="tv-ticker">.*?</p>', html, re.S).group(0)
        assert "Kaffekoppen" in ticker and "123" in ticker
        assert "777" not in ticker and "888" not in ticker
        assert GIVER not in html and "Kajsa Kapten" not in html


def test_the_challenge_tv_has_the_feed_for_its_workplaces(client, app_ctx, freeze_clock):
    from tests import challenge_helpers

    freeze_clock(NOON)
    ours, admin = challenge_helpers.workplace(name="Mälarhamnen AB")
    theirs = challenge_helpers.workplace(name="Kopparlunden AB")
    outsider = factories.make_team(factories.make_company(), name="Utanförlaget")
    challenge = challenge_helpers.running(ours, admin, [theirs])
    factories.make_collection(factories.make_team(ours, name="Innelaget"), amount_ore=50_00)
    factories.make_collection(outsider, amount_ore=60_00)
    factories.commit()
    html = client.get(f"/challenges/{challenge.id}/tv").get_data(as_text=True)
    ticker = re.search(r'<p class="tv-ticker">.*?</p>', html, re.S).group(0)
    assert "Innelaget" in ticker and "Utanförlaget" not in ticker
    feed = client.get(f"/leaderboards/tv/feed?since=0&v=x&challenge={challenge.id}")
    assert "Utanförlaget" not in feed.get_data(as_text=True)


@pytest.mark.parametrize("query", ["since=abc&v=1", "v=1", "since=-1&v=1"])
def test_a_bad_cursor_is_a_400_not_a_500(client, app_ctx, query):
    response = client.get(f"/leaderboards/tv/feed?{query}")
    assert response.status_code == 400


def test_the_feed_of_an_unknown_challenge_is_404(client, app_ctx):
    assert client.get("/leaderboards/tv/feed?since=0&v=1&challenge=999999").status_code == 404


# --- Colour and emblem --------------------------------------------------------------------


def test_a_team_that_has_not_chosen_shows_a_look_derived_from_its_id(client, world):
    factories.make_collection(world.team, amount_ore=100_00)
    factories.commit()
    from lokalamal_app.teams import looks

    derived = looks.derived(world.team.id)
    html = client.get("/leaderboards/teams").get_data(as_text=True)
    assert f"team-badge team-colour-{derived.colour}" in html
    assert looks.derived(world.team.id) == derived  # the same every time


def test_the_captain_chooses_a_colour_and_an_emblem(login, world):
    client = login(world.captain)
    assert "Färg och symbol" in client.get(f"/teams/{world.team.slug}/edit").get_data(
        as_text=True)
    response = client.post(f"/teams/{world.team.slug}/look",
                           data={"colour": "turkos", "emblem": "sol"})
    assert response.status_code == 302
    db.session.expire_all()
    team = db.session.get(Team, world.team.id)
    assert (team.colour, team.emblem) == ("turkos", "sol")
    assert db.session.execute(db.select(AuditEvent).where(
        AuditEvent.action == "team.look")).scalar_one()
    factories.make_collection(team, amount_ore=100_00)
    factories.commit()
    board = client.get("/leaderboards/teams").get_data(as_text=True)
    assert "team-badge team-colour-turkos" in board and "☀" in board


def test_a_workplace_admin_may_choose_the_look_too(login, world):
    admin = factories.make_user()
    factories.add_member(world.company, admin, role="admin")
    factories.commit()
    response = login(admin).post(f"/teams/{world.team.slug}/look",
                                 data={"colour": "rosa", "emblem": "hjarta"})
    assert response.status_code == 302


def test_a_teammate_who_is_not_captain_may_not_choose(login, world):
    response = login(world.giver).post(f"/teams/{world.team.slug}/look",
                                       data={"colour": "rosa", "emblem": "hjarta"})
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(Team, world.team.id).colour is None


def test_a_visitor_is_sent_to_log_in(client, world):
    response = client.post(f"/teams/{world.team.slug}/look",
                           data={"colour": "rosa", "emblem": "hjarta"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("data, message", [
    ({"colour": "#ff0000", "emblem": "sol"}, "Välj en av färgerna."),
    ({"colour": "bla", "emblem": "<script>"}, "Välj en av symbolerna."),
    ({"emblem": "sol"}, "Välj en av färgerna."),
])
def test_a_look_outside_the_palette_is_refused_with_a_swedish_message(login, world, data,
                                                                       message):
    response = login(world.captain).post(f"/teams/{world.team.slug}/look", data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Team, world.team.id).colour is None
