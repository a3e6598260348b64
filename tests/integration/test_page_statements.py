"""The pages a visitor opens take the same number of SQL statements however much data there
is: no statement per team, member, entry or workplace (no N+1)."""

import pytest

from lokalamal_app.extensions import db
from lokalamal_app.models import Goal
from tests import challenge_helpers, factories


def _grow(company, rival, team, captain, teams: int, members: int, entries: int):
    """More of everything around the pages' subjects: teams in the workplace, members and
    entries in the team, other workplaces with teams and entries of their own."""
    for n in range(teams):
        other = factories.make_team(company, goal_number=n % 5 + 1)
        factories.make_collection(other, amount_ore=(n + 1) * 10_00)
        far = factories.make_company()
        far_team = factories.make_team(far, captain=factories.make_user(), goal_number=3)
        factories.make_collection(far_team, amount_ore=(n + 2) * 10_00)
        rival_team = factories.make_team(rival, goal_number=n % 5 + 1)
        factories.make_collection(rival_team, amount_ore=(n + 3) * 10_00)
    for _ in range(members):
        person = factories.make_user(show_name=True)
        factories.join_team(team, person)
        factories.make_collection(team, amount_ore=25_00, logged_by=person)
    for n in range(entries):
        factories.make_collection(team, amount_ore=(n + 1) * 100, logged_by=captain,
                                  status=("received", "attested", "pending")[n % 3])
    factories.commit()


def _pages(company, team, challenge) -> dict[str, str]:
    goal = db.session.get(Goal, team.goal_id)
    return {
        "home": "/",
        "goal": f"/goals/{goal.slug}",
        "team": f"/teams/{team.slug}",
        "workplace": f"/companies/{company.slug}",
        "workplaces": "/companies",
        "board": f"/leaderboards/companies/{company.slug}/teams",
        "all_workplaces_board": "/leaderboards/companies",
        "challenge": f"/challenges/{challenge.id}",
        "tv": "/leaderboards/tv",
        "challenge_tv": f"/challenges/{challenge.id}/tv",
    }


def _counts(client, pages: dict[str, str], count_queries) -> dict[str, int]:
    counts = {}
    for name, url in pages.items():
        with count_queries() as counter:
            response = client.get(url)
        assert response.status_code == 200, (name, url, response.status_code)
        counts[name] = counter.count
    return counts


@pytest.fixture
def world(app_ctx):
    company, admin = challenge_helpers.workplace(name="Räknebolaget AB")
    rival, rival_admin = challenge_helpers.workplace(name="Grannbolaget AB")
    captain = factories.make_user(show_name=True)
    team = factories.make_team(company, captain=captain, name="Räknelaget")
    factories.make_collection(team, amount_ore=100_00, logged_by=captain)
    factories.make_collection(factories.make_team(rival), amount_ore=50_00)
    challenge = challenge_helpers.running(company, admin, [(rival, rival_admin)])
    factories.commit()
    return company, rival, team, captain, challenge


def test_each_page_takes_as_many_statements_with_more_teams_members_and_entries(
    app, world, login, count_queries
):
    company, rival, team, captain, challenge = world
    pages = _pages(company, team, challenge)
    anonymous, member = app.test_client(), login(captain)
    _counts(anonymous, pages, count_queries)  # the first visit fills the process's caches
    _counts(member, pages, count_queries)
    _grow(company, rival, team, captain, teams=1, members=1, entries=1)
    small = _counts(anonymous, pages, count_queries)
    small_member = _counts(member, pages, count_queries)
    _grow(company, rival, team, captain, teams=6, members=6, entries=12)
    large = _counts(anonymous, pages, count_queries)
    large_member = _counts(member, pages, count_queries)
    assert large == small
    assert large_member == small_member
