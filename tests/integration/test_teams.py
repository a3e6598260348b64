"""Colleague teams: start, page, edit, join by link, move, leave, captaincy."""

import pytest

from lokalamal_app.extensions import db
from lokalamal_app.ledger import services as ledger
from lokalamal_app.ledger import totals
from lokalamal_app.models import LedgerEntry, Team, TeamMember
from tests import factories


def team_data(**change):
    goal = factories.goal(3)
    return {"name": "Fikagänget", "goal": str(goal.id), "target": "15 000",
            "pitch": "Vi bakar på fredagar.", **change}


def test_a_member_starts_a_team_and_becomes_captain(login, app_ctx):
    user = factories.make_user()
    company = factories.make_company(name="Koppar AB")
    factories.add_member(company, user)
    factories.commit()
    response = login(user).post("/companies/koppar-ab/teams/new", data=team_data())
    assert response.status_code == 302
    team = db.session.execute(db.select(Team)).scalar_one()
    assert response.headers["Location"] == f"/teams/{team.slug}"
    assert (team.name, team.target_ore, team.captain_id, team.goal.number) == (
        "Fikagänget", 15_000_00, user.id, 3)
    assert team.reference.startswith("LM")
    assert db.session.execute(db.select(TeamMember.team_id).where(
        TeamMember.user_id == user.id)).scalar_one() == team.id


BAD = [
    ({"name": ""}, "Skriv lagets namn"),
    ({"name": "x" * 81}, "högst 80 tecken"),
    ({"name": "  FIKAGÄNGET "}, "Det finns redan ett lag med det namnet"),
    ({"target": "-5"}, "mer än 0 kr"),
    ({"target": "0"}, "mer än 0 kr"),
    ({"target": "mycket"}, "ska vara ett tal"),
    ({"target": "10 000 000,01"}, "högst 10 000 000 kr"),
    ({"goal": "999"}, "Välj ett av de fem målen"),
    ({"goal": "tre"}, "Välj ett av de fem målen"),
    ({"pitch": "x" * 281}, "högst 280 tecken"),
]


@pytest.mark.parametrize(("change", "message"), BAD)
def test_bad_team_input_is_refused_at_the_field_and_nothing_is_saved(
    login, app_ctx, change, message
):
    user = factories.make_user()
    company = factories.make_company(name="Koppar AB")
    factories.add_member(company, user)
    factories.make_team(company, name="Fikagänget")
    factories.commit()
    data = team_data(**change) if "name" in change else team_data(name="Kodklubben", **change)
    response = login(user).post("/companies/koppar-ab/teams/new", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html
    assert len(db.session.execute(db.select(Team)).scalars().all()) == 1
    assert db.session.execute(db.select(TeamMember)).first() is None


def test_the_same_team_name_is_fine_in_another_workplace(login, app_ctx):
    user = factories.make_user()
    company = factories.make_company(name="Koppar AB")
    factories.add_member(company, user)
    factories.make_team(factories.make_company(name="Annat AB"), name="Fikagänget")
    factories.commit()
    assert login(user).post("/companies/koppar-ab/teams/new", data=team_data()).status_code == 302


def test_team_page_shows_goal_progress_members_and_collections(client, login, app_ctx):
    company = factories.make_company(name="Koppar AB")
    captain = factories.make_user(display_name="Amina Hassan", show_name=True)
    shy = factories.make_user(display_name="Hemlig Person")
    team = factories.make_team(company, captain=captain, name="Fikagänget", goal_number=3,
                               target_ore=10_000_00)
    factories.join_team(team, shy)
    entry = factories.make_collection(team, amount_ore=2_500_00, logged_by=captain, method="cash")
    small = factories.make_collection(team, amount_ore=500_00, logged_by=shy)
    admin = factories.make_user()
    factories.add_member(company, admin, role="admin")
    ledger.attest_entry(small, admin)
    ledger.receive_entry(entry, factories.make_user(is_staff=True), "Kvitto 1")
    factories.commit()
    html = client.get(f"/teams/{team.id}").get_data(as_text=True)
    assert "Ingen ensamhet" in html
    total = html.split(f'id="team-{team.id}-total"')[1]
    assert '<span class="figure-value">3\u00a0000\u00a0kr<' in total
    # Attested: both; received: the cash the mission has.
    assert 'figure-attested"><span class="figure-value">3\u00a0000\u00a0kr<' in total
    assert 'figure-received"><span class="figure-value">2\u00a0500\u00a0kr<' in total
    assert "10\u00a0000\u00a0kr" in html  # the target
    assert "30 % av målet" in html
    assert f'max="{10_000_00}" value="{3_000_00}"' in html
    assert "Amina Hassan" in html and "En medarbetare" in html
    assert "Hemlig Person" not in html and "Rapporterat av" not in html
    table = html.split('class="collections"')[1]
    assert table.index(">500\u00a0kr<") < table.index(">2\u00a0500\u00a0kr<")  # newest first
    assert "Kontanter" in html and "badge-received" in html and "badge-attested" in html
    assert "/teams/" + team.slug in html  # share link for everyone
    assert team.join_code not in html  # the invite is for members only
    assert client.get(f"/teams/{team.slug}").status_code == 200
    member_html = login(captain).get(f"/teams/{team.slug}").get_data(as_text=True)
    assert f"/join/{team.join_code}" in member_html and "<svg" in member_html
    assert "Hemlig Person" in member_html and "Rapporterat av" in member_html


def test_unknown_team_is_404(client):
    assert client.get("/teams/finns-inte").status_code == 404
    assert client.get("/teams/987654").status_code == 404


def test_joining_by_team_link_joins_workplace_and_team(login, app_ctx):
    company = factories.make_company(name="Koppar AB")
    team = factories.make_team(company, captain=factories.make_user())
    newcomer = factories.make_user()
    factories.commit()
    response = login(newcomer).post(f"/join/{team.join_code}")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/teams/{team.slug}"
    assert db.session.execute(db.select(TeamMember.team_id).where(
        TeamMember.user_id == newcomer.id)).scalar_one() == team.id
    twice = login(newcomer).post(f"/join/{team.join_code}")
    assert twice.status_code == 409


def test_moving_team_keeps_logged_money_with_the_old_team(login, app_ctx):
    company = factories.make_company(name="Koppar AB")
    old = factories.make_team(company, captain=factories.make_user(), name="Gamla")
    new = factories.make_team(company, captain=factories.make_user(), name="Nya")
    mover = factories.make_user()
    factories.join_team(old, mover)
    factories.make_collection(old, amount_ore=400_00, logged_by=mover)
    factories.commit()
    assert login(mover).post(f"/teams/{new.id}/join").status_code == 302
    places = db.session.execute(db.select(TeamMember.team_id).where(
        TeamMember.user_id == mover.id)).scalars().all()
    assert places == [new.id]  # at most one team per workplace
    assert totals.figures("team", old.id).reported_ore == 400_00
    assert totals.figures("team", new.id) is None
    assert db.session.execute(db.select(LedgerEntry.team_id)).scalar_one() == old.id


def test_leaving_a_team_you_are_not_in_is_refused(login, app_ctx):
    company = factories.make_company(name="Koppar AB")
    team = factories.make_team(company, captain=factories.make_user())
    outsider = factories.make_user()
    factories.add_member(company, outsider)
    factories.commit()
    response = login(outsider).post(f"/teams/{team.id}/leave")
    assert response.status_code == 409
    assert "Du är inte med i" in response.get_data(as_text=True)


def test_captain_hands_over_before_leaving(login, app_ctx):
    company = factories.make_company(name="Koppar AB")
    captain = factories.make_user()
    mate = factories.make_user()
    team = factories.make_team(company, captain=captain)
    factories.join_team(team, mate)
    factories.commit()
    client = login(captain)
    refused = client.post(f"/teams/{team.id}/leave")
    assert refused.status_code == 409
    assert "Lämna över kaptensrollen" in refused.get_data(as_text=True)
    assert client.post(f"/teams/{team.id}/captain", data={"user_id": "999999"}).status_code == 422
    assert client.post(f"/teams/{team.id}/captain", data={"user_id": str(mate.id)}).status_code == 302
    assert client.post(f"/teams/{team.id}/leave").status_code == 302
    db.session.refresh(team)
    assert team.captain_id == mate.id
    assert db.session.execute(db.select(TeamMember.user_id)).scalars().all() == [mate.id]


def test_captain_edits_and_removes_a_member(login, app_ctx):
    company = factories.make_company(name="Koppar AB")
    captain = factories.make_user()
    mate = factories.make_user()
    team = factories.make_team(company, captain=captain, name="Fikagänget")
    factories.join_team(team, mate)
    factories.commit()
    client = login(captain)
    assert client.get(f"/teams/{team.id}/edit").status_code == 200
    ok = client.post(f"/teams/{team.id}/edit", data=team_data(name="Fikagänget", target=""))
    assert ok.status_code == 302
    db.session.refresh(team)
    assert team.target_ore is None
    bad = client.post(f"/teams/{team.id}/edit", data=team_data(target="0"))
    assert bad.status_code == 422
    assert client.post(f"/teams/{team.id}/members/{mate.id}/remove").status_code == 302
    assert db.session.execute(db.select(TeamMember.user_id)).scalars().all() == [captain.id]
    assert client.post(f"/teams/{team.id}/members/{mate.id}/remove").status_code == 404


def test_renewed_team_link_stops_working(login, client, app_ctx):
    company = factories.make_company(name="Koppar AB")
    captain = factories.make_user()
    team = factories.make_team(company, captain=captain)
    factories.commit()
    old = team.join_code
    assert login(captain).post(f"/teams/{team.id}/invite/renew").status_code == 302
    assert client.get(f"/join/{old}").status_code == 404
    db.session.refresh(team)
    assert client.get(f"/join/{team.join_code}").status_code == 200


def test_team_poster_says_scan_and_join(login, app_ctx):
    company = factories.make_company(name="Koppar AB")
    captain = factories.make_user()
    team = factories.make_team(company, captain=captain)
    factories.commit()
    response = login(captain).get(f"/teams/{team.id}/invite.png")
    assert response.status_code == 200 and response.mimetype == "image/png"


def test_htmx_post_gets_hx_redirect(login, app_ctx):
    company = factories.make_company(name="Koppar AB")
    team = factories.make_team(company, captain=factories.make_user())
    user = factories.make_user()
    factories.add_member(company, user)
    factories.commit()
    response = login(user).post(f"/teams/{team.id}/join", headers={"HX-Request": "true"})
    assert response.headers["HX-Redirect"] == f"/teams/{team.slug}"


def test_team_page_query_count_does_not_grow_with_collections(client, app_ctx, count_queries):
    company = factories.make_company(name="Koppar AB")
    team = factories.make_team(company, captain=factories.make_user())
    factories.make_collection(team)
    factories.commit()
    with count_queries() as few:
        client.get(f"/teams/{team.id}")
    for _ in range(8):
        factories.make_collection(team, logged_by=factories.make_user())
    factories.commit()
    with count_queries() as many:
        client.get(f"/teams/{team.id}")
    assert many.count == few.count
