"""Names stay private on public pages: a person who did not choose "Visa mitt namn för alla"
is "En medarbetare" to visitors and other workplaces, and nobody outside the team sees who
reported a collection, its note or why it was rejected."""

import pytest

from lokalamal_app.extensions import db
from lokalamal_app.ledger import services as ledger
from lokalamal_app.models import Goal
from tests import factories
from tests.challenge_helpers import running

NAME = "Zlatana Privatsson"
NOTE = "Loppis hos Zlatanas moster"
REJECTED_BECAUSE = "Swishen hittades inte i Zlatanas kontoutdrag"
CORRECTED_BECAUSE = "Zlatana skrev fel belopp"
SECRETS = (NAME, "Privatsson", NOTE, REJECTED_BECAUSE, CORRECTED_BECAUSE)


@pytest.fixture
def world(app_ctx):
    admin = factories.make_user(display_name="Admin Adminsson")
    company = factories.make_company(admin=admin, name="Kopparlunden AB")
    person = factories.make_user(display_name=NAME)
    factories.add_member(company, person)
    team = factories.make_team(company, captain=person, name="Fikagänget")
    colleague = factories.make_user(display_name="Kalle Kollega")
    factories.add_member(company, colleague)
    teammate = factories.make_user(display_name="Tina Lagkamrat")
    factories.add_member(company, teammate)
    factories.join_team(team, teammate)

    rival_admin = factories.make_user(display_name="Rival Adminsson")
    rival = factories.make_company(admin=rival_admin, name="Grannbolaget AB")
    outsider = factories.make_user(display_name="Olle Utomstående")
    factories.add_member(rival, outsider)
    rival_team = factories.make_team(rival, captain=outsider, name="Grannlaget")

    logged = factories.make_collection(team, amount_ore=300_00, logged_by=person, note=NOTE)
    ledger.attest_entry(logged, admin)
    rejected = factories.make_collection(team, amount_ore=45_00, logged_by=person, note=NOTE)
    ledger.reject_entry(rejected, admin, REJECTED_BECAUSE)
    wrong = factories.make_collection(team, amount_ore=120_00, logged_by=person)
    ledger.correct_entry(wrong, person, 210_00, wrong.collected_on, "swish", NOTE,
                         CORRECTED_BECAUSE)
    factories.make_collection(rival_team, amount_ore=50_00, logged_by=outsider)
    challenge = running(company, admin, [(rival, rival_admin)])
    factories.commit()
    return type("World", (), dict(**locals()))


def public_urls(world) -> list[str]:
    """Every page and API a visitor can open, with this world's team, workplace and challenge."""
    team, company, challenge = world.team, world.company, world.challenge
    goals = db.session.execute(db.select(Goal).order_by(Goal.number)).scalars().all()
    boards = ["companies", "teams", f"companies/{company.slug}/teams",
              f"companies/{world.rival.slug}/teams"]
    for goal in goals:
        boards += [f"goals/{goal.slug}/teams", f"goals/{goal.slug}/companies"]
    urls = ["/", "/leaderboards", "/leaderboards/tv", "/companies", "/challenges",
            f"/teams/{team.slug}", f"/teams/{team.id}", f"/companies/{company.slug}",
            f"/companies/{world.rival.slug}",
            f"/challenges/{challenge.id}", f"/challenges/{challenge.id}/live",
            f"/challenges/{challenge.id}/tv", f"/challenges/{challenge.id}/tv/live",
            f"/join/{team.join_code}", f"/join/{company.join_code}",
            f"/share/preview/team/{team.id}.png", f"/share/preview/company/{company.slug}.png"]
    for goal in goals:
        urls += [f"/goals/{goal.slug}", f"/share/preview/goal/{goal.slug}.png"]
    for board in boards:
        urls += [f"/leaderboards/{board}", f"/leaderboards/{board}?fragment=1",
                 f"/leaderboards/{board}/tv", f"/api/leaderboards/{board}"]
    return urls


def leaks(client, urls) -> dict[str, list[str]]:
    """Which of SECRETS (and the reporter column) each URL shows; every URL must answer."""
    found = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 204), (url, response.status_code)
        body = response.get_data(as_text=not response.mimetype.startswith("image/"))
        if isinstance(body, bytes):
            body = body.decode("latin-1")
        shown = [s for s in (*SECRETS, "Rapporterat av") if s in body]
        if shown:
            found[url] = shown
    return found


def test_the_public_finds_the_name_notes_and_reasons_nowhere(world, client):
    urls = public_urls(world)
    assert leaks(client, urls) == {}
    team_page = client.get(f"/teams/{world.team.slug}").get_data(as_text=True)
    assert "En medarbetare" in team_page and "Fikagänget" in team_page
    assert "Kopparlunden AB" in team_page


def test_a_member_of_another_workplace_finds_them_nowhere(world, login):
    assert leaks(login(world.outsider), public_urls(world)) == {}
    assert leaks(login(world.rival_admin), public_urls(world)) == {}


def test_a_colleague_sees_the_name_but_not_the_teams_notes_and_reasons(world, login):
    html = login(world.colleague).get(f"/teams/{world.team.slug}").get_data(as_text=True)
    assert NAME in html
    assert NOTE not in html and REJECTED_BECAUSE not in html and "Rapporterat av" not in html


def test_the_team_and_the_workplace_admin_see_who_reported_and_why_it_was_rejected(world,
                                                                                    login):
    for who in (world.teammate, world.admin):
        html = login(who).get(f"/teams/{world.team.slug}").get_data(as_text=True)
        assert NAME in html and "Rapporterat av" in html
        assert REJECTED_BECAUSE in html


def test_after_opting_in_the_public_sees_the_name_but_still_not_who_reported(world, client,
                                                                           login):
    me = login(world.person)
    assert me.post("/account/privacy", data={"show_name": "y"}).status_code == 302
    html = client.get(f"/teams/{world.team.slug}").get_data(as_text=True)
    assert NAME in html
    assert "Rapporterat av" not in html and NOTE not in html and REJECTED_BECAUSE not in html
    assert NAME in login(world.outsider).get(f"/teams/{world.team.slug}").get_data(as_text=True)


def test_the_privacy_page_sign_up_and_export_say_the_rule(world, client, login):
    privacy = client.get("/privacy").get_data(as_text=True)
    assert "En medarbetare" in privacy and "Visa mitt namn för alla" in privacy
    register = client.get("/register").get_data(as_text=True)
    assert "Alla andra ser ”En medarbetare”" in register
    me = login(world.person)
    account = me.get("/account/data.json").get_json()["konto"]
    assert account["namnet_visas_för_alla"] is False
    assert "Alla andra ser ”En medarbetare”" in account["vem_ser_ditt_namn"]
    me.post("/account/privacy", data={"show_name": "y"})
    account = me.get("/account/data.json").get_json()["konto"]
    assert account["namnet_visas_för_alla"] is True
    assert "Alla ser ditt namn" in account["vem_ser_ditt_namn"]
