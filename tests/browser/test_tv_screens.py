"""TV screens from 720p to 4K: nothing is cut off, nothing scrolls, and a board longer
than the screen shows every row in turn, with the viewer's own workplace on every page."""

import pytest

from tests import challenge_helpers, factories

SIZES = [(1280, 720), (1920, 1080), (3840, 2160)]

# Every shown element's box lies inside the viewport, and the page does not scroll.
OUTSIDE = """() => {
    const w = window.innerWidth, h = window.innerHeight, found = [];
    const root = document.documentElement;
    if (root.scrollWidth > w || root.scrollHeight > h) {
        found.push(`page is ${root.scrollWidth}x${root.scrollHeight}`);
    }
    for (const el of document.body.querySelectorAll("*")) {
        const box = el.getBoundingClientRect();
        if (box.width === 0 || box.height === 0) continue;
        const style = getComputedStyle(el);
        if (style.position === "absolute" && style.clip !== "auto") continue;  // visually hidden
        if (el.closest(".skip-link")) continue;
        if (box.right > w + 0.5 || box.bottom > h + 0.5 || box.left < -0.5 || box.top < -0.5) {
            found.push(`${el.tagName.toLowerCase()}.${el.className} at ${Math.round(box.left)},`
                       + `${Math.round(box.top)}-${Math.round(box.right)},${Math.round(box.bottom)}`);
        }
        if (found.length > 4) break;
    }
    return found;
}"""

SHOWN_ROWS = """() => Array.from(document.querySelectorAll("[data-board] tbody tr"))
    .filter((row) => row.getClientRects().length > 0).map((row) => row.id)"""
ALL_ROWS = """() => Array.from(document.querySelectorAll("[data-board] tbody tr[id]"))
    .map((row) => row.id)"""


@pytest.fixture
def crowd(app_ctx):
    """Forty teams in twenty workplaces; the viewer's workplace and team come last."""
    companies = [factories.make_company(name=f"Arbetsplats {n:02d} AB") for n in range(20)]
    for n in range(39):
        team = factories.make_team(companies[n % 19], name=f"Laget nummer {n:02d}")
        factories.make_collection(team, amount_ore=(1000 - n) * 100_00)
    viewer = factories.make_user(email="tv@example.se")
    own = companies[19]
    factories.make_collection(factories.make_team(own, captain=viewer, name="Sistalaget"),
                              amount_ore=100_00)
    factories.commit()
    return own


def _log_in(page, base):
    page.goto(base + "/login")
    page.get_by_label("E-post").fill("tv@example.se")
    page.get_by_label("Lösenord").fill(factories.PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_load_state()


@pytest.mark.parametrize("width, height", SIZES)
@pytest.mark.parametrize("path", ["/leaderboards/tv", "/leaderboards/teams/tv"])
def test_a_tv_board_fits_the_screen_and_shows_every_row_in_turn(
        live_server, browser, crowd, width, height, path):
    context = browser.new_context(locale="sv-SE", viewport={"width": width, "height": height})
    page = context.new_page()
    _log_in(page, live_server)
    page.goto(live_server + path)
    for _ in range(100):  # wait_for_function would need eval, which the CSP forbids
        if page.evaluate("window.lokalamalTv !== undefined"):
            break
        page.wait_for_timeout(100)
    everything = set(page.evaluate(ALL_ROWS))
    assert len(everything) >= 40
    ticker = page.locator(".tv-ticker .tv-ticker-item:not([hidden])").all_inner_texts()
    seen, problems, turns, most_pages = set(), [], 0, 1
    state = page.evaluate("window.lokalamalTv.state()")
    first = (state["slide"], state["page"])
    while True:
        problems += [f"{state}: {p}" for p in page.evaluate(OUTSIDE)]
        shown = page.evaluate(SHOWN_ROWS)
        assert shown, state
        seen.update(shown)
        mine = page.evaluate("Array.from(document.querySelectorAll('tr.is-mine'))"
                             ".filter((r) => r.getClientRects().length > 0).length")
        assert mine == 1, f"the viewer's own row is not shown on {state}"
        most_pages = max(most_pages, state["pages"])
        state = page.evaluate("window.lokalamalTv.next()")
        turns += 1
        if (state["slide"], state["page"]) == first or turns > 60:
            break
    context.close()
    assert not problems, "\n".join(problems)
    assert everything <= seen, sorted(everything - seen)
    assert most_pages > 1  # the board was longer than the screen
    assert ticker  # the ticker of the latest collections was on the screen too


@pytest.mark.parametrize("width, height", SIZES)
def test_the_challenge_tv_fits_the_screen(live_server, browser, app_ctx, width, height):
    ours, admin = challenge_helpers.workplace(name="Mälarhamnens Redovisning och Revision AB")
    theirs = challenge_helpers.workplace(name="Kopparlundens Teknik och Konsult AB")
    challenge = challenge_helpers.running(ours, admin, [theirs])
    factories.make_collection(factories.make_team(ours), amount_ore=12_345_00)
    factories.commit()
    context = browser.new_context(locale="sv-SE", viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(f"{live_server}/challenges/{challenge.id}/tv")
    problems = page.evaluate(OUTSIDE)
    context.close()
    assert not problems, "\n".join(problems)


CELEBRATION = "() => window.lokalamalTvFeed ? window.lokalamalTvFeed.shown() : ''"
ANIMATION = """() => getComputedStyle(document.querySelector('[data-tv-celebration]'))
    .animationName"""


def _wait_for(page, script, tries=100):
    for _ in range(tries):  # wait_for_function would need eval, which the CSP forbids
        value = page.evaluate(script)
        if value:
            return value
        page.wait_for_timeout(100)
    return page.evaluate(script)


@pytest.fixture
def half_way(app_ctx):
    """A team with a target, 40 % of the way there."""
    team = factories.make_team(factories.make_company(name="Kaffe AB"), name="Kaffekoppen",
                               target_ore=1000_00)
    factories.make_collection(team, amount_ore=400_00)
    factories.commit()
    return team


@pytest.mark.parametrize("width, height", SIZES)
def test_a_team_passing_half_its_target_is_celebrated_on_an_open_tv(
        live_server, browser, half_way, width, height):
    context = browser.new_context(locale="sv-SE", viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(live_server + "/leaderboards/tv")
    _wait_for(page, "window.lokalamalTv !== undefined")
    assert page.evaluate(CELEBRATION) == ""  # nothing from before the screen opened
    factories.make_collection(half_way, amount_ore=200_00)
    factories.commit()
    shown = _wait_for(page, CELEBRATION)
    assert "Laget Kaffekoppen passerade halva målet!" in shown
    assert page.evaluate(ANIMATION) == "tv-celebrate"
    # The banner and the ticker with the new collection stay inside the screen.
    ticker = page.locator(".tv-ticker").inner_text()
    assert "Kaffekoppen" in ticker and "200" in ticker
    problems = page.evaluate(OUTSIDE)
    context.close()
    assert not problems, "\n".join(problems)


def test_with_reduced_motion_the_celebration_is_text_without_animation(
        live_server, browser, half_way):
    context = browser.new_context(locale="sv-SE", viewport={"width": 1920, "height": 1080},
                                  reduced_motion="reduce")
    page = context.new_page()
    page.goto(live_server + "/leaderboards/tv")
    _wait_for(page, "window.lokalamalTv !== undefined")
    factories.make_collection(half_way, amount_ore=200_00)
    factories.commit()
    assert "passerade halva målet" in _wait_for(page, CELEBRATION)
    assert page.evaluate(ANIMATION) == "none"
    context.close()


def test_the_challenge_tv_celebrates_a_change_of_lead(live_server, browser, app_ctx):
    ours, admin = challenge_helpers.workplace(name="Mälarhamnen AB")
    theirs = challenge_helpers.workplace(name="Kopparlunden AB")
    challenge = challenge_helpers.running(ours, admin, [theirs])
    factories.make_collection(factories.make_team(ours, name="Hamnlaget"), amount_ore=100_00)
    factories.commit()
    context = browser.new_context(locale="sv-SE", viewport={"width": 1280, "height": 720})
    page = context.new_page()
    page.goto(f"{live_server}/challenges/{challenge.id}/tv")
    page.wait_for_timeout(300)
    factories.make_collection(factories.make_team(theirs[0], name="Lundlaget"),
                              amount_ore=150_00)
    factories.commit()
    assert "Kopparlunden AB tar ledningen" in _wait_for(page, CELEBRATION)
    problems = page.evaluate(OUTSIDE)
    context.close()
    assert not problems, "\n".join(problems)
