"""The JSON API gives the same standings as the pages, with ETag and 304."""

import pytest

from lokalamal_app import clock
from tests import factories


def _setup():
    big = factories.make_company(name="Stort AB", headcount=100)
    small = factories.make_company(name="Litet AB", headcount=4)
    factories.make_collection(factories.make_team(big, name="Storlaget"), amount_ore=2_000_00)
    factories.make_collection(factories.make_team(small, name="Smålaget"), amount_ore=400_00)
    factories.commit()


def test_companies_by_total_and_per_employee(client, app_ctx):
    _setup()
    body = client.get("/api/leaderboards/companies").get_json()
    assert body["scope"] == "companies"
    assert [(e["rank"], e["name"], e["reported_ore"], e["received_ore"], e["per_employee_ore"])
            for e in body["entries"]] == [
        (1, "Stort AB", 2_000_00, 0, 20_00),
        (2, "Litet AB", 400_00, 0, 100_00),
    ]
    assert body["entries"][0]["url"] == "/companies/stort-ab"
    per = client.get("/api/leaderboards/companies?metric=per_employee").get_json()
    assert [e["name"] for e in per["entries"]] == ["Litet AB", "Stort AB"]


def test_every_scope_answers(client, app_ctx):
    _setup()
    for url, first in [
        ("/api/leaderboards/teams", "Storlaget"),
        ("/api/leaderboards/companies/litet-ab/teams", "Smålaget"),
        ("/api/leaderboards/goals/ingen-ensamhet/teams", "Storlaget"),
        ("/api/leaderboards/goals/ingen-ensamhet/companies?period=campaign&received=0", "Stort AB"),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.get_json()["entries"][0]["name"] == first
        assert response.get_json()["entries"][0]["per_employee_ore"] is None or "companies" in url


def test_the_received_board_counts_only_received_money_and_still_answers_to_verified(
        client, app_ctx):
    big = factories.make_company(name="Stort AB", headcount=100)
    small = factories.make_company(name="Litet AB", headcount=4)
    factories.make_collection(factories.make_team(big, name="Storlaget"), amount_ore=2_000_00,
                              status="attested")
    factories.make_collection(factories.make_team(small, name="Smålaget"), amount_ore=400_00,
                              status="received")
    factories.commit()
    received = client.get("/api/leaderboards/companies?received=1").get_json()
    assert [(e["name"], e["received_ore"]) for e in received["entries"]] == [
        ("Litet AB", 400_00), ("Stort AB", 0)]
    # The parameter's old name, from links made before money was attested and received apart.
    old = client.get("/api/leaderboards/companies?verified=1").get_json()
    assert old["entries"] == received["entries"]


def test_etag_gives_304_until_something_changes(client, app_ctx):
    _setup()
    first = client.get("/api/leaderboards/teams")
    etag = first.headers["ETag"]
    again = client.get("/api/leaderboards/teams", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    team = factories.make_team(factories.make_company(), name="Nykomlingen")
    factories.make_collection(team, amount_ore=9_000_00)
    factories.commit()
    changed = client.get("/api/leaderboards/teams", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.get_json()["entries"][0]["name"] == "Nykomlingen"


def test_bad_parameters_are_400_json_and_unknown_slugs_404(client):
    for query in ("metric=most", "period=year", "received=yes", "verified=yes", "limit=0"):
        response = client.get(f"/api/leaderboards/companies?{query}")
        assert response.status_code == 400, query
        assert "error" in response.get_json()
    response = client.get("/api/leaderboards/teams?metric=per_employee")
    assert response.status_code == 400
    assert "arbetsplatser" in response.get_json()["error"]
    for url in ("/api/leaderboards/companies/finns-inte/teams",
                "/api/leaderboards/goals/finns-inte/companies", "/api/leaderboards/nej"):
        response = client.get(url)
        assert response.status_code == 404
        assert response.get_json() == {"error": "Hittades inte"}


# Writes a match entry by hand (no gift behind it) to see the ranking leave it out.
@pytest.mark.ledger_tampered
def test_employees_only_leaves_employer_matching_out_of_the_ranking(client, app_ctx):
    """Boards can show the employees' own money without the employer's matched sums."""

    from lokalamal_app.ledger import services as ledger

    generous = factories.make_company(name="Matchande AB")
    plain = factories.make_company(name="Vanliga AB")
    a = factories.make_team(generous, name="Matchat lag")
    b = factories.make_team(plain, name="Eget lag")
    factories.make_collection(a, amount_ore=300_00, status="received")
    ledger.log_collection(a, 300_00, clock.today(), "match", "Arbetsgivaren matchar",
                          status="received")
    factories.make_collection(b, amount_ore=400_00, status="received")
    factories.commit()
    everything = client.get("/api/leaderboards/companies").get_json()
    assert [e["name"] for e in everything["entries"]] == ["Matchande AB", "Vanliga AB"]
    own = client.get("/api/leaderboards/companies?employees=1").get_json()
    assert own["employees_only"] is True
    assert [(e["name"], e["reported_ore"]) for e in own["entries"]] == [
        ("Vanliga AB", 400_00), ("Matchande AB", 300_00)]
    assert client.get("/api/leaderboards/companies?employees=2").status_code == 400
