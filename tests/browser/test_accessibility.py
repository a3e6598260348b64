"""axe-core on the main pages, on a phone-size viewport: no serious or critical violation.

axe-core comes from the npm package (package.json, `npm ci`) and is injected into each page by
Playwright; the app never serves it. Without node_modules/axe-core the test is skipped, unless
REQUIRE_BROWSER=1 (as in CI), where that is a failure."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.challenge_helpers import running, workplace

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = {"serious", "critical"}


@pytest.fixture
def axe_path():
    if not AXE.exists():
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"axe-core is required but missing at {AXE}; run `npm ci`")
        pytest.skip("axe-core is not installed; run `npm ci` (make test does)")
    return str(AXE)


@pytest.fixture
def phone(browser):
    """A phone-size page that may run the injected axe script despite the app's CSP."""
    context = browser.new_context(locale="sv-SE", viewport={"width": 390, "height": 844},
                                  bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def _violations(page, path):
    """The serious and critical axe violations on `page`, as readable lines."""
    page.add_script_tag(path=path)
    result = page.evaluate(
        "async () => await axe.run(document, {resultTypes: ['violations']})"
    )
    lines = []
    for violation in result["violations"]:
        if violation["impact"] not in BLOCKING:
            continue
        lines.append(f"  {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            lines.append(f"    {' '.join(map(str, node['target']))}: {node['html'][:160]}")
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"      {summary[:300]}")
    return lines


def _check(page, base, url, axe_path, found, status=200):
    response = page.goto(base + url)
    assert response is not None and response.status == status, (url, response and response.status)
    page.wait_for_load_state("load")
    _record(page, url, axe_path, found)


def _record(page, label, axe_path, found):
    lines = _violations(page, axe_path)
    if lines:
        found.append(f"{label}:\n" + "\n".join(lines))


def test_main_pages_have_no_serious_accessibility_violations(live_server, phone, app_ctx,
                                                              axe_path):
    company, admin = workplace(name="Kopparlunden Teknik AB")
    neighbour, neighbour_admin = workplace(name="Lundby Design AB")
    member = factories.make_user(display_name="Sara Lind", email="sara@example.se",
                                 is_staff=True)
    team = factories.make_team(company, captain=admin, name="Fikagänget")
    factories.join_team(team, member)
    factories.make_collection(team, amount_ore=250_00, logged_by=member, status="received")
    colleagues = factories.make_team(company, name="Lunchlaget")
    factories.make_collection(colleagues, amount_ore=400_00, status="received")
    # Something attested and something only reported, so the queue has both kinds of rows.
    factories.make_collection(colleagues, amount_ore=150_00, status="attested")
    waiting = factories.make_collection(colleagues, amount_ore=75_00)
    challenge = running(company, admin, [(neighbour, neighbour_admin)])
    factories.commit()
    goal_slug = factories.goal(3).slug
    team_url = f"/teams/{team.id}"
    public = [
        "/", f"/goals/{goal_slug}", "/login", "/register", f"/companies/{company.slug}",
        team_url, "/leaderboards", "/leaderboards/companies", f"/challenges/{challenge.id}",
        "/privacy", "/leaderboards/tv", f"/challenges/{challenge.id}/tv",
    ]
    page = phone
    found = []
    for url in public:
        _check(page, live_server, url, axe_path, found)
    _check(page, live_server, "/no-such-page", axe_path, found, status=404)

    page.goto(live_server + "/login")
    page.get_by_label("E-post").fill(member.email)
    page.get_by_label("Lösenord").fill(factories.PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    expect(page.get_by_role("button", name="Logga ut")).to_be_visible()
    _check(page, live_server, team_url, axe_path, found)
    expect(page.get_by_role("button", name="Registrera", exact=True)).to_be_visible()
    page.get_by_label("Belopp i kronor").fill("tolv")
    page.get_by_role("button", name="Registrera", exact=True).click()
    expect(page.get_by_label("Belopp i kronor")).to_have_attribute("aria-invalid", "true")
    _record(page, f"{team_url} (collection form with errors)", axe_path, found)
    # Own team and colleagues' teams are marked on the boards, also on the dark TV screen.
    # The team's settings with the colour and emblem choice (staff may manage any team).
    for url in [f"/teams/{team.slug}/edit", "/account", "/staff", "/staff/campaigns", "/leaderboards",
                "/leaderboards/tv?boards=teams", "/ledger/queue",
                f"/ledger/entries/{waiting.id}/receive"]:
        _check(page, live_server, url, axe_path, found)

    assert not found, "axe found serious or critical violations:\n" + "\n".join(found)


# What the keyboard focus is on, and whether it shows: an outline (or a box shadow) that is
# not the page's background, and the element on the screen.
FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  return {
    tag: el.tagName.toLowerCase(), id: el.id, type: el.type || "",
    name: (el.getAttribute("aria-label") || el.labels?.[0]?.textContent || el.textContent || "")
      .replace(/\\s+/g, " ").trim().slice(0, 60),
    ring: (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2)
      || style.boxShadow !== "none",
    outline: style.outlineColor,
    onScreen: box.width > 0 && box.height > 0 && box.bottom > 0 && box.right > 0
      && box.left < innerWidth,
  };
}"""


def _tab_until(page, wanted, limit=60):
    """Press Tab until `wanted(focused)`; every stop on the way must show where it is."""
    stops = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        assert focused is not None, f"focus left the page after {stops}"
        assert focused["ring"] and focused["onScreen"], f"focus not visible on {focused}"
        stops.append(focused["name"] or focused["tag"])
        if wanted(focused):
            return stops
    raise AssertionError(f"never reached the wanted element with Tab: {stops}")


def test_main_flows_work_with_the_keyboard_and_show_focus(live_server, page, app_ctx):
    company, admin = workplace(name="Kopparlunden Teknik AB")
    member = factories.make_user(display_name="Sara Lind", email="sara@example.se")
    team = factories.make_team(company, captain=admin, name="Fikagänget")
    factories.join_team(team, member)
    factories.commit()

    # The first Tab reaches the skip link, which moves the focus to the content.
    page.goto(live_server + "/login")
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED)["name"] == "Hoppa till innehållet"
    assert page.evaluate(FOCUSED)["onScreen"]
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    # The header's focus ring is white on the berry header, not blue on berry.
    page.goto(live_server + "/login")
    stops = _tab_until(page, lambda f: "Lokala mål" in f["name"])
    assert page.evaluate(FOCUSED)["outline"] == "rgb(255, 255, 255)", stops

    # Log in with the keyboard alone: the menu, then e-mail, password, and Enter.
    stops = _tab_until(page, lambda f: f["name"] == "E-post")
    assert stops.index("Logga in") < stops.index("E-post")  # menu before the form
    page.keyboard.type(member.email)
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED)["name"] == "Lösenord"
    page.keyboard.type(factories.PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Logga ut")).to_be_visible()

    # Report a collection on the team page with the keyboard alone.
    page.goto(f"{live_server}/teams/{team.id}")
    _tab_until(page, lambda f: f["name"] == "Belopp i kronor")
    page.keyboard.type("120")
    _tab_until(page, lambda f: f["tag"] == "button" and f["name"] == "Registrera")
    page.keyboard.press("Enter")
    expect(page.locator(".log-form [role=status]")).to_be_visible()
