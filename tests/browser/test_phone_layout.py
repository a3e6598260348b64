"""On a phone: the captain's team page is short, and a long team name never runs into its
amount on the challenge page."""

from lokalamal_app import demo
from tests import challenge_helpers, factories

# px at 390 px wide: the page was over 6 000 px before folding; now the total, the board
# position, the streak and the form to log come first and everything else is folded.
PAGE_MAX = 2600


def _log_in(page, live_server, email, password):
    page.goto(live_server + "/login")
    page.get_by_label("E-post").fill(email)
    page.get_by_label("Lösenord").fill(password)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_load_state()


def test_the_captains_team_page_with_the_demo_data_is_short_on_a_phone(live_server, page, app,
                                                                       app_ctx):
    with app.app_context():
        demo.load()
        factories.commit()
    captain = next(a.email for a in demo.DEMO_ACCOUNTS if a.email.startswith("kapten@"))
    _log_in(page, live_server, captain, app.config["DEMO_PASSWORD"])
    page.goto(live_server + "/teams/fikaganget-kopparlunden-teknik-ab")

    height = page.evaluate("document.documentElement.scrollHeight")

    assert page.viewport_size["width"] == 390
    assert height < PAGE_MAX, height
    assert page.get_by_role("button", name="Registrera", exact=True).is_visible()
    page.get_by_text("I laget (", exact=False).click()  # a fold opens on a tap
    assert page.get_by_role("button", name="Lämna laget").is_visible()


def test_a_long_team_name_wraps_before_its_amount_at_360_px(live_server, browser, app_ctx):
    company, admin = challenge_helpers.workplace(name="Långa Namnens Aktiebolag")
    rival, rival_admin = challenge_helpers.workplace(name="Korta AB")
    challenge = challenge_helpers.running(company, admin, [(rival, rival_admin)])
    team = factories.make_team(
        company, name="Lagetmedettordsomaldrigtarslutochintefårplatspåenrad och fler ord")
    factories.make_collection(team, amount_ore=123_456_00)
    factories.make_collection(factories.make_team(rival), amount_ore=100_00)
    factories.commit()
    context = browser.new_context(locale="sv-SE", viewport={"width": 360, "height": 740})
    page = context.new_page()
    for url in (f"/challenges/{challenge.id}", "/"):
        page.goto(live_server + url)
        row = page.locator(".name-amount", has_text="Lagetmedettord").first
        name, amount = row.locator(".name"), row.locator(".amount")
        name_box, amount_box = name.bounding_box(), amount.bounding_box()
        assert name_box["x"] + name_box["width"] <= amount_box["x"] + 0.5, url
        assert amount_box["x"] + amount_box["width"] <= 360, url
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, url
    context.close()
