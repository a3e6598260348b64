"""Leaderboards: standings from stored totals, live polls, the viewer's own rows, the API."""

from datetime import timedelta

import pytest

from lokalamal_app import clock, shared_state
from lokalamal_app.leaderboards import queries
from lokalamal_app.ledger import services as ledger
from lokalamal_app.ledger import totals
from tests import factories


def _names(html: str, *names: str) -> list[int]:
    return [html.index(name) for name in names]


def test_workplace_board_ranks_its_teams_by_amount_and_shows_the_ones_yet_to_log(client, app_ctx):
    company = factories.make_company(name="Kopparlunden AB")
    small = factories.make_team(company, name="Fikagänget", target_ore=1_000_00)
    big = factories.make_team(company, name="Kodklubben")
    factories.make_team(company, name="Lunchlöparna")
    factories.make_collection(small, amount_ore=250_00)
    factories.make_collection(big, amount_ore=900_00)
    factories.commit()
    response = client.get("/leaderboards/companies/kopparlunden-ab/teams")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    a, b, c = _names(html, "Kodklubben", "Fikagänget", "Lunchlöparna")
    assert a < b < c
    assert "900\u00a0kr" in html and "250\u00a0kr" in html
    assert "25 % av 1\u00a0000\u00a0kr" in html
    assert f'href="/teams/{big.slug}"' in html


def test_ties_share_a_rank_and_the_first_to_get_there_comes_first(app_ctx):
    company = factories.make_company()
    first = factories.make_team(company, name="Först")
    second = factories.make_team(company, name="Sen")
    third = factories.make_team(company, name="Trea")
    factories.make_collection(first, amount_ore=300_00)
    factories.commit()
    factories.make_collection(second, amount_ore=300_00)
    factories.make_collection(third, amount_ore=100_00)
    factories.commit()
    rows = queries.standings("company_teams", company).rows
    assert [(r.name, r.rank) for r in rows] == [("Först", 1), ("Sen", 1), ("Trea", 3)]


def test_reported_or_received_money_and_per_employee_rank_workplaces_differently(app_ctx):
    big = factories.make_company(name="Stort AB", headcount=100)
    small = factories.make_company(name="Litet AB", headcount=5)
    big_entry = factories.make_collection(factories.make_team(big), amount_ore=5_000_00)
    small_entry = factories.make_collection(factories.make_team(small), amount_ore=1_000_00)
    staff = factories.make_user(is_staff=True)
    # Attested by the workplace only: not yet money on the received board.
    ledger.attest_entry(big_entry, staff)
    ledger.receive_entry(small_entry, staff, "Kvitto 1")
    factories.commit()

    def order(**kw):
        board = queries.standings("companies", params=queries.BoardParams(**kw))
        return [(r.name, r.per_employee_ore) for r in board.rows]

    assert order() == [("Stort AB", 50_00), ("Litet AB", 200_00)]
    assert order(metric="per_employee") == [("Litet AB", 200_00), ("Stort AB", 50_00)]
    assert order(received=True) == [("Litet AB", 200_00), ("Stort AB", 0)]


def test_periods_count_only_their_months(app_ctx):
    company = factories.make_company()
    old = factories.make_team(company, name="Gamla")
    new = factories.make_team(company, name="Nya")
    long_ago = clock.today().replace(day=1) - timedelta(days=40)
    factories.make_collection(old, amount_ore=900_00, collected_on=long_ago)
    factories.make_collection(new, amount_ore=100_00)
    factories.commit()
    month = queries.standings("teams", params=queries.BoardParams(period="month"))
    everything = queries.standings("teams", params=queries.BoardParams(period="all"))
    assert [r.name for r in month.rows] == ["Nya"]
    assert [r.name for r in everything.rows] == ["Gamla", "Nya"]


def test_goal_boards_list_only_the_goals_teams_and_workplaces(client, app_ctx):
    company = factories.make_company(name="Alfa AB")
    other = factories.make_company(name="Beta AB")
    factories.make_collection(factories.make_team(company, name="Ensamlaget", goal_number=3),
                              amount_ore=400_00)
    factories.make_collection(factories.make_team(other, name="Jobblaget", goal_number=5),
                              amount_ore=800_00)
    factories.commit()
    teams = client.get("/leaderboards/goals/ingen-ensamhet/teams").get_data(as_text=True)
    assert "Ensamlaget" in teams and "Jobblaget" not in teams
    companies = client.get("/leaderboards/goals/ingen-ensamhet/companies").get_data(as_text=True)
    assert "Alfa AB" in companies and "Beta AB" not in companies
    goal_page = client.get("/goals/ingen-ensamhet").get_data(as_text=True)
    assert 'id="board-goals-ingen-ensamhet-teams"' in goal_page
    assert 'id="board-goals-ingen-ensamhet-companies"' in goal_page


def test_the_viewers_own_team_and_workplace_stand_out(login, app_ctx):
    me = factories.make_user()
    company = factories.make_company(name="Min Arbetsplats AB")
    mine = factories.make_team(company, name="Mitt lag", captain=me)
    factories.make_team(company, name="Grannlaget")
    factories.make_collection(mine, amount_ore=100_00)
    factories.commit()
    client = login(me)
    html = client.get("/leaderboards/companies/min-arbetsplats-ab/teams").get_data(as_text=True)
    assert f'id="board-companies-min-arbetsplats-ab-teams-team-{mine.id}" class="is-mine"' in html
    assert "Ditt lag" in html
    html = client.get("/leaderboards/companies").get_data(as_text=True)
    assert "Din arbetsplats" in html
    neighbour = factories.make_team(company, name="Grannlaget på jobbet")
    factories.make_collection(neighbour, amount_ore=50_00)
    factories.commit()
    html = client.get("/leaderboards/teams").get_data(as_text=True)
    assert f'id="board-teams-team-{neighbour.id}" class="is-colleague"' in html


def test_individuals_are_never_listed(client, app_ctx):
    person = factories.make_user(display_name="Greta Garbo")
    team = factories.make_team(factories.make_company(), captain=person)
    factories.make_collection(team, amount_ore=100_00, logged_by=person)
    factories.commit()
    for url in ("/leaderboards", "/leaderboards/teams", "/leaderboards/companies",
                "/api/leaderboards/teams"):
        assert "Greta Garbo" not in client.get(url).get_data(as_text=True)


def test_an_unchanged_poll_answers_204_with_one_query_and_no_body(
    shared_app, shared_ctx, count_queries
):
    """One query for the board version, none at all when that lives in Redis."""
    client = shared_app.test_client()
    factories.make_collection(factories.make_team(factories.make_company()), amount_ore=100_00)
    factories.commit()
    version = totals.board_version()
    headers = {"HX-Request": "true"}
    with count_queries() as counter:
        response = client.get(f"/leaderboards/teams?v={version}", headers=headers)
    assert response.status_code == 204
    assert response.data == b""
    assert counter.count == (0 if shared_state.redis_client() else 1)


def test_a_poll_after_a_collection_returns_the_board_with_who_moved(client, app_ctx):
    company = factories.make_company(name="Flytt AB")
    leader = factories.make_team(company, name="Ledarna")
    chaser = factories.make_team(company, name="Jagarna")
    factories.make_collection(leader, amount_ore=200_00)
    factories.make_collection(chaser, amount_ore=100_00)
    factories.commit()
    board = queries.standings("company_teams", company)
    factories.make_collection(chaser, amount_ore=500_00)
    factories.commit()
    response = client.get(
        "/leaderboards/companies/flytt-ab/teams",
        query_string={"v": board.version, "prev": board.state},
        headers={"HX-Request": "true"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in html
    assert 'id="board-companies-flytt-ab-teams"' in html
    assert html.index("Jagarna") < html.index("Ledarna")
    assert "move-up" in html and "move-down" in html
    assert "600\u00a0kr" in html


@pytest.mark.parametrize("url", [
    "/leaderboards/companies",
    "/leaderboards/teams",
    "/leaderboards/companies/{company}/teams",
    "/leaderboards/goals/ingen-ensamhet/teams",
    "/leaderboards/goals/ingen-ensamhet/companies",
])
def test_each_board_takes_the_same_few_queries_however_many_rows(login, app_ctx, count_queries,
                                                                 url):
    me = factories.make_user()
    counts = []
    for size in (2, 12):
        company = factories.make_company()
        for n in range(size):
            team = factories.make_team(company, captain=me if n == 0 and size == 2 else None)
            factories.make_collection(team, amount_ore=(n + 1) * 100_00)
        factories.commit()
        client = login(me)
        address = url.format(company=company.slug)
        with count_queries() as counter:
            response = client.get(address, headers={"HX-Request": "true"})
        assert response.status_code == 200
        counts.append(counter.count)
    # The logged-in user, the version, the subject (boards with a slug), the viewer's own
    # teams and workplaces, the board itself; on team boards the teams' milestones.
    assert counts[0] == counts[1] <= 5 + (1 if url.endswith("/teams") else 0)


def test_bad_parameters_are_400_and_unknown_boards_404(client):
    assert client.get("/leaderboards/companies?period=year").status_code == 400
    assert client.get("/leaderboards/teams?metric=per_employee").status_code == 400
    assert client.get("/leaderboards/companies/finns-inte/teams").status_code == 404
    assert client.get("/leaderboards/goals/finns-inte/teams").status_code == 404


def test_the_index_links_every_scope_and_the_tv_mode(client):
    html = client.get("/leaderboards").get_data(as_text=True)
    assert 'href="/leaderboards/companies"' in html
    assert 'href="/leaderboards/teams"' in html
    assert 'href="/leaderboards/goals/ingen-ensamhet/teams"' in html
    assert 'href="/leaderboards/goals/ingen-ensamhet/companies"' in html
    assert 'href="/leaderboards/tv"' in html


def test_tv_mode_has_no_navigation_and_every_chosen_board(client, app_ctx):
    factories.make_collection(factories.make_team(factories.make_company(name="Tv AB")))
    factories.commit()
    response = client.get("/leaderboards/tv?boards=companies,goals/ingen-ensamhet/teams&seconds=15")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'class="tv"' in html and "site-nav" not in html
    assert 'data-seconds="15"' in html
    assert 'id="board-companies"' in html and 'id="board-goals-ingen-ensamhet-teams"' in html
    goal = client.get("/leaderboards/goals/ingen-ensamhet/tv").get_data(as_text=True)
    assert 'id="board-goals-ingen-ensamhet-companies"' in goal
    assert client.get("/leaderboards/tv?seconds=1").status_code == 400
    assert client.get("/leaderboards/tv?boards=nej").status_code == 404


def test_company_teams_partial_can_be_included_with_a_company(app, app_ctx):
    from flask import render_template_string

    company = factories.make_company(name="Inbäddat AB")
    factories.make_team(company, name="Lag ett")
    factories.commit()
    with app.test_request_context("/companies/inbaddat-ab"):
        html = render_template_string(
            '{% include "leaderboards/_company_teams_board.html" %}', company=company
        )
    assert "Lag ett" in html and 'id="board-companies-inbaddat-ab-teams"' in html


def test_a_cached_board_is_never_shown_after_a_change(client, app_ctx, count_queries):
    team = factories.make_team(factories.make_company(name="Cache AB"), name="Cachelaget")
    factories.make_collection(team, amount_ore=100_00)
    factories.commit()
    url = "/leaderboards/companies/cache-ab/teams?fragment=1"
    assert "100\u00a0kr" in client.get(url).get_data(as_text=True)
    with count_queries() as counter:
        client.get(url)
    assert not any("tally" in s.lower() for s in counter.statements)  # served from the cache
    factories.make_collection(team, amount_ore=50_00)
    factories.commit()
    assert "150\u00a0kr" in client.get(url).get_data(as_text=True)


def test_with_a_version_ttl_repeated_polls_and_visitor_boards_need_no_database(
        make_app, app_ctx, freeze_clock):
    from sqlalchemy import event

    from lokalamal_app.extensions import db as database

    # The cached fragment is kept per minute (its "updated at" time): hold the clock inside
    # one minute so a minute turning between the requests cannot make a fresh copy.
    freeze_clock(clock.now().replace(second=5, microsecond=0))
    factories.make_collection(factories.make_team(factories.make_company(name="Snabb AB")))
    factories.commit()
    worker = make_app(LEADERBOARD_VERSION_TTL=60)
    client = worker.test_client()
    url = "/leaderboards/companies/snabb-ab/teams?fragment=1"
    first = client.get(url)
    assert first.status_code == 200
    version = totals.board_version()
    statements = []
    with worker.app_context():
        engine = database.engine

    def _count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", _count)
    try:
        again = client.get(url)
        poll = client.get(f"{url}&v={version}")
    finally:
        event.remove(engine, "before_cursor_execute", _count)
    assert again.get_data() == first.get_data()
    assert poll.status_code == 204
    assert statements == []


def test_a_team_past_its_target_says_so_on_the_board_as_on_its_page(app_ctx, client):
    company = factories.make_company(name="Överskott AB")
    team = factories.make_team(company, captain=factories.make_user(), name="Överlaget",
                               target_ore=1_000_00)
    factories.make_collection(team, 1_240_00)
    factories.commit()

    board = client.get(f"/leaderboards/companies/{company.slug}/teams").get_data(as_text=True)
    page = client.get(f"/teams/{team.slug}").get_data(as_text=True)

    assert "124\u00a0% av" in board or "124 % av" in board
    assert 'value="100"' in board  # the bar is full, the figure goes on
    assert "124 % av målet" in page or "124\u00a0% av målet" in page
