"""A challenge in a real browser: propose, accept, watch it update live, TV mode offline."""

from datetime import timedelta

from playwright.sync_api import expect

from lokalamal_app import clock
from tests import factories
from tests.challenge_helpers import workplace

REFRESH = "document.body.dispatchEvent(new Event('challengeRefresh'))"


def _login(page, base, user):
    page.goto(base + "/login")
    page.get_by_label("E-post").fill(user.email)
    page.get_by_label("Lösenord").fill(factories.PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    expect(page.get_by_role("button", name="Logga ut")).to_be_visible()


def test_challenge_flow_and_live_update_in_browser(live_server, new_page, app_ctx):
    a, admin_a = workplace(name="Kopparlunden Teknik AB")
    b, admin_b = workplace(name="Lundby Design AB")
    team = factories.make_team(a, name="Fikagänget")
    factories.commit()

    challenger = new_page()
    _login(challenger, live_server, admin_a)
    challenger.goto(live_server + "/challenges/new")
    challenger.get_by_label("Arbetsplats att utmana").fill("Lundby Design AB")
    challenger.get_by_label("Slutdatum").fill((clock.today() + timedelta(days=10)).isoformat())
    challenger.get_by_label("Hälsning till grannarna").fill("Må bästa hus vinna!")
    challenger.get_by_role("button", name="Skicka utmaningen").click()
    expect(challenger.get_by_text("Utmaningen är skickad.")).to_be_visible()
    url = challenger.url

    challenged = new_page()
    _login(challenged, live_server, admin_b)
    challenged.goto(url)
    challenged.get_by_label("Svar (valfritt)").fill("Vi är små men snabba!")
    challenged.get_by_role("button", name="Anta utmaningen").click()
    expect(challenged.get_by_text("Ni har antagit utmaningen. Lycka till!")).to_be_visible()

    visitor = new_page()
    visitor.goto(url)
    expect(visitor.get_by_text("Vi är små men snabba!")).to_be_visible()
    factories.commit()  # end this session's read snapshot, older than the pages' writes
    factories.make_collection(team, amount_ore=750_00)
    factories.commit()
    visitor.evaluate(REFRESH)
    live = visitor.locator(".challenge-live")
    expect(live).to_contain_text("Kopparlunden Teknik AB leder med 750")
    expect(live).to_contain_text("Fikagänget")

    visitor.goto(url + "/tv")
    expect(visitor.locator("#tv-offline")).to_be_hidden()
    visitor.context.set_offline(True)
    visitor.evaluate(REFRESH)
    expect(visitor.locator("#tv-offline")).to_be_visible()
    visitor.context.set_offline(False)
    visitor.evaluate(REFRESH)
    expect(visitor.locator("#tv-offline")).to_be_hidden()
