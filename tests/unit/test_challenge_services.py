"""Challenge rules, the stored figures beside the ledger, and settlement on received money."""

from datetime import timedelta

import pytest

from lokalamal_app import clock
from lokalamal_app.challenges import queries, services
from lokalamal_app.extensions import db
from lokalamal_app.ledger import services as ledger
from lokalamal_app.models import Challenge, ChallengeTally, Notification, OutboxMessage
from tests import factories
from tests.challenge_helpers import people_logging, running, settle_day, workplace


def _side(challenge, company):
    board = queries.board(challenge)
    return next(s for s in board.sides if s.company.id == company.id)


def test_collections_in_the_period_count_for_the_workplace(app_ctx):
    a, admin_a = workplace()
    b, admin_b = workplace()
    challenge = running(a, admin_a, [(b, admin_b)])
    team = factories.make_team(a)
    factories.make_collection(team, amount_ore=300_00)
    factories.make_collection(team, amount_ore=999_00, collected_on=clock.today() - timedelta(days=1))
    side = _side(challenge, a)
    assert side.reported_ore == 300_00
    assert side.received_ore == 0
    assert _side(challenge, b).reported_ore == 0


def test_attest_receive_reject_and_reverse_move_the_challenge_figures(app_ctx):
    a, admin_a = workplace()
    b, admin_b = workplace()
    challenge = running(a, admin_a, [(b, admin_b)])
    team = factories.make_team(a)
    kept = factories.make_collection(team, amount_ore=200_00)
    attested = factories.make_collection(team, amount_ore=30_00)
    dropped = factories.make_collection(team, amount_ore=50_00)
    withdrawn = factories.make_collection(team, amount_ore=70_00)
    ledger.attest_entry(kept, admin_a)
    ledger.receive_entry(kept, factories.make_user(is_staff=True), "Kvitto 1")
    ledger.attest_entry(attested, admin_a)
    ledger.reject_entry(dropped, admin_a, "Kom aldrig in")
    ledger.reverse_entry(withdrawn, admin_a, "Dubbelt loggad")
    side = _side(challenge, a)
    assert (side.reported_ore, side.attested_ore, side.received_ore) == (
        230_00, 230_00, 200_00)


def test_a_goal_challenge_counts_only_that_goal(app_ctx):
    a, admin_a = workplace()
    b, admin_b = workplace()
    goal_id = factories.goal(3).id
    challenge = running(a, admin_a, [(b, admin_b)], goal_id=goal_id)
    factories.make_collection(factories.make_team(a, goal_number=3), amount_ore=100_00)
    factories.make_collection(factories.make_team(a, goal_number=1), amount_ore=900_00)
    assert _side(challenge, a).reported_ore == 100_00


def test_collections_logged_before_the_proposal_on_the_first_day_count(app_ctx):
    a, admin_a = workplace()
    b, admin_b = workplace()
    factories.make_collection(factories.make_team(b), amount_ore=450_00)
    challenge = running(a, admin_a, [(b, admin_b)])
    assert _side(challenge, b).reported_ore == 450_00


def test_per_employee_lets_a_small_workplace_beat_a_large_one(app, app_ctx):
    small, small_admin = workplace(headcount=5)
    large, large_admin = workplace(headcount=100)
    challenge = running(small, small_admin, [(large, large_admin)], measure="per_employee")
    people_logging(small, 2, amount_ore=500_00)   # 1 000 kr / 5 = 200 kr each
    people_logging(large, 10, amount_ore=500_00)  # 5 000 kr / 100 = 50 kr each
    board = queries.board(challenge)
    assert board.leader.company.id == small.id
    assert board.margin == 150_00
    assert services.settle_challenge(challenge, settle_day(challenge, app))
    assert challenge.winner_id == small.id


def test_total_lets_the_large_workplace_win_the_same_money(app, app_ctx):
    small, small_admin = workplace(headcount=5)
    large, large_admin = workplace(headcount=100)
    challenge = running(small, small_admin, [(large, large_admin)], measure="total")
    people_logging(small, 2, amount_ore=500_00)
    people_logging(large, 10, amount_ore=500_00)
    services.settle_challenge(challenge, settle_day(challenge, app))
    assert challenge.winner_id == large.id


def test_participation_counts_distinct_people_against_headcount(app, app_ctx):
    small, small_admin = workplace(headcount=4)
    large, large_admin = workplace(headcount=50)
    challenge = running(small, small_admin, [(large, large_admin)], measure="participation")
    team, entries = people_logging(small, 3)          # 3 of 4 = 75 %
    factories.make_collection(team, amount_ore=10_00, logged_by=entries[0].logged_by,
                              status="received")      # the same person again: still 3
    people_logging(large, 10, amount_ore=10_000_00)   # 10 of 50 = 20 %, far more money
    side = _side(challenge, small)
    assert side.people_reported == 3
    assert float(side.score) == pytest.approx(0.75)
    assert float(_side(challenge, large).score) == pytest.approx(0.2)
    services.settle_challenge(challenge, settle_day(challenge, app))
    assert challenge.winner_id == small.id
    finals = {p.company_id: (p.final_people, p.final_headcount) for p in challenge.participants}
    assert finals == {small.id: (3, 4), large.id: (10, 50)}


def test_a_reversal_by_an_admin_takes_the_original_logger_out_of_participation(app_ctx):
    a, admin_a = workplace(headcount=4)
    b, admin_b = workplace()
    challenge = running(a, admin_a, [(b, admin_b)], measure="participation")
    _team, entries = people_logging(a, 2, status="pending")
    ledger.reverse_entry(entries[0], admin_a, "Fel lag")
    assert _side(challenge, a).people_reported == 1


def test_settlement_is_on_received_money_and_frozen(app, app_ctx):
    a, admin_a = workplace()
    b, admin_b = workplace()
    challenge = running(a, admin_a, [(b, admin_b)])
    _team, pending = people_logging(a, 1, amount_ore=5_000_00, status="pending")
    people_logging(b, 1, amount_ore=1_000_00, status="received")
    assert queries.board(challenge).leader.company.id == a.id  # preliminary, on reported money
    day = settle_day(challenge, app)
    assert not services.settle_challenge(challenge, day - timedelta(days=1))
    assert challenge.settled_at is None
    assert services.settle_challenge(challenge, day)
    assert challenge.winner_id == b.id
    assert challenge.settled_on == day
    # Late: the result does not move.
    ledger.receive_entry(pending[0], factories.make_user(is_staff=True), "Kvitto 1")
    board = queries.board(challenge, today=day)
    assert board.phase == "settled"
    assert {s.company.id: s.received_ore for s in board.sides} == {a.id: 0, b.id: 1_000_00}
    assert not services.settle_challenge(challenge, day)


def test_equal_figures_settle_as_a_draw(app, app_ctx):
    a, admin_a = workplace()
    b, admin_b = workplace()
    challenge = running(a, admin_a, [(b, admin_b)])
    people_logging(a, 1)
    people_logging(b, 1)
    services.settle_challenge(challenge, settle_day(challenge, app))
    assert challenge.settled_at is not None and challenge.winner_id is None
    assert [p.final_rank for p in challenge.participants] == [1, 1]


def test_proposing_tells_the_challenged_admins_in_the_app_and_by_email_after_the_commit(
        app_ctx):
    a, admin_a = workplace()
    b, admin_b = workplace()
    running(a, admin_a, [(b, admin_b)], accept=False)
    # Nothing is told (nor mailed) while the proposal holds the workplaces locked.
    assert db.session.execute(db.select(Notification)).scalars().all() == []
    assert db.session.execute(db.select(OutboxMessage)).scalars().all() == []
    db.session.commit()
    assert services.send_notices() == 1
    db.session.commit()
    note = db.session.execute(db.select(Notification).where(
        Notification.user_id == admin_b.id)).scalar_one()
    assert a.name in note.text and note.link.startswith("/challenges/")
    mail = db.session.execute(db.select(OutboxMessage).where(
        OutboxMessage.to == admin_b.email)).scalar_one()
    assert "utmanar er" in mail.subject


def test_one_pair_cannot_have_two_overlapping_challenges(app_ctx):
    a, admin_a = workplace()
    b, admin_b = workplace()
    c, admin_c = workplace()
    running(a, admin_a, [(b, admin_b)], days=30, accept=False)
    today = clock.today()
    with pytest.raises(services.ChallengeError) as exc:
        services.propose_challenge(b, [a], today + timedelta(days=5), today + timedelta(days=40),
                                   "total", None, "", actor=admin_b)
    assert exc.value.status == 409
    # Another pair, and the same pair after the first one ends, are fine.
    services.propose_challenge(a, [c], today, today + timedelta(days=5), "total", None, "",
                               actor=admin_a)
    services.propose_challenge(a, [b], today + timedelta(days=30), today + timedelta(days=40),
                               "total", None, "", actor=admin_a)


def test_a_declined_challenge_frees_the_pair_for_a_new_one(app_ctx):
    a, admin_a = workplace()
    b, admin_b = workplace()
    first = running(a, admin_a, [(b, admin_b)], accept=False)
    services.answer_challenge(first, b, False, "Inte nu", admin_b)
    assert first.status == "declined"
    running(a, admin_a, [(b, admin_b)])


def test_several_workplaces_in_one_challenge(app_ctx):
    a, admin_a = workplace(headcount=10)
    b, admin_b = workplace(headcount=10)
    c, admin_c = workplace(headcount=10)
    challenge = running(a, admin_a, [(b, admin_b), (c, admin_c)], accept=False)
    services.answer_challenge(challenge, b, True, "", admin_b)
    assert challenge.status == "proposed"  # still waiting for c
    services.answer_challenge(challenge, c, False, "", admin_c)
    assert challenge.status == "accepted"
    people_logging(b, 2)
    people_logging(a, 1)
    board = queries.board(challenge)
    assert [s.company.id for s in board.sides] == [b.id, a.id]


@pytest.mark.parametrize("start, end, message", [
    (-1, 5, "förflutna"),
    (5, 4, "Slutdatumet"),
    (0, 366, "högst ett år"),
])
def test_bad_periods_are_refused(app_ctx, start, end, message):
    a, admin_a = workplace()
    b, _ = workplace()
    today = clock.today()
    with pytest.raises(services.ChallengeError, match=message):
        services.propose_challenge(a, [b], today + timedelta(days=start),
                                   today + timedelta(days=end), "total", None, "", actor=admin_a)
    assert db.session.execute(db.select(db.func.count(Challenge.id))).scalar_one() == 0


def test_a_year_long_period_is_allowed(app_ctx):
    a, admin_a = workplace()
    b, _ = workplace()
    today = clock.today()
    services.propose_challenge(a, [b], today, today + timedelta(days=365), "total", None, "",
                               actor=admin_a)


def test_settle_due_settles_only_what_is_due(app, app_ctx):
    a, admin_a = workplace()
    b, admin_b = workplace()
    challenge = running(a, admin_a, [(b, admin_b)])
    proposed = running(a, admin_a, [(workplace()[0], None)], accept=False)
    day = settle_day(challenge, app)
    assert services.settle_due(day - timedelta(days=1)) == 0
    assert services.settle_due(day) == 1
    assert challenge.settled_at is not None and proposed.settled_at is None


def test_neighbours_are_suggested_by_address_then_postcode_then_city(app_ctx):
    home, _ = workplace(street="Kopparbergsvägen 17", postcode="72213", city="Västerås")
    same_house, _ = workplace(name="Zeta AB", street="kopparbergsvägen  17", postcode="72213")
    same_code, _ = workplace(name="Alfa AB", street="Annan väg 1", postcode="72213")
    same_city, _ = workplace(name="Aaa AB", street="Långt bort 9", postcode="72999")
    workplace(name="Eskilstuna AB", street="X 1", postcode="63220", city="Eskilstuna")
    suggested = queries.neighbours(home)
    assert [c.id for c, _ in suggested] == [same_house.id, same_code.id, same_city.id]
    assert [why for _, why in suggested] == ["samma adress", "samma postnummer", "samma ort"]


def test_figures_are_stored_not_summed_from_the_ledger(app_ctx):
    a, admin_a = workplace()
    b, admin_b = workplace()
    challenge = running(a, admin_a, [(b, admin_b)])
    people_logging(a, 2, amount_ore=100_00)
    row = db.session.execute(db.select(ChallengeTally).where(
        ChallengeTally.challenge_id == challenge.id, ChallengeTally.company_id == a.id,
        ChallengeTally.kind == "company")).scalar_one()
    assert (row.reported_ore, row.received_ore, row.reported_count) == (200_00, 200_00, 2)


def test_per_employee_is_measured_on_the_headcount_each_workplace_had_when_it_accepted(
        app, app_ctx):
    small, small_admin = workplace(headcount=5)
    large, large_admin = workplace(headcount=100)
    challenge = running(small, small_admin, [(large, large_admin)], measure="per_employee")
    people_logging(small, 1, amount_ore=500_00)    # 500 kr / 5 = 100 kr each
    people_logging(large, 1, amount_ore=5_000_00)  # 5 000 kr / 100 = 50 kr each
    large.headcount = 2  # lowered afterwards: 2 500 kr each, were it counted
    factories.commit()
    assert {p.company_id: p.headcount for p in challenge.participants} == {
        small.id: 5, large.id: 100}
    assert queries.board(challenge).leader.company.id == small.id
    assert services.settle_challenge(challenge, settle_day(challenge, app))
    assert challenge.winner_id == small.id
    assert {p.company_id: p.final_headcount for p in challenge.participants} == {
        small.id: 5, large.id: 100}


def test_the_challengers_headcount_is_fixed_when_the_challenge_is_accepted(app_ctx):
    a, admin_a = workplace(headcount=5)
    b, admin_b = workplace(headcount=7)
    c, admin_c = workplace(headcount=9)
    challenge = running(a, admin_a, [(b, admin_b), (c, admin_c)], measure="per_employee",
                        accept=False)
    a.headcount = 6
    services.answer_challenge(challenge, b, True, "", admin_b)
    assert challenge.status == "proposed"
    assert {p.company_id: p.headcount for p in challenge.participants} == {
        a.id: None, b.id: 7, c.id: None}
    a.headcount, b.headcount = 8, 1
    services.answer_challenge(challenge, c, True, "", admin_c)
    assert challenge.status == "accepted"
    assert {p.company_id: p.headcount for p in challenge.participants} == {
        a.id: 8, b.id: 7, c.id: 9}


def test_answering_tells_the_challenger_only_once_committed(app_ctx):
    a, admin_a = workplace()
    b, admin_b = workplace()
    challenge = running(a, admin_a, [(b, admin_b)], accept=False)
    db.session.commit()
    services.send_notices()
    db.session.commit()
    services.answer_challenge(challenge, b, True, "Kör!", admin_b)
    assert db.session.execute(db.select(Notification).where(
        Notification.user_id == admin_a.id)).scalars().all() == []
    db.session.commit()
    assert services.send_notices() == 1
    db.session.commit()
    note = db.session.execute(db.select(Notification).where(
        Notification.user_id == admin_a.id)).scalar_one()
    assert b.name in note.text


def test_a_rolled_back_proposal_tells_no_one(app_ctx):
    a, admin_a = workplace()
    b, admin_b = workplace()
    factories.commit()
    running(a, admin_a, [(b, admin_b)], accept=False)
    db.session.rollback()
    assert services.send_notices() == 0
    assert db.session.execute(db.select(Notification)).scalars().all() == []


def test_a_missing_challenge_is_none_for_the_queries(app_ctx):
    assert queries.challenge_by_id(999_999) is None


def test_the_admin_who_attests_a_matched_gift_does_not_take_part(app_ctx):
    """The employer's match is written when an admin attests a gift; it counts for the
    giver, so the admin (who gave nothing) is not a participant, neither when the gift is
    attested nor when the mission receives it."""
    from lokalamal_app.payroll import matching

    a, admin_a = workplace(headcount=4)
    b, admin_b = workplace()
    matching.add_rule(a, 50, 100_000, "all", clock.today() - timedelta(days=30), None, admin_a)
    challenge = running(a, admin_a, [(b, admin_b)], measure="participation")
    _team, entries = people_logging(a, 1, status="pending")
    ledger.attest_entry(entries[0], admin_a)
    side = _side(challenge, a)
    assert side.people_reported == 1
    assert side.attested_ore == 150_00  # the gift and its match
    assert side.received_ore == 0
    ledger.receive_entry(entries[0], factories.make_user(is_staff=True), "Kvitto 1")
    assert _side(challenge, a).people_reported == 1
    assert _side(challenge, a).people_received == 1
