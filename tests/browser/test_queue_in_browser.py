"""Working through the queue in a real browser: receiving and attesting answer in the row
without a reload, the count follows, an entry someone else handled says so in its row, and
the page (before and after) passes axe on a phone."""

from playwright.sync_api import expect

from lokalamal_app.extensions import db
from lokalamal_app.models import LedgerEntry
from tests import factories
from tests.browser.test_accessibility import AXE, _violations


def _receive(page, entry_id: int, reference: str) -> None:
    page.get_by_label(f"Referens för post {entry_id}", exact=True).fill(reference)
    page.get_by_role("button", name=f"Mottagen post {entry_id}", exact=True).click()


def test_receiving_and_attesting_in_the_queue_update_the_row_and_the_count_in_place(
        live_server, browser, new_page, app_ctx):
    factories.make_user(email="personal@example.se", is_staff=True)
    admin = factories.make_user(email="admin@example.se")
    company = factories.make_company(admin=admin, name="Kopparlunden AB")
    member = factories.make_user()
    team = factories.make_team(company, captain=member, name="Fikagänget")
    entries = [factories.make_collection(team, amount_ore=(k + 1) * 100_00, logged_by=member)
               for k in range(52)]
    factories.commit()
    first, second = entries[0], entries[1]

    context = browser.new_context(locale="sv-SE", viewport={"width": 390, "height": 844},
                                  bypass_csp=AXE.exists())
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto(live_server + "/login")
        page.get_by_label("E-post").fill("personal@example.se")
        page.get_by_label("Lösenord").fill(factories.PASSWORD)
        page.get_by_role("button", name="Logga in").click()
        page.goto(live_server + "/ledger/queue")
        expect(page.locator("#queue-count")).to_have_text("52 poster väntar.")
        expect(page.get_by_role("link", name="Nästa")).to_have_attribute(
            "href", "/ledger/queue?page=2")
        if AXE.exists():
            lines = _violations(page, str(AXE))
            assert not lines, "axe on the queue:\n" + "\n".join(lines)

        _receive(page, first.id, "Kvitto 1")
        row = page.locator(f"#entry-{first.id}")
        expect(row).to_contain_text("Mottagen")
        expect(row).to_contain_text("100\u00a0kr från Fikagänget")
        expect(page.locator("#queue-count")).to_have_text("51 poster väntar.")
        expect(page.get_by_role("link", name=f"Historik post {first.id}", exact=True)).to_be_focused()
        assert page.url == live_server + "/ledger/queue"  # no reload

        # A workplace admin attests the next entry while the page is open.
        other = new_page()
        other.goto(live_server + "/login")
        other.get_by_label("E-post").fill("admin@example.se")
        other.get_by_label("Lösenord").fill(factories.PASSWORD)
        other.get_by_role("button", name="Logga in").click()
        other.goto(live_server + "/ledger/queue")
        other.get_by_role("button", name=f"Attestera post {second.id}", exact=True).click()
        expect(other.locator(f"#entry-{second.id}")).to_contain_text("Attesterad")

        page.get_by_role("button", name=f"Attestera post {second.id}", exact=True).click()
        row = page.locator(f"#entry-{second.id}")
        expect(row.get_by_role("alert")).to_contain_text("Posten är redan hanterad")
        # Attested, it still waits for the mission to receive the money.
        expect(page.locator("#queue-count")).to_have_text("51 poster väntar.")
        if AXE.exists():
            lines = _violations(page, str(AXE))
            assert not lines, "axe after handling in place:\n" + "\n".join(lines)

        page.reload()
        _receive(page, second.id, "Kvitto 2")
        expect(page.locator(f"#entry-{second.id}")).to_contain_text("Mottagen")
        expect(page.locator("#queue-count")).to_have_text("50 poster väntar.")
    finally:
        context.close()

    db.session.rollback()  # a fresh read of what the server wrote
    statuses = db.session.execute(
        db.select(LedgerEntry.status).where(LedgerEntry.id.in_([first.id, second.id]))
    ).scalars().all()
    assert statuses == ["received", "received"]
