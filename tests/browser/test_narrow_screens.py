"""Every page of the app, for every role, fits a 360 px wide phone: nothing sticks out to
the right, the page never scrolls sideways, and the header stays compact."""

import pytest

from lokalamal_app.demo import DEMO_ACCOUNTS
from tests import walk

WIDTH = 360
HEADER_MAX = 100  # px: the name and a two-line menu, so the page starts on the first screen
# GET routes that change something for the visitor rather than show a page.
NOT_PAGES = {"main.set_language"}

# Elements whose right edge passes the viewport, except those an ancestor clips
# (visually hidden text, a skip link waiting off screen).
OVERFLOW = """() => {
    const width = window.innerWidth;
    const found = [];
    if (document.documentElement.scrollWidth > width) {
        found.push(`page is ${document.documentElement.scrollWidth}px wide`);
    }
    const clipped = (el) => {
        for (let a = el.parentElement; a; a = a.parentElement) {
            const style = getComputedStyle(a);
            if (style.overflowX === "hidden" || style.overflowX === "clip"
                || style.clip !== "auto" && style.position === "absolute") return true;
        }
        return false;
    };
    for (const el of document.body.querySelectorAll("*")) {
        const box = el.getBoundingClientRect();
        if (box.width === 0 || box.height === 0 || box.right <= width + 0.5) continue;
        const style = getComputedStyle(el);
        if (style.visibility === "hidden" || style.position === "absolute" && style.clip !== "auto") continue;
        if (clipped(el)) continue;
        const name = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
            + (el.className && typeof el.className === "string"
               ? "." + el.className.trim().split(/\\s+/).join(".") : "");
        found.push(`${name} ends at ${Math.round(box.right)}px`);
        if (found.length > 4) break;
    }
    return found;
}"""


@pytest.fixture
def world(app_ctx):
    return walk.build_world()


def _pages(app, email: str | None, world: dict) -> list[str]:
    """The HTML pages this visitor gets an answer for (files and redirects left out)."""
    client = app.test_client()
    if email:
        client.post("/login", data={"email": email, "password": app.config["DEMO_PASSWORD"]})
    urls = []
    for rule in walk.rules("GET"):
        if rule.endpoint in NOT_PAGES:
            continue
        url = walk.fill(rule, world)
        response = client.get(url)
        response.close()
        if walk.is_html(response) and not 300 <= response.status_code < 400 \
                and url not in urls:
            urls.append(url)
    return urls


def test_no_page_is_wider_than_a_360_px_phone_for_any_role(live_server, browser, app, world):
    captain = next(a.email for a in DEMO_ACCOUNTS if a.email.startswith("kapten@"))
    roles = {"anonymous": None, "member": world["member"], "captain": captain,
             "workplace admin": world["admin"], "staff": world["staff"]}
    problems = []
    for role, email in roles.items():
        urls = _pages(app, email, world)
        assert len(urls) > 20, role
        context = browser.new_context(locale="sv-SE", viewport={"width": WIDTH, "height": 740})
        page = context.new_page()
        page.set_default_timeout(10_000)
        if email:
            page.goto(live_server + "/login")
            page.get_by_label("E-post").fill(email)
            page.get_by_label("Lösenord").fill(app.config["DEMO_PASSWORD"])
            page.get_by_role("button", name="Logga in").click()
            page.wait_for_load_state()
        for url in urls:
            page.goto(live_server + url)
            problems += [f"{role} {url}: {p}" for p in page.evaluate(OVERFLOW)]
        page.goto(live_server + "/")
        header = page.evaluate("document.querySelector('.site-header').offsetHeight")
        if header > HEADER_MAX:
            problems.append(f"{role}: the header is {header}px tall")
        context.close()
    assert not problems, "\n".join(problems)
