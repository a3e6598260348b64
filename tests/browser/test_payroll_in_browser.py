"""Payroll giving in a phone browser: pledge with a live tax note, then the admin
confirms a month and the gift with its match shows up."""

from datetime import date

from playwright.sync_api import expect

from lokalamal_app import clock, settings
from lokalamal_app.extensions import db
from lokalamal_app.models import Pledge
from lokalamal_app.payroll import matching, months, services
from tests import factories

# The machine running the suite may be busy; give the browser time before failing.
WAIT_MS = 20_000


def _log_in(page, live_server, email):
    page.goto(live_server + "/login")
    page.get_by_label("E-post").fill(email)
    page.get_by_label("Lösenord").fill(factories.PASSWORD)
    page.get_by_role("button", name="Logga in").click()


def test_pledge_and_monthly_run_in_the_browser(app_ctx, live_server, new_page):
    admin = factories.make_user(display_name="Anna Admin", email="anna@example.se")
    company = factories.make_company(admin=admin, name="Kvarnen AB")
    employee = factories.make_user(display_name="Erik Ek", email="erik@example.se")
    factories.make_team(company, captain=employee)
    services.save_scheme(company, enabled=True, allow_fixed=True, allow_permille=False,
                         min_monthly_ore=5_000, closing_day=25, uses_employee_numbers=False,
                         actor=admin)
    settings.put("tax_reduction_approved", "1")
    factories.commit()
    company_id, slug = company.id, company.slug
    db.session.rollback()  # no read snapshot held while the server writes

    page = new_page()
    _log_in(page, live_server, "erik@example.se")
    page.get_by_role("link", name="Min sida").click()
    page.get_by_role("link", name="Ge via lönen (löneavdrag)").click()
    page.get_by_label("Belopp i månaden (kr)").fill("300")
    expect(page.locator(f"#payroll-tax-{company_id}")).to_contain_text("225\u00a0kr i månaden", timeout=WAIT_MS)
    page.get_by_role("button", name="Ge via lönen").click()
    expect(page.get_by_text("Tack! Ditt löneavdrag gäller från")).to_be_visible(timeout=WAIT_MS)

    # The pledge runs from the next payroll month; let it have started last month.
    last_month = months.previous_month(months.month_of(clock.today()))
    db.session.rollback()
    db.session.execute(db.update(Pledge).values(start_month=last_month))
    matching.add_rule(company, 50, 100_000, "payroll", date(2000, 1, 1), None, admin)
    factories.commit()
    db.session.rollback()

    page = new_page()
    _log_in(page, live_server, "anna@example.se")
    page.goto(f"{live_server}/companies/{slug}/payroll")
    page.get_by_role("link", name=f"Gå igenom {months.label(last_month)}").click()
    expect(page.get_by_text("Erik Ek")).to_be_visible(timeout=WAIT_MS)
    page.get_by_role("button", name=f"Bekräfta {months.label(last_month)}").click()
    expect(page.get_by_text("är bekräftade")).to_be_visible(timeout=WAIT_MS)
    page.goto(f"{live_server}/companies/{slug}/payroll")
    expect(page.get_by_text("som arbetsplatsen har lagt till")).to_be_visible(timeout=WAIT_MS)
    expect(page.locator("#matchning")).to_contain_text("150\u00a0kr", timeout=WAIT_MS)


def test_the_ways_to_give_are_buttons_beside_their_labels_without_bullets(
        app_ctx, live_server, page):
    company = factories.make_company(name="Kvarnen AB")
    employee = factories.make_user(email="erik@example.se")
    factories.make_team(company, captain=employee)
    services.save_scheme(company, enabled=True, allow_fixed=True, allow_permille=True,
                         min_monthly_ore=5_000, closing_day=25, uses_employee_numbers=False,
                         actor=factories.make_user(is_staff=True))
    factories.commit()
    db.session.rollback()

    _log_in(page, live_server, "erik@example.se")
    page.goto(live_server + "/account/payroll")
    group = page.get_by_role("group", name="Hur vill du ge?")
    expect(group.get_by_role("radio")).to_have_count(2)
    for item in group.locator("li").all():
        assert item.evaluate("li => getComputedStyle(li).listStyleType") == "none"
        radio, label = item.locator("input").bounding_box(), item.locator("label").bounding_box()
        # The label starts to the right of its button, on the same line.
        assert label["x"] >= radio["x"] + radio["width"]
        assert abs((label["y"] + label["height"] / 2) - (radio["y"] + radio["height"] / 2)) < 8
    group.get_by_label("Promille av lönen").check()
    expect(group.get_by_label("Promille av lönen")).to_be_checked()
