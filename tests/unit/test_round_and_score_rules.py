"""The rules of rounds and of the givers × money scoring, without a database."""

from datetime import date
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from lokalamal_app.challenges.scoring import SHARE, givers_money_shares
from lokalamal_app.rounds import rules

sides = st.lists(st.tuples(st.integers(0, 500), st.integers(0, 10**9)), min_size=2,
                 max_size=6)


def test_a_workplace_with_twice_the_givers_and_the_same_money_gets_two_thirds():
    assert givers_money_shares([(20, 1000_00), (10, 1000_00)]) == [
        Fraction(200, 3), Fraction(100, 3)]


def test_money_without_givers_scores_nothing():
    assert givers_money_shares([(0, 5000_00), (3, 100_00)]) == [0, 100]


def test_before_anyone_gives_the_points_are_shared_equally():
    assert givers_money_shares([(0, 0), (0, 0)]) == [50, 50]


@given(sides)
def test_the_shares_always_add_up_to_a_hundred(found):
    assert sum(givers_money_shares(found)) == SHARE


@given(sides, st.randoms())
def test_the_shares_do_not_depend_on_the_order_of_the_sides(found, random):
    order = list(range(len(found)))
    random.shuffle(order)
    shares = givers_money_shares(found)
    shuffled = givers_money_shares([found[i] for i in order])
    assert shuffled == [shares[i] for i in order]


@given(sides, st.integers(0, 5), st.integers(0, 100), st.integers(0, 10**6))
def test_more_givers_or_more_money_never_lowers_a_share(found, index, more_givers, more_money):
    index %= len(found)
    givers, money = found[index]
    before = givers_money_shares(found)[index]
    for changed in ((givers + more_givers, money), (givers, money + more_money)):
        after = givers_money_shares(found[:index] + [changed] + found[index + 1:])[index]
        assert after >= before


@given(st.integers(0, 300), st.integers(0, 10**8))
def test_two_equal_workplaces_get_fifty_each(givers, money):
    assert givers_money_shares([(givers, money), (givers, money)]) == [50, 50]


def test_a_campaign_splits_into_calendar_months_cut_to_its_days():
    assert rules.months_between(date(2026, 9, 15), date(2026, 11, 10)) == [
        (date(2026, 9, 15), date(2026, 9, 30)),
        (date(2026, 10, 1), date(2026, 10, 31)),
        (date(2026, 11, 1), date(2026, 11, 10)),
    ]
    assert rules.months_between(date(2026, 12, 1), date(2027, 1, 31))[-1] == (
        date(2027, 1, 1), date(2027, 1, 31))


def test_rounds_that_share_a_day_overlap_and_neighbours_do_not():
    assert rules.overlaps(date(2026, 9, 1), date(2026, 9, 30), date(2026, 9, 30), date(2026, 10, 5))
    assert not rules.overlaps(date(2026, 9, 1), date(2026, 9, 30), date(2026, 10, 1),
                              date(2026, 10, 31))


def test_a_streak_counts_rounds_in_a_row_up_to_the_latest():
    assert rules.streak([True, False, True, True], last_running=False) == 2
    assert rules.streak([True, True, False], last_running=False) == 0


def test_a_running_round_without_a_collection_yet_keeps_the_streak():
    assert rules.streak([True, True, False], last_running=True) == 2
    assert rules.streak([True, True, True], last_running=True) == 3


@given(st.lists(st.booleans(), max_size=24), st.booleans())
def test_a_streak_is_never_longer_than_the_rounds_collected_in(active, running):
    found = rules.streak(active, running)
    assert 0 <= found <= sum(active)
    if active and active[-1]:
        assert found >= 1


@given(st.lists(st.booleans(), max_size=24))
def test_one_more_round_with_a_collection_adds_one_to_the_streak(active):
    assert rules.streak(active + [True], False) == rules.streak(active, False) + 1


def test_ties_share_a_rank_and_the_lower_id_comes_first():
    found = rules.ranked([(3, 10), (1, 30), (2, 30)], lambda r: r[1], lambda r: r[0])
    assert [(rank, position, item[0]) for rank, position, item in found] == [
        (1, 1, 1), (1, 2, 2), (3, 3, 3)]


def test_a_round_is_named_for_its_month_in_swedish():
    assert rules.month_name(date(2026, 11, 1)) == "November 2026"
