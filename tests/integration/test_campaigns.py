"""Campaigns are data: a new campaign never rewrites an old one's figures, boards of "this
campaign" show the running one, and a goal's team board shows that goal's money only."""

from datetime import date

import pytest

from lokalamal_app import campaigns
from lokalamal_app.extensions import db
from lokalamal_app.ledger import totals
from lokalamal_app.models import AuditEvent, Campaign
from lokalamal_app.staff import services as staff_services
from lokalamal_app.staff.services import StaffError
from lokalamal_app.teams import services as team_services
from tests import factories
from tests.races import posts_at_once


def on_day(monkeypatch, day: date) -> None:
    """Make `day` today for deciding which campaign runs (collections are still dated by
    the real calendar, so tests use days before it)."""
    monkeypatch.setattr(campaigns, "today", lambda: day)


def figures(subject, subject_id, period) -> tuple[int, int, int] | None:
    """(reported, received, count) of one stored total; ("all", 0) is every goal together."""
    if subject == "all":
        row = totals.overall([period])[period]
        return (row.reported_ore, row.received_ore, row.entry_count)
    row = totals.figures(subject, subject_id, period)
    return None if row is None else (row.reported_ore, row.received_ore, row.entry_count)


@pytest.fixture
def world(app_ctx):
    staff = factories.make_user(is_staff=True, email="staff@example.se")
    member = factories.make_user(display_name="Maja Medlem")
    company = factories.make_company(name="Kopparlunden AB")
    team = factories.make_team(company, captain=member, name="Fikagänget", goal_number=3)
    factories.commit()
    return type("World", (), dict(**locals()))


def test_the_migration_makes_the_first_campaign_from_the_old_default(app_ctx):
    first = db.session.execute(db.select(Campaign)).scalar_one()
    assert (first.id, first.name, first.starts_on, first.ends_on) == (
        1, "Lokala mål 2026", date(2026, 9, 1), None)
    assert totals.periods_for(date(2026, 9, 1)) == ["all", "2026-09", "c1"]
    assert totals.periods_for(date(2026, 8, 31)) == ["all", "2026-08"]


def test_a_new_campaign_leaves_the_old_figures_and_boards_show_the_new_one(
        world, monkeypatch, runner, client):
    on_day(monkeypatch, date(2026, 10, 20))
    factories.make_collection(world.team, 300_00, collected_on=date(2026, 10, 5))
    factories.make_collection(world.team, 100_00, collected_on=date(2026, 9, 10))
    factories.make_collection(world.team, 50_00, collected_on=date(2026, 8, 10))  # before any
    factories.commit()
    assert figures("all", 0, "c1") == (400_00, 0, 2)

    new = staff_services.add_campaign("Lokala mål 2027", date(2026, 11, 1), None, world.staff)
    factories.commit()
    assert db.session.get(Campaign, 1).ends_on == date(2026, 10, 31)

    on_day(monkeypatch, date(2026, 11, 15))
    factories.make_collection(world.team, 200_00, collected_on=date(2026, 11, 10))
    factories.commit()

    assert figures("all", 0, "c1") == (400_00, 0, 2)
    assert figures("team", world.team.id, "c1") == (400_00, 0, 2)
    assert figures("all", 0, new.period) == (200_00, 0, 1)
    assert figures("all", 0, "all") == (650_00, 0, 4)
    result = runner.invoke(args=["ledger-check"])
    assert result.exit_code == 0, result.output

    answer = client.get("/api/leaderboards/teams?period=campaign").get_json()
    assert [e["reported_ore"] for e in answer["entries"]] == [200_00]
    assert answer["campaign"] == {"name": "Lokala mål 2027", "starts_on": "2026-11-01",
                                  "ends_on": None}
    html = client.get("/leaderboards/teams?period=campaign").get_data(as_text=True)
    assert "Lokala mål 2027" in html and "200\u00a0kr" in html


def test_a_backdated_collection_counts_in_the_campaign_its_date_falls_in(world, monkeypatch):
    on_day(monkeypatch, date(2026, 10, 20))
    new = staff_services.add_campaign("Vinter", date(2026, 11, 1), date(2026, 11, 20),
                                      world.staff)
    factories.commit()
    on_day(monkeypatch, date(2026, 11, 15))
    factories.make_collection(world.team, 70_00, collected_on=date(2026, 10, 30))
    factories.commit()
    assert figures("team", world.team.id, "c1") == (70_00, 0, 1)
    assert figures("team", world.team.id, new.period) is None


def test_with_no_campaign_running_the_campaign_board_is_empty_and_says_so(world, monkeypatch,
                                                                           client):
    on_day(monkeypatch, date(2026, 10, 20))
    staff_services.add_campaign("Kort", date(2026, 10, 21), date(2026, 10, 25), world.staff)
    factories.make_collection(world.team, 80_00, collected_on=date(2026, 10, 2))
    factories.commit()
    on_day(monkeypatch, date(2026, 10, 26))  # after "Kort", and campaign 1 ended before it
    answer = client.get("/api/leaderboards/teams?period=campaign").get_json()
    assert answer["entries"] == [] and answer["campaign"] is None
    html = client.get("/leaderboards/teams?period=campaign").get_data(as_text=True)
    assert "Ingen kampanj pågår just nu" in html


def test_a_team_that_changes_goal_brings_only_new_money_to_the_new_goals_board(world, client):
    old_goal, new_goal = factories.goal(3), factories.goal(1)
    factories.make_collection(world.team, 400_00, collected_on=date(2026, 10, 1))
    other = factories.make_team(world.company, name="Grannlaget", goal_number=1)
    factories.make_collection(other, 100_00, collected_on=date(2026, 10, 1))
    team_services.update_team(world.team, {"name": world.team.name, "goal_id": new_goal.id},
                              world.member)
    factories.make_collection(world.team, 30_00, collected_on=date(2026, 10, 2))
    factories.commit()

    def board(goal):
        answer = client.get(f"/api/leaderboards/goals/{goal.slug}/teams").get_json()
        return {e["name"]: e["reported_ore"] for e in answer["entries"]}

    assert board(new_goal) == {"Grannlaget": 100_00, "Fikagänget": 30_00}
    assert board(old_goal) == {"Fikagänget": 400_00}
    # The team's own total is still everything it raised.
    assert figures("team", world.team.id, "all") == (430_00, 0, 2)
    html = client.get(f"/goals/{new_goal.slug}").get_data(as_text=True)
    assert "Fikagänget" in html and "30\u00a0kr" in html and "430\u00a0kr" not in html


# --- Staff add campaigns --------------------------------------------------------------

def campaign_form(**values):
    data = {"name": "Lokala mål 2027", "starts_on": "2027-09-01", "ends_on": ""}
    data.update(values)
    return data


def test_staff_see_the_campaigns_and_add_the_next_one(world, login, monkeypatch):
    on_day(monkeypatch, date(2026, 11, 30))
    client = login(world.staff)
    html = client.get("/staff/campaigns").get_data(as_text=True)
    assert "Lokala mål 2026" in html and "pågår" in html
    response = client.post("/staff/campaigns", data=campaign_form())
    assert response.status_code == 302
    rows = db.session.execute(db.select(Campaign).order_by(Campaign.id)).scalars().all()
    assert [(c.name, c.starts_on, c.ends_on) for c in rows] == [
        ("Lokala mål 2026", date(2026, 9, 1), date(2027, 8, 31)),
        ("Lokala mål 2027", date(2027, 9, 1), None),
    ]
    actions = db.session.execute(db.select(AuditEvent.action)).scalars().all()
    assert "campaign.add" in actions and "campaign.close" in actions
    html = client.get("/staff/campaigns").get_data(as_text=True)
    assert "Kampanjen Lokala mål 2027 är tillagd." in html
    overview = client.get("/staff").get_data(as_text=True)
    assert "rapporterat under Lokala mål 2026" in overview


@pytest.mark.parametrize("values, message", [
    ({"starts_on": "2026-11-30"}, "En ny kampanj kan börja tidigast i morgon."),
    ({"ends_on": "2027-08-01"}, "Sista dagen måste komma efter den första."),
    ({"ends_on": "2027-09-01"}, "Sista dagen måste komma efter den första."),
    ({"starts_on": "inte ett datum"}, "Skriv datumet som ÅÅÅÅ-MM-DD."),
    ({"name": "  "}, "Ge kampanjen ett namn."),
])
def test_a_campaign_with_bad_dates_is_refused_at_the_field(world, login, monkeypatch, values,
                                                            message):
    on_day(monkeypatch, date(2026, 11, 30))
    response = login(world.staff).post("/staff/campaigns", data=campaign_form(**values))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.execute(db.select(db.func.count(Campaign.id))).scalar_one() == 1


def test_campaigns_may_not_overlap(world, login, monkeypatch):
    on_day(monkeypatch, date(2026, 11, 30))
    client = login(world.staff)
    assert client.post("/staff/campaigns", data=campaign_form(
        name="Vår", starts_on="2027-03-01", ends_on="2027-05-31")).status_code == 302
    response = client.post("/staff/campaigns", data=campaign_form(
        name="Påsk", starts_on="2027-04-01", ends_on="2027-04-20"))
    assert response.status_code == 422
    assert "Datumen krockar med kampanjen Vår." in response.get_data(as_text=True)
    # An open campaign before a planned one would run into it.
    response = client.post("/staff/campaigns", data=campaign_form(
        name="Sommar", starts_on="2027-02-01", ends_on=""))
    assert response.status_code == 422
    with pytest.raises(StaffError):
        staff_services.add_campaign("Sommar", date(2027, 5, 1), date(2027, 6, 1), world.staff)


def test_only_staff_reach_the_campaigns(world, login):
    assert login(world.member).get("/staff/campaigns").status_code == 403
    assert login(world.member).post("/staff/campaigns", data=campaign_form()).status_code == 403


def test_two_overlapping_campaigns_added_at_once_leave_one(world, login, monkeypatch):
    """Two staff members add the next campaign at the same moment, with dates that overlap:
    one is added, the other is told at the field; a collection never counts in two
    campaigns. (A race on PostgreSQL; on SQLite the second simply comes after.)"""
    on_day(monkeypatch, date(2026, 11, 30))
    other = factories.make_user(is_staff=True)
    factories.commit()
    for round_number in range(4):
        year = 2027 + round_number
        forms = (campaign_form(name=f"Höst {year}", starts_on=f"{year}-09-01",
                               ends_on=f"{year}-12-31"),
                 campaign_form(name=f"Vinter {year}", starts_on=f"{year}-10-01",
                               ends_on=f"{year + 1}-02-28"))
        answers = posts_at_once((login(world.staff), "/staff/campaigns", forms[0]),
                                (login(other), "/staff/campaigns", forms[1]))
        assert sorted(a.status_code for a in answers) == [302, 422]
        assert "Datumen krockar med kampanjen" in next(
            a.get_data(as_text=True) for a in answers if a.status_code == 422)
        rows = db.session.execute(db.select(Campaign.starts_on, Campaign.ends_on)
                                  .order_by(Campaign.starts_on)).all()
        for (_start, end), (next_start, _end) in zip(rows, rows[1:], strict=False):
            assert end is not None and end < next_start
