"""What the TV celebrates, derived from the ledger: a team passing a quarter, half or all
of its target, a workplace taking the lead in a challenge, a new record day."""

from datetime import UTC, date, datetime, timedelta

import pytest

from lokalamal_app.leaderboards import events
from lokalamal_app.ledger import services as ledger
from tests import challenge_helpers, factories

NOON = datetime(2026, 11, 18, 11, 0, tzinfo=UTC)  # a Wednesday in the seeded campaign


@pytest.fixture
def team(app_ctx, freeze_clock):
    freeze_clock(NOON)
    company = factories.make_company()
    return factories.make_team(company, name="Kaffekoppen", target_ore=1000_00)


def _happened(after: int, kind=None) -> list[events.Event]:
    found, _cursor = events.events_since(after)
    return [e for e in found if kind is None or e.kind == kind]


def _cursor() -> int:
    return events.latest_entry_id()


def test_a_team_is_cheered_at_a_quarter_half_and_all_of_its_target(team):
    start = _cursor()
    factories.make_collection(team, amount_ore=200_00)   # 20 %
    crossing_quarter = factories.make_collection(team, amount_ore=100_00)  # 30 %
    factories.make_collection(team, amount_ore=100_00)   # 40 %
    crossing_half = factories.make_collection(team, amount_ore=100_00)  # exactly 50 %
    crossing_all = factories.make_collection(team, amount_ore=600_00)  # 110 %
    found = _happened(start, "team_milestone")
    assert [(e.entry_id, e.text) for e in found] == [
        (crossing_quarter.id, "Laget Kaffekoppen passerade en fjärdedel av målet!"),
        (crossing_half.id, "Laget Kaffekoppen passerade halva målet!"),
        (crossing_all.id, "Laget Kaffekoppen har nått hela sitt mål!"),
    ]


def test_the_total_before_the_entry_decides_so_a_tv_that_saw_it_is_not_told_again(team):
    factories.make_collection(team, amount_ore=450_00)
    seen = _cursor()
    crossing = factories.make_collection(team, amount_ore=100_00)  # 45 % -> 55 %
    found = _happened(seen, "team_milestone")
    assert [e.entry_id for e in found] == [crossing.id]
    # The next poll starts after it: nothing new, and a later entry above 50 % is no event.
    factories.make_collection(team, amount_ore=50_00)
    assert _happened(crossing.id, "team_milestone") == []


def test_one_entry_passing_several_lines_is_cheered_once_for_the_highest(team):
    start = _cursor()
    factories.make_collection(team, amount_ore=1200_00)
    found = _happened(start, "team_milestone")
    assert [e.text for e in found] == ["Laget Kaffekoppen har nått hela sitt mål!"]


def test_a_rejected_collection_makes_no_milestone(team):
    staff = factories.make_user(is_staff=True)
    start = _cursor()
    big = factories.make_collection(team, amount_ore=600_00)
    ledger.reject_entry(big, staff, "Fel belopp")
    factories.make_collection(team, amount_ore=100_00)
    assert _happened(start, "team_milestone") == []


def test_passing_the_same_line_again_after_a_reversal_is_not_cheered_twice(team):
    staff = factories.make_user(is_staff=True)
    first = factories.make_collection(team, amount_ore=600_00)
    ledger.reverse_entry(first, staff, "Dubbelregistrerad")
    seen = _cursor()
    factories.make_collection(team, amount_ore=600_00)
    assert _happened(seen, "team_milestone") == []


def test_a_team_without_a_target_has_no_milestones(app_ctx, freeze_clock):
    freeze_clock(NOON)
    team = factories.make_team(factories.make_company(), target_ore=None)
    start = _cursor()
    factories.make_collection(team, amount_ore=5000_00)
    assert _happened(start, "team_milestone") == []


def test_a_workplace_taking_the_lead_in_a_challenge_is_an_event(app_ctx, freeze_clock):
    freeze_clock(NOON)
    ours, admin = challenge_helpers.workplace(name="Mälarhamnen AB")
    theirs = challenge_helpers.workplace(name="Kopparlunden AB")
    challenge_helpers.running(ours, admin, [theirs])
    our_team = factories.make_team(ours, target_ore=None)
    their_team = factories.make_team(theirs[0], target_ore=None)
    start = _cursor()
    first = factories.make_collection(our_team, amount_ore=100_00)
    factories.make_collection(their_team, amount_ore=100_00)  # a tie: nobody leads
    overtaking = factories.make_collection(their_team, amount_ore=1_00)
    factories.make_collection(their_team, amount_ore=50_00)  # still leading: no event
    found = _happened(start, "challenge_lead")
    assert [(e.entry_id, e.text) for e in found] == [
        (first.id, "Mälarhamnen AB tar ledningen mot Kopparlunden AB!"),
        (overtaking.id, "Kopparlunden AB tar ledningen mot Mälarhamnen AB!"),
    ]
    assert _happened(overtaking.id, "challenge_lead") == []


def test_a_new_record_day_is_an_event_once(app_ctx, freeze_clock):
    freeze_clock(NOON)
    team = factories.make_team(factories.make_company(), target_ore=None)
    yesterday = NOON.date() - timedelta(days=1)
    factories.make_collection(team, amount_ore=300_00, collected_on=yesterday)
    start = _cursor()
    factories.make_collection(team, amount_ore=200_00)  # today 200 kr: not yet
    record = factories.make_collection(team, amount_ore=150_00)  # today 350 kr > 300 kr
    factories.make_collection(team, amount_ore=150_00)  # still the record day: no event
    found = _happened(start, "record_day")
    assert [(e.entry_id, e.text) for e in found] == [
        (record.id, "Ny dagsrekord! 350\xa0kr insamlat i dag."),
    ]


def test_the_first_day_of_money_is_no_record(app_ctx, freeze_clock):
    freeze_clock(NOON)
    team = factories.make_team(factories.make_company(), target_ore=None)
    start = _cursor()
    factories.make_collection(team, amount_ore=300_00)
    assert _happened(start, "record_day") == []


def test_a_record_day_counts_stockholm_days(app_ctx, freeze_clock):
    # 23:30 UTC on the 17th is already the 18th in Stockholm: both collections are one day.
    freeze_clock(datetime(2026, 11, 17, 23, 30, tzinfo=UTC))
    team = factories.make_team(factories.make_company(), target_ore=None)
    factories.make_collection(team, amount_ore=100_00, collected_on=date(2026, 11, 16))
    start = _cursor()
    factories.make_collection(team, amount_ore=60_00)
    freeze_clock(NOON)
    factories.make_collection(team, amount_ore=60_00)
    found = _happened(start, "record_day")
    assert [e.text for e in found] == ["Ny dagsrekord! 120\xa0kr insamlat i dag."]


def test_an_old_cursor_reaches_back_only_a_window_of_entries(team, monkeypatch):
    monkeypatch.setattr(events, "WINDOW", 2)
    factories.make_collection(team, amount_ore=600_00)  # passes half, but out of the window
    factories.make_collection(team, amount_ore=10_00)
    factories.make_collection(team, amount_ore=10_00)
    found, cursor = events.events_since(0)
    assert found == []
    assert cursor == _cursor()


def test_a_promise_kept_is_cheered_by_the_stretch_in_which_it_was_reached(team, freeze_clock):
    from lokalamal_app.milestones import services as milestones

    captain = factories.make_user()
    factories.make_collection(team, amount_ore=100_00)
    factories.commit()
    start = _cursor()
    freeze_clock(NOON + timedelta(minutes=1))
    milestone = milestones.add_milestone(team.company_id, team.id, 300_00,
                                         "Chefen bjuder på tårta", captain)
    reaching = factories.make_collection(team, amount_ore=250_00)  # 100 -> 350 kr
    factories.commit()  # the milestone is marked as the entry commits

    found = _happened(start, "promise")
    assert [(e.key, e.text) for e in found] == [
        (f"milestone-{milestone.id}", "Kaffekoppen nådde 300\u00a0kr: Chefen bjuder på tårta")]
    assert found[0].look is not None  # the team's badge goes with it

    # The next stretch starts after the entry that reached it: nothing to cheer again.
    freeze_clock(NOON + timedelta(minutes=2))
    factories.make_collection(team, amount_ore=10_00)
    factories.commit()
    assert _happened(reaching.id, "promise") == []
