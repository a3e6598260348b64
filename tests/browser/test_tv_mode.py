"""The office screen: boards take turns, and losing the server shows and then clears."""

from playwright.sync_api import expect

from tests import factories


def test_tv_rotates_boards_and_shows_when_the_server_is_unreachable(live_server, new_page,
                                                                     app_ctx):
    factories.make_collection(factories.make_team(factories.make_company(name="Skärm AB"),
                                                  name="Skärmlaget"), amount_ore=100_00)
    factories.commit()
    page = new_page()
    page.goto(f"{live_server}/leaderboards/tv?boards=companies,teams&seconds=5")
    companies = page.locator("#board-companies")
    teams = page.locator("#board-teams")
    expect(companies).to_be_visible()
    expect(teams).to_be_hidden()
    expect(page.locator(".site-nav")).to_have_count(0)
    expect(teams).to_be_visible(timeout=8_000)
    expect(companies).to_be_hidden()

    page.route("**/leaderboards/**", lambda route: route.abort())
    offline = page.locator("[data-tv-offline]")
    expect(offline).to_be_visible(timeout=8_000)
    expect(page.locator("[data-board].is-stale [data-board-status]").first).to_contain_text(
        "Inte uppdaterad sedan")

    page.unroute("**/leaderboards/**")
    expect(offline).to_be_hidden(timeout=8_000)
    expect(page.locator("[data-board].is-stale")).to_have_count(0)
