"""Logging a collection in a real browser: with htmx the form answers in place and the
team's total updates; a bad amount is shown at the field and kept."""

from playwright.sync_api import expect

from lokalamal_app.extensions import db
from lokalamal_app.models import LedgerEntry
from tests import factories


def test_logging_updates_the_total_in_place(live_server, page, app_ctx):
    company = factories.make_company()
    member = factories.make_user(email="maja@example.se")
    team = factories.make_team(company, captain=member)
    factories.commit()

    page.goto(live_server + "/login")
    page.get_by_label("E-post").fill("maja@example.se")
    page.get_by_label("Lösenord").fill(factories.PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.goto(live_server + f"/teams/{team.id}/collections/new")

    page.get_by_label("Belopp i kronor").fill("tolv")
    page.get_by_role("button", name="Registrera").click()
    expect(page.locator("#amount-error")).to_contain_text("ska vara ett tal")
    expect(page.get_by_label("Belopp i kronor")).to_have_value("tolv")

    page.get_by_label("Belopp i kronor").fill("1 250,50")
    page.get_by_label("Kort anteckning").fill("Fikaförsäljning fredag")
    page.get_by_role("button", name="Registrera").click()
    expect(page.get_by_text("1\u00a0250,50\u00a0kr är registrerat.")).to_be_visible()
    expect(page.locator(f"#team-{team.id}-total")).to_contain_text("1\u00a0250,50\u00a0kr")
    expect(page.get_by_label("Belopp i kronor")).to_have_value("")
    assert page.url.endswith(f"/teams/{team.id}/collections/new")  # no reload

    db.session.rollback()
    assert db.session.execute(db.select(LedgerEntry.amount_ore)).scalars().all() == [125_050]


_IN_VIEW_AND_FOCUSED = """(selector) => {
    const el = document.querySelector(selector);
    if (!el) return "missing";
    const box = el.getBoundingClientRect();
    const inView = box.top >= 0 && box.bottom <= window.innerHeight && box.height > 0;
    return [inView, document.activeElement === el];
}"""


def test_on_a_phone_the_answer_to_logging_is_brought_into_view_and_focused(
        live_server, page, app_ctx):
    company = factories.make_company()
    member = factories.make_user(email="maja@example.se")
    team = factories.make_team(company, captain=member)
    factories.commit()
    assert page.viewport_size["width"] == 390

    page.goto(live_server + "/login")
    page.get_by_label("E-post").fill("maja@example.se")
    page.get_by_label("Lösenord").fill(factories.PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.goto(live_server + f"/teams/{team.id}")

    amount = page.get_by_label("Belopp i kronor")
    amount.fill("1,250")
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")  # thumb on the button
    page.get_by_role("button", name="Registrera").click()
    summary = f"#team-{team.id}-log .error-summary"
    expect(page.locator(summary)).to_contain_text("Menar du 1\u00a0250\u00a0kr eller 1,25\u00a0kr?")
    expect(page.locator(summary)).to_be_focused()
    assert page.evaluate(_IN_VIEW_AND_FOCUSED, summary) == [True, True]
    expect(amount).to_have_value("1,250")

    amount.fill("1250")
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    page.get_by_role("button", name="Registrera").click()
    message = f"#team-{team.id}-log .flash-success"
    expect(page.locator(message)).to_have_text("Tack! 1\u00a0250\u00a0kr är registrerat.")
    expect(page.locator(message)).to_be_focused()
    assert page.evaluate(_IN_VIEW_AND_FOCUSED, message) == [True, True]
    assert page.locator(message).get_attribute("role") == "status"


def test_without_htmx_a_refused_amount_brings_the_error_summary_into_view(
        live_server, page, app_ctx):
    company = factories.make_company()
    member = factories.make_user(email="maja@example.se")
    team = factories.make_team(company, captain=member)
    factories.commit()

    page.goto(live_server + "/login")
    page.get_by_label("E-post").fill("maja@example.se")
    page.get_by_label("Lösenord").fill(factories.PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.goto(live_server + f"/teams/{team.id}")
    # form.submit() posts past htmx, as a browser without JavaScript does: the page answers.
    page.get_by_label("Belopp i kronor").fill("tolv")
    page.evaluate(f"document.querySelector('#team-{team.id}-log form').submit()")
    page.wait_for_load_state()
    summary = ".error-summary"
    expect(page.locator(summary)).to_be_focused()
    assert page.evaluate(_IN_VIEW_AND_FOCUSED, summary) == [True, True]
