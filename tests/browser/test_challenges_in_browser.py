"""A challenge in a real browser: propose, accept, watch it update live, TV mode offline."""

from datetime import UTC, datetime, timedelta

from playwright.sync_api import expect

from lokalamal_app import clock
from tests import factories
from tests.challenge_helpers import running, workplace

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


def test_tv_mode_says_when_it_last_heard_in_stockholm_time_on_a_far_device(
        live_server, browser, app_ctx, freeze_clock):
    # Drawn by the server at 23:30:00 UTC, confirmed unchanged by a screen in Los Angeles
    # at 23:47:05 UTC: both times are Stockholm's (00:30:00, then 00:47:05).
    freeze_clock(datetime(2026, 11, 30, 23, 30, tzinfo=UTC))
    ours, our_admin = workplace(name="Nattskiftet AB")
    theirs = workplace(name="Dagskiftet AB")
    challenge = running(ours, our_admin, [theirs])
    factories.commit()
    context = browser.new_context(locale="sv-SE", timezone_id="America/Los_Angeles")
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.clock.set_fixed_time(datetime(2026, 11, 30, 23, 47, 5, tzinfo=UTC))
        page.goto(f"{live_server}/challenges/{challenge.id}/tv")
        stamp = page.locator("[data-tv-updated]")
        expect(stamp).to_have_text("00:30:00")
        page.evaluate(REFRESH)
        expect(stamp).to_have_text("00:47:05")
    finally:
        context.close()
