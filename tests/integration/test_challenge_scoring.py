"""Challenges scored by givers × money: chosen when proposing, explained on the page,
changed by staff before the start, settled by it, and shown per round."""

from datetime import date, datetime, time, timedelta

import pytest

from lokalamal_app import clock
from lokalamal_app.challenges import services
from lokalamal_app.challenges.scoring import GIVERS_MONEY, SCORINGS, scoring_of
from lokalamal_app.extensions import db
from lokalamal_app.models import Challenge, ChallengeScoring
from lokalamal_app.rounds import services as rounds
from tests import factories
from tests.challenge_helpers import running, settle_day, workplace

STOCKHOLM_NOON = time(12, tzinfo=clock.zone())


@pytest.fixture
def mid_november(freeze_clock):
    freeze_clock(datetime.combine(date(2026, 11, 15), STOCKHOLM_NOON))
    return date(2026, 11, 15)


def _givers(company, count: int, amount_ore: int, collected_on=None, status="pending"):
    """`count` colleagues in one team each give `amount_ore`."""
    team = factories.make_team(company)
    for _ in range(count):
        person = factories.make_user()
        factories.join_team(team, person)
        factories.make_collection(team, amount_ore, logged_by=person, status=status,
                                  collected_on=collected_on or clock.today())
    return team


def test_an_admin_proposes_a_challenge_scored_by_givers_times_money(login, app_ctx, mid_november):
    a, admin_a = workplace(name="Kopparlunden AB")
    workplace(name="Lundby AB")
    factories.commit()
    form = login(admin_a).get("/challenges/new").get_data(as_text=True)
    assert 'value="givers_money"' in form
    response = login(admin_a).post("/challenges/new", data={
        "challenger": str(a.id), "opponent": "Lundby AB", "goal": "0", "greeting": "",
        "starts_on": mid_november.isoformat(),
        "ends_on": (mid_november + timedelta(days=20)).isoformat(), "measure": GIVERS_MONEY})
    assert response.status_code == 302
    challenge = db.session.execute(db.select(Challenge)).scalar_one()
    assert scoring_of(challenge) == GIVERS_MONEY
    page = login(admin_a).get(f"/challenges/{challenge.id}").get_data(as_text=True)
    for scoring in SCORINGS.values():
        assert str(scoring.description) in page  # every scoring explained in a sentence
    assert "Givare gånger kronor till alla fem målen" in page


def test_an_unknown_scoring_is_refused_at_the_field(login, app_ctx, mid_november):
    a, admin_a = workplace()
    workplace(name="Lundby AB")
    factories.commit()
    response = login(admin_a).post("/challenges/new", data={
        "challenger": str(a.id), "opponent": "Lundby AB", "goal": "0",
        "starts_on": mid_november.isoformat(), "ends_on": mid_november.isoformat(),
        "measure": "loudest"})
    assert response.status_code == 422
    assert 'id="measure-error"' in response.get_data(as_text=True)
    assert db.session.execute(db.select(Challenge)).first() is None


def test_many_givers_beat_one_big_gift(client, app_ctx, mid_november):
    a, admin_a = workplace(name="Kopparlunden AB")
    b, admin_b = workplace(name="Lundby AB")
    challenge = running(a, admin_a, [(b, admin_b)], measure=GIVERS_MONEY)
    _givers(a, 1, 3000_00)  # 1 giver x 3 000 kr
    _givers(b, 4, 500_00)  # 4 givers x 2 000 kr: 8 000 against 3 000
    factories.commit()
    page = client.get(f"/challenges/{challenge.id}").get_data(as_text=True)
    assert "73 poäng" in page and "27 poäng" in page  # 8/11 and 3/11 of a hundred
    assert page.index("Lundby AB leder") > 0


def test_a_box_collection_without_a_giver_adds_money_but_no_giver(app_ctx, mid_november):
    from lokalamal_app.challenges import queries

    a, admin_a = workplace()
    b, admin_b = workplace()
    challenge = running(a, admin_a, [(b, admin_b)], measure=GIVERS_MONEY)
    team = factories.make_team(a)
    factories.make_collection(team, 1000_00, giver_id=None, method="cash")
    _givers(b, 1, 10_00)
    factories.commit()
    sides = {s.company.id: s for s in queries.board(challenge).sides}
    assert sides[a.id].people_reported == 0 and sides[a.id].score == 0
    assert sides[b.id].score == 100


def test_staff_change_the_scoring_before_the_start_and_the_workplaces_are_told(
        login, app_ctx, mid_november):
    from lokalamal_app.models import Notification

    a, admin_a = workplace()
    b, admin_b = workplace()
    challenge = services.propose_challenge(
        a, [b], mid_november + timedelta(days=3), mid_november + timedelta(days=10), "total",
        None, "", actor=admin_a)
    staff = factories.make_user(is_staff=True)
    factories.commit()
    page = login(staff).get(f"/challenges/{challenge.id}").get_data(as_text=True)
    assert "Ändra poängräkningen" in page
    response = login(staff).post(f"/challenges/{challenge.id}/scoring",
                                 data={"scoring": GIVERS_MONEY})
    assert response.status_code == 302
    db.session.expire_all()
    assert scoring_of(db.session.get(Challenge, challenge.id)) == GIVERS_MONEY
    assert db.session.execute(db.select(Notification).where(
        Notification.user_id == admin_b.id, Notification.text.contains("ändrat"))).first()
    response = login(staff).post(f"/challenges/{challenge.id}/scoring",
                                 data={"scoring": "per_employee"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Challenge, challenge.id).measure == "per_employee"
    assert db.session.execute(db.select(ChallengeScoring)).first() is None


def test_the_scoring_cannot_change_once_the_challenge_has_started(login, app_ctx, mid_november):
    a, admin_a = workplace()
    b, admin_b = workplace()
    challenge = running(a, admin_a, [(b, admin_b)])
    staff = factories.make_user(is_staff=True)
    factories.commit()
    response = login(staff).post(f"/challenges/{challenge.id}/scoring",
                                 data={"scoring": GIVERS_MONEY})
    assert response.status_code == 409
    assert "redan börjat" in response.get_data(as_text=True)
    assert scoring_of(challenge) == "total"


@pytest.mark.parametrize(("who", "status"), [("admin", 403), ("visitor", 302)])
def test_only_staff_change_a_scoring(login, client, app_ctx, mid_november, who, status):
    a, admin_a = workplace()
    b, _ = workplace()
    challenge = services.propose_challenge(
        a, [b], mid_november + timedelta(days=3), mid_november + timedelta(days=10), "total",
        None, "", actor=admin_a)
    factories.commit()
    user_client = login(admin_a) if who == "admin" else client
    response = user_client.post(f"/challenges/{challenge.id}/scoring",
                                data={"scoring": GIVERS_MONEY})
    assert response.status_code == status  # a visitor is sent to log in first
    assert scoring_of(challenge) == "total"


def test_a_bad_scoring_from_staff_is_refused_at_the_field(login, app_ctx, mid_november):
    a, admin_a = workplace()
    b, _ = workplace()
    challenge = services.propose_challenge(
        a, [b], mid_november + timedelta(days=3), mid_november + timedelta(days=10), "total",
        None, "", actor=admin_a)
    staff = factories.make_user(is_staff=True)
    factories.commit()
    response = login(staff).post(f"/challenges/{challenge.id}/scoring", data={"scoring": "x"})
    assert response.status_code == 422
    assert 'id="scoring-error"' in response.get_data(as_text=True)


def test_accepting_after_staff_changed_the_scoring_asks_again(login, app_ctx, mid_november):
    a, admin_a = workplace()
    b, admin_b = workplace()
    challenge = services.propose_challenge(
        a, [b], mid_november + timedelta(days=3), mid_november + timedelta(days=10), "total",
        None, "", actor=admin_a)
    factories.commit()
    response = login(admin_b).post(f"/challenges/{challenge.id}/accept", data={
        "company": str(b.id), "scoring": "total", "reply": ""})
    assert response.status_code == 302
    c, admin_c = workplace()
    later = services.propose_challenge(
        a, [c], mid_november + timedelta(days=3), mid_november + timedelta(days=10), "total",
        None, "",
        actor=admin_a)
    services.change_scoring(later, GIVERS_MONEY, None)
    factories.commit()
    response = login(admin_c).post(f"/challenges/{later.id}/accept", data={
        "company": str(c.id), "scoring": "total", "reply": ""})
    assert response.status_code == 409
    db.session.expire_all()
    assert db.session.get(Challenge, later.id).status == "proposed"


def test_a_challenge_scored_by_givers_times_money_is_settled_by_it(app, app_ctx, mid_november,
                                                                 freeze_clock):
    a, admin_a = workplace(name="Kopparlunden AB")
    b, admin_b = workplace(name="Lundby AB")
    challenge = running(a, admin_a, [(b, admin_b)], measure=GIVERS_MONEY, days=3)
    _givers(a, 1, 3000_00, status="received")
    _givers(b, 4, 500_00, status="received")
    factories.commit()
    day = settle_day(challenge, app)
    freeze_clock(datetime.combine(day, STOCKHOLM_NOON))
    assert services.settle_challenge(challenge, day) is True
    factories.commit()
    assert challenge.winner_id == b.id  # more money would have made it Kopparlunden


def test_a_challenge_spanning_rounds_shows_its_standing_per_round(client, app_ctx, freeze_clock):
    freeze_clock(datetime.combine(date(2026, 10, 25), STOCKHOLM_NOON))
    rounds.generate_monthly_rounds(1, None)
    a, admin_a = workplace(name="Kopparlunden AB")
    b, admin_b = workplace(name="Lundby AB")
    challenge = running(a, admin_a, [(b, admin_b)], measure=GIVERS_MONEY, days=20)
    _givers(a, 2, 100_00)  # October
    factories.commit()
    freeze_clock(datetime.combine(date(2026, 11, 5), STOCKHOLM_NOON))
    _givers(b, 3, 100_00)  # November
    factories.commit()
    from lokalamal_app.models import Round

    november = db.session.execute(db.select(Round).where(
        Round.starts_on == date(2026, 11, 1))).scalar_one()
    october = db.session.execute(db.select(Round).where(
        Round.starts_on == date(2026, 10, 1))).scalar_one()
    page = client.get(f"/challenges/{challenge.id}?round={october.id}").get_data(as_text=True)
    assert "Ställningen per omgång" in page
    table = page[page.index("Ställningen per omgång"):]
    assert table.index("Kopparlunden AB") < table.index("Lundby AB")
    page = client.get(f"/challenges/{challenge.id}?round={november.id}").get_data(as_text=True)
    table = page[page.index("Ställningen per omgång"):]
    assert table.index("Lundby AB") < table.index("Kopparlunden AB")
    # The honours of October name the leader of the challenge in October.
    freeze_clock(datetime.combine(date(2026, 11, 6), STOCKHOLM_NOON))
    honours = client.get("/leaderboards/honours").get_data(as_text=True)
    assert "Kopparlunden AB ledde med 100 poäng" in honours


def test_a_rematch_is_proposed_with_the_same_scoring(app, login, app_ctx, mid_november,
                                                    freeze_clock):
    a, admin_a = workplace()
    b, admin_b = workplace()
    challenge = running(a, admin_a, [(b, admin_b)], measure=GIVERS_MONEY, days=3)
    factories.commit()
    day = settle_day(challenge, app)
    freeze_clock(datetime.combine(day, STOCKHOLM_NOON))
    services.settle_challenge(challenge, day)
    factories.commit()
    form = login(admin_a).get(f"/challenges/new?rematch={challenge.id}").get_data(as_text=True)
    assert 'value="givers_money" selected' in form or 'selected value="givers_money"' in form
