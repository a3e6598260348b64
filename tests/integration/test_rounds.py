"""Rounds through the test client: staff plan them, boards per round, a team's streak and
the honours of ended rounds, stored once."""

from datetime import date, datetime, time

import pytest

from lokalamal_app import clock
from lokalamal_app.extensions import db
from lokalamal_app.ledger import services as ledger
from lokalamal_app.models import Campaign, Round, RoundHonour, RoundResult
from lokalamal_app.rounds import services
from tests import factories

STOCKHOLM_NOON = time(12, tzinfo=clock.zone())


def at(day: date) -> datetime:
    return datetime.combine(day, STOCKHOLM_NOON)


@pytest.fixture
def mid_november(freeze_clock):
    freeze_clock(at(date(2026, 11, 15)))


def _campaign() -> Campaign:
    return db.session.get(Campaign, 1)  # the seeded one: from 2026-09-01, open


def _staff():
    return factories.make_user(is_staff=True)


def _rounds():
    return db.session.execute(db.select(Round).order_by(Round.starts_on)).scalars().all()


def _monthly():
    services.generate_monthly_rounds(1, None)
    factories.commit()
    return {r.starts_on.month: r for r in _rounds()}


# --- Staff plan rounds -----------------------------------------------------------------


def test_staff_split_a_campaign_into_monthly_rounds(login, app_ctx, mid_november):
    staff = _staff()
    factories.commit()
    response = login(staff).post("/staff/campaigns/1/rounds/monthly")
    assert response.status_code == 302
    found = _rounds()
    assert [(r.name, r.starts_on, r.ends_on) for r in found[:3]] == [
        ("September 2026", date(2026, 9, 1), date(2026, 9, 30)),
        ("Oktober 2026", date(2026, 10, 1), date(2026, 10, 31)),
        ("November 2026", date(2026, 11, 1), date(2026, 11, 30)),
    ]
    assert len(found) == 12  # an open campaign gets a year of months
    page = login(staff).get("/staff/campaigns").get_data(as_text=True)
    assert "Oktober 2026" in page and "Dela in i månader" in page


def test_staff_add_a_round_by_its_dates(login, app_ctx, mid_november):
    staff = _staff()
    factories.commit()
    response = login(staff).post("/staff/campaigns/1/rounds", data={
        "name": "Julspurten", "starts_on": "2026-12-01", "ends_on": "2026-12-24"})
    assert response.status_code == 302
    assert [(r.name, r.ends_on) for r in _rounds()] == [("Julspurten", date(2026, 12, 24))]


@pytest.mark.parametrize(("dates", "field", "message"), [
    (("2026-10-20", "2026-10-10"), "ends_on", "Sista dagen kan inte komma före den första."),
    (("2026-08-20", "2026-09-10"), "starts_on", "Omgången måste ligga inom kampanjen"),
    (("2026-10-15", "2026-11-15"), "starts_on", "Datumen krockar med omgången Oktober"),
    (("2026-13-01", "2026-11-15"), "starts_on", "Skriv datumet som ÅÅÅÅ-MM-DD."),
    (("", "2026-11-15"), "starts_on", "Ange omgångens första dag."),
])
def test_bad_round_dates_are_refused_at_the_field(login, app_ctx, mid_november, dates, field,
                                                  message):
    staff = _staff()
    services.add_round(1, "Oktober", date(2026, 10, 1), date(2026, 10, 31), staff)
    factories.commit()
    response = login(staff).post("/staff/campaigns/1/rounds", data={
        "name": "", "starts_on": dates[0], "ends_on": dates[1]})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page and message in page
    assert len(_rounds()) == 1


def test_a_round_must_end_with_a_campaign_that_ends(app_ctx, mid_november):
    campaign = Campaign(name="Våren 2027", starts_on=date(2027, 1, 1), ends_on=date(2027, 3, 31))
    db.session.add(campaign)
    factories.commit()
    with pytest.raises(services.RoundError) as refused:
        services.add_round(campaign.id, "", date(2027, 3, 1), date(2027, 4, 5), None)
    assert refused.value.field == "ends_on"
    added = services.generate_monthly_rounds(campaign.id, None)
    assert [r.name for r in added] == ["Januari 2027", "Februari 2027", "Mars 2027"]


def test_only_staff_plan_rounds(login, client, app_ctx, mid_november):
    someone = factories.make_user()
    factories.commit()
    data = {"starts_on": "2026-12-01", "ends_on": "2026-12-24"}
    assert login(someone).post("/staff/campaigns/1/rounds", data=data).status_code == 403
    assert login(someone).post("/staff/campaigns/1/rounds/monthly").status_code == 403
    assert client.post("/staff/campaigns/1/rounds", data=data).status_code == 403
    assert _rounds() == []


def test_rounds_of_an_unknown_campaign_are_not_found(login, app_ctx, mid_november):
    staff = _staff()
    factories.commit()
    response = login(staff).post("/staff/campaigns/999/rounds", data={
        "starts_on": "2026-12-01", "ends_on": "2026-12-24"})
    assert response.status_code == 404


# --- Boards per round -------------------------------------------------------------------


def _two_teams():
    company = factories.make_company(name="Kopparlunden AB")
    other = factories.make_company(name="Lundby AB")
    fika = factories.make_team(company, name="Fikagänget")
    lunch = factories.make_team(other, name="Lunchlaget")
    return company, other, fika, lunch


def test_a_board_per_round_counts_only_the_rounds_days(client, app_ctx, mid_november,
                                                      count_queries):
    rounds = _monthly()
    _company, _other, fika, lunch = _two_teams()
    factories.make_collection(fika, 300_00, collected_on=date(2026, 10, 5))
    factories.make_collection(lunch, 100_00, collected_on=date(2026, 10, 31))
    factories.make_collection(lunch, 900_00, collected_on=date(2026, 11, 2))
    factories.commit()
    october = client.get(f"/leaderboards/teams?round={rounds[10].id}").get_data(as_text=True)
    assert october.index("Fikagänget") < october.index("Lunchlaget")
    assert "300\u00a0kr" in october and "900\u00a0kr" not in october
    assert "Oktober 2026" in october
    november = client.get(f"/leaderboards/companies?round={rounds[11].id}")
    page = november.get_data(as_text=True)
    assert "Lundby AB" in page and "Kopparlunden AB" not in page
    with count_queries() as few:
        client.get(f"/leaderboards/teams?round={rounds[10].id}&fragment=1")
    for n in range(5):
        team = factories.make_team(factories.make_company())
        factories.make_collection(team, 10_00 + n, collected_on=date(2026, 10, 10))
    factories.commit()
    with count_queries() as many:
        client.get(f"/leaderboards/teams?round={rounds[10].id}&fragment=1")
    assert many.count == few.count


def test_the_board_offers_its_rounds_and_links_the_honours(client, app_ctx, mid_november):
    rounds = _monthly()
    factories.commit()
    page = client.get("/leaderboards/teams").get_data(as_text=True)
    assert f'<option value="{rounds[10].id}"' in page
    assert "December 2026" not in page  # not begun
    assert "/leaderboards/honours" in page


@pytest.mark.parametrize(("query", "status"), [
    ("round=abc", 404), ("round=99999", 404), ("round=1&limit=0", 400)])
def test_a_board_for_a_round_that_is_not_there_is_refused(client, app_ctx, mid_november,
                                                         query, status):
    _monthly()
    assert client.get(f"/leaderboards/teams?{query}").status_code == status


def test_only_team_and_workplace_boards_are_shown_per_round(client, app_ctx, mid_november):
    rounds = _monthly()
    assert client.get(f"/leaderboards/goals/ingen-ensamhet/teams?round={rounds[10].id}"
                      ).status_code == 400


# --- Streaks ------------------------------------------------------------------------------


def test_a_team_page_shows_its_streak_of_rounds_in_a_row(client, app_ctx, mid_november):
    _monthly()
    company = factories.make_company()
    team = factories.make_team(company, name="Fikagänget")
    factories.make_collection(team, 100_00, collected_on=date(2026, 9, 10))
    factories.make_collection(team, 100_00, collected_on=date(2026, 10, 10))
    factories.commit()
    # November is running and has nothing yet: the streak is still two.
    page = client.get(f"/teams/{team.slug}").get_data(as_text=True)
    assert "2 omgångar i rad" in page
    factories.make_collection(team, 100_00, collected_on=date(2026, 11, 14))
    factories.commit()
    assert "3 omgångar i rad" in client.get(f"/teams/{team.slug}").get_data(as_text=True)


def test_an_ended_round_without_a_collection_breaks_the_streak(client, app_ctx, mid_november):
    _monthly()
    team = factories.make_team(factories.make_company())
    factories.make_collection(team, 100_00, collected_on=date(2026, 9, 10))
    factories.commit()
    page = client.get(f"/teams/{team.slug}").get_data(as_text=True)
    assert "Ingen svit just nu" in page


def test_a_withdrawn_collection_does_not_keep_a_streak(client, app_ctx, mid_november):
    _monthly()
    maja = factories.make_user()
    team = factories.make_team(factories.make_company(), captain=maja)
    factories.make_collection(team, 100_00, collected_on=date(2026, 9, 10), logged_by=maja)
    taken_back = factories.make_collection(team, 100_00, collected_on=date(2026, 10, 10),
                                           logged_by=maja)
    factories.make_collection(team, 100_00, collected_on=date(2026, 11, 10), logged_by=maja)
    ledger.withdraw_entry(taken_back, maja)
    factories.commit()
    assert "1 omgång i rad" in client.get(f"/teams/{team.slug}").get_data(as_text=True)


def test_a_team_page_without_rounds_shows_no_streak(client, app_ctx, mid_november):
    team = factories.make_team(factories.make_company())
    factories.commit()
    page = client.get(f"/teams/{team.slug}").get_data(as_text=True)
    assert "i rad" not in page and "Ingen svit" not in page


# --- Honours ------------------------------------------------------------------------------


def test_honours_keep_the_standing_when_the_round_ended(client, app_ctx, freeze_clock):
    freeze_clock(at(date(2026, 10, 20)))
    rounds = _monthly()
    company, other, fika, lunch = _two_teams()
    third = factories.make_team(company, name="Tredje laget")
    fourth = factories.make_team(other, name="Fjärde laget")
    factories.make_collection(fika, 500_00, collected_on=date(2026, 10, 5))
    factories.make_collection(lunch, 400_00, collected_on=date(2026, 10, 6))
    factories.make_collection(third, 300_00, collected_on=date(2026, 10, 7))
    factories.make_collection(fourth, 200_00, collected_on=date(2026, 10, 8))
    factories.commit()
    page = client.get("/leaderboards/honours").get_data(as_text=True)
    assert "September 2026" in page and "Ingen samlade något under omgången" in page
    assert "Oktober 2026" not in page  # still running
    freeze_clock(at(date(2026, 11, 2)))
    page = client.get("/leaderboards/honours").get_data(as_text=True)
    assert "Ställningen när omgången slutade" in page
    october = page[page.index("Oktober 2026"):]
    assert october.index("Fikagänget") < october.index("Lunchlaget") < october.index(
        "Tredje laget")
    assert "Fjärde laget" not in page
    # A late correction moves the board, never the honours.
    factories.make_collection(fourth, 5000_00, collected_on=date(2026, 10, 30))
    factories.commit()
    again = client.get("/leaderboards/honours").get_data(as_text=True)
    assert "Fjärde laget" not in again
    stored = db.session.execute(db.select(RoundResult.round_id)).scalars().all()
    assert sorted(stored) == sorted([rounds[9].id, rounds[10].id])
    honours = db.session.execute(db.select(RoundHonour).where(
        RoundHonour.kind == "company")).scalars().all()
    assert [(h.name, h.amount_ore) for h in honours] == [("Kopparlunden AB", 800_00)]


def test_honours_are_stored_once_whoever_asks(app_ctx, freeze_clock):
    freeze_clock(at(date(2026, 11, 2)))
    rounds = _monthly()
    team = factories.make_team(factories.make_company())
    factories.make_collection(team, 100_00, collected_on=date(2026, 10, 5))
    factories.commit()
    assert services.store_honours(rounds[10]) is True
    assert services.store_honours(rounds[10]) is False
    assert services.store_honours(rounds[11]) is False  # not ended
    factories.commit()
    assert db.session.execute(db.select(db.func.count(RoundHonour.id))).scalar_one() == 2


def test_a_round_with_stored_honours_cannot_be_removed(login, app_ctx, freeze_clock):
    freeze_clock(at(date(2026, 11, 2)))
    rounds = _monthly()
    staff = _staff()
    services.store_honours(rounds[10])
    factories.commit()
    client = login(staff)
    assert client.post(f"/staff/rounds/{rounds[10].id}/remove").status_code == 409
    assert client.post(f"/staff/rounds/{rounds[12].id}/remove").status_code == 302
    assert db.session.get(Round, rounds[12].id) is None


def test_the_demo_has_monthly_rounds_honours_and_a_givers_times_money_challenge(
        runner, client, app_ctx, mid_november):
    from lokalamal_app.challenges.scoring import GIVERS_MONEY, scoring_of
    from lokalamal_app.models import Challenge

    assert runner.invoke(args=["demo-data"]).exit_code == 0
    assert [r.name for r in _rounds()][:3] == ["September 2026", "Oktober 2026", "November 2026"]
    assert db.session.execute(db.select(db.func.count(RoundResult.id))).scalar_one() == 2
    page = client.get("/leaderboards/honours").get_data(as_text=True)
    assert "Oktober 2026" in page and "Ställningen när omgången slutade" in page
    assert any(scoring_of(c) == GIVERS_MONEY
               for c in db.session.execute(db.select(Challenge)).scalars())
