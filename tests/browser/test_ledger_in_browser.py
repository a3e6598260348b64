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
