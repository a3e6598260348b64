"""Staff reconcile a Swish report in the browser (CSRF on): upload, review, confirm."""


from playwright.sync_api import expect

from lokalamal_app import clock
from lokalamal_app.extensions import db
from lokalamal_app.models import LedgerEntry
from tests import factories


def test_staff_upload_review_and_book_a_swish_report(app, live_server, page, tmp_path):
    with app.app_context():
        staff = factories.make_user(email="sara@stadsmissionen.example", is_staff=True)
        team = factories.make_team(factories.make_company(), reference="LM101")
        pending = factories.make_collection(team, amount_ore=250_00)
        factories.commit()
        pending_id, staff_email = pending.id, staff.email
    report = tmp_path / "swish.csv"
    report.write_text(f"Datum;Belopp;Meddelande\n{clock.today().isoformat()};250,00;LM101 fika\n"
                      f"{clock.today().isoformat()};80,00;Tack!\n", encoding="utf-8")
    page.goto(live_server + "/login")
    page.get_by_label("E-post").fill(staff_email)
    page.get_by_label("Lösenord").fill(factories.PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.goto(live_server + "/staff/swish-import")
    page.get_by_label("Swish- eller bankrapport (CSV)").set_input_files(str(report))
    page.get_by_role("button", name="Läs in och granska").click()
    expect(page.get_by_text("Ingen lagkod i meddelandet")).to_be_visible()
    page.get_by_role("button", name="Bokför de markerade").click()
    expect(page.get_by_text("1 rapporterade insamlingar mottagna")).to_be_visible()
    with app.app_context():
        assert db.session.get(LedgerEntry, pending_id).status == "received"
