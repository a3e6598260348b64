"""A board left open updates by itself when a collection is logged elsewhere."""

import re
from datetime import UTC, datetime

from playwright.sync_api import expect

from tests import factories

POLL_MARGIN_MS = 7_000  # the poll interval (4 s) and some slack on a busy machine


def test_open_board_shows_a_new_collection_and_rank_without_reload(live_server, new_page,
                                                                   app_ctx):
    logger = factories.make_user()
    company = factories.make_company(name="Vägg i vägg AB")
    leader = factories.make_team(company, name="Ledarlaget")
    chaser = factories.make_team(company, name="Jagarlaget", captain=logger)
    factories.make_collection(leader, amount_ore=500_00)
    factories.make_collection(chaser, amount_ore=100_00)
    factories.commit()
    url = f"{live_server}/leaderboards/companies/{company.slug}/teams"
    row_id = f"#board-companies-{company.slug}-teams-team-{chaser.id}"

    watcher = new_page()
    watcher.goto(url)
    expect(watcher.locator(row_id)).to_contain_text("100\u00a0kr")
    expect(watcher.locator(row_id + " .rank")).to_have_text("2")
    watcher.evaluate("window.notReloaded = true")

    colleague = new_page()
    colleague.goto(live_server + "/login")
    colleague.get_by_label("E-post").fill(logger.email)
    colleague.get_by_label("Lösenord").fill(factories.PASSWORD)
    colleague.get_by_role("button", name="Logga in").click()
    colleague.goto(url)
    expect(colleague.locator(row_id)).to_have_class(re.compile("is-mine"))

    # The colleague logs 900 kr through the real form on the team page.
    factories.commit()  # end the read transaction this test held while the browser worked
    colleague.goto(f"{live_server}/teams/{chaser.id}")
    colleague.get_by_label("Belopp i kronor").fill("900")
    colleague.get_by_role("button", name="Registrera").click()
    expect(colleague.locator(f"#team-{chaser.id}-total")).to_contain_text("1\u00a0000\u00a0kr")
    colleague.goto(url)

    expect(watcher.locator(row_id)).to_contain_text("1\u00a0000\u00a0kr", timeout=POLL_MARGIN_MS)
    expect(watcher.locator(row_id + " .rank")).to_contain_text("1")
    expect(watcher.locator(row_id + " .move-up")).to_be_visible()
    assert watcher.evaluate("window.notReloaded") is True
    expect(colleague.locator(row_id)).to_contain_text("1\u00a0000\u00a0kr", timeout=POLL_MARGIN_MS)


def test_a_failing_poll_shows_a_quiet_stale_note_and_recovers(live_server, new_page, app_ctx):
    company = factories.make_company(name="Avbrott AB")
    team = factories.make_team(company, name="Tåliga laget")
    factories.make_collection(team, amount_ore=100_00)
    factories.commit()
    page = new_page()
    page.goto(f"{live_server}/leaderboards/companies/{company.slug}/teams")
    board = page.locator(f"#board-companies-{company.slug}-teams")

    def fail(route):
        route.fulfill(status=500, body="<h1>Något gick fel</h1>", content_type="text/html")

    page.route("**/leaderboards/companies/*/teams?*", fail)
    expect(board.locator("[data-board-status]")).to_contain_text(
        "Inte uppdaterad sedan", timeout=POLL_MARGIN_MS
    )
    expect(page.get_by_text("Något gick fel")).to_have_count(0)
    expect(board).to_contain_text("Tåliga laget")

    page.unroute("**/leaderboards/companies/*/teams?*")
    factories.commit()  # end the read transaction this test held while the browser worked
    factories.make_collection(team, amount_ore=200_00)
    factories.commit()
    expect(board).to_contain_text("300\u00a0kr", timeout=POLL_MARGIN_MS)
    expect(board.locator("[data-board-status]")).to_contain_text("Uppdaterad")


def test_the_updated_time_is_stockholms_on_a_device_in_another_zone(live_server, browser,
                                                                    app_ctx, freeze_clock):
    # The server draws the board at 23:30 UTC (00:30 in Stockholm); a phone in Los Angeles
    # (15:47 there) then hears "nothing changed" at 23:47 UTC and says when: 00:47.
    freeze_clock(datetime(2026, 11, 30, 23, 30, tzinfo=UTC))
    company = factories.make_company(name="Långt bort AB")
    factories.make_collection(factories.make_team(company, name="Resenärerna"), amount_ore=100_00)
    factories.commit()
    context = browser.new_context(locale="sv-SE", timezone_id="America/Los_Angeles")
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.clock.set_fixed_time(datetime(2026, 11, 30, 23, 47, tzinfo=UTC))
        assert page.evaluate("new Date().getHours()") == 15  # the device really is far away
        page.goto(f"{live_server}/leaderboards/companies/{company.slug}/teams")
        status = page.locator(f"#board-companies-{company.slug}-teams [data-board-status]")
        expect(status).to_have_text("Uppdaterad 00:30")
        expect(status).to_have_text("Uppdaterad 00:47", timeout=POLL_MARGIN_MS)
    finally:
        context.close()
