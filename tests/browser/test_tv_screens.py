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
