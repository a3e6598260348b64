"""Every CSV download, with names and notes typed to look like spreadsheet formulas: no
cell starts a formula when the file is opened, amounts stay numbers, times are UTC."""

import csv
import io
import re

import pytest

from lokalamal_app import clock, csvexport
from lokalamal_app.ledger import services as ledger
from lokalamal_app.models import Pledge
from lokalamal_app.payroll import months, services
from tests import factories

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"-?[0-9]+(,[0-9]+)?")
HYPERLINK = '=HYPERLINK("https://example.com/x","Öppna")'


def cells(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    text = response.get_data().decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def formulas(rows: list[list[str]]) -> list[str]:
    """Cells a spreadsheet would run: starting (perhaps after spaces) like a formula and
    not a plain number."""
    return [c for row in rows for c in row
            if (c[:1] in FORMULA_STARTS or c.lstrip()[:1] in FORMULA_STARTS)
            and not NUMBER.fullmatch(c)]


@pytest.fixture
def hostile(app_ctx):
    """A workplace, team, people and notes named like formulas, with money logged, a
    reversal, and a confirmed payroll month."""
    staff = factories.make_user(email="staff@example.se", is_staff=True)
    admin = factories.make_user(display_name="@SUM(1+1)*cmd", email="-2+3@example.se")
    company = factories.make_company(admin=admin, name=" =1+2 AB")
    employee = factories.make_user(display_name=HYPERLINK, email="erik@example.se")
    factories.add_member(company, employee)
    team = factories.make_team(company, captain=employee, name="+46 Fikagänget")
    entry = factories.make_collection(team, amount_ore=50_00, note="\t=evil()",
                                      logged_by=employee)
    ledger.reverse_entry(entry, admin, "-Fel belopp")
    services.save_scheme(company, enabled=True, allow_fixed=True, allow_permille=True,
                         min_monthly_ore=5_000, closing_day=25, uses_employee_numbers=True,
                         actor=admin)
    last_month = months.previous_month(months.month_of(clock.today()))
    factories.db.session.add(Pledge(company_id=company.id, user_id=employee.id,
                                    start_month=last_month, employee_number="=1+1",
                                    kind="fixed", amount_ore=20_000, permille_tenths=None))
    factories.commit()
    services.confirm_month(company, last_month, {}, admin, clock.today())
    factories.commit()
    return type("World", (), dict(staff=staff, admin=admin, company=company,
                                  employee=employee, month=last_month))


def test_the_ledger_export_defuses_formulas_and_keeps_negative_amounts_numbers(hostile, login):
    rows = cells(login(hostile.staff).get("/ledger/export.csv"))
    assert formulas(rows) == []
    flat = [c for row in rows for c in row]
    assert "' =1+2 AB" in flat and "'+46 Fikagänget" in flat and "'\t=evil()" in flat
    assert "50,00" in flat and "-50,00" in flat
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", row[2]) for row in rows[1:])


def test_the_audit_export_defuses_an_actor_email_that_looks_like_a_formula(hostile, login):
    rows = cells(login(hostile.staff).get("/ledger/audit.csv"))
    assert formulas(rows) == []
    assert "'-2+3@example.se" in [row[2] for row in rows]
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", row[1]) for row in rows[1:])


def test_the_staff_ledger_file_is_streamed_through_the_same_writer(hostile, login):
    response = login(hostile.staff).get("/staff/export/collections.csv")
    assert response.is_streamed
    rows = cells(response)
    assert formulas(rows) == []
    assert rows[0][-1] == "registrerad (UTC)"
    assert "-50,00" in [row[2] for row in rows]
    assert all(row[-1].endswith("Z") for row in rows[1:])


def test_the_payroll_export_defuses_names_and_employee_numbers(hostile, login):
    url = f"/companies/{hostile.company.slug}/payroll/{hostile.month}/export.csv"
    rows = cells(login(hostile.admin).get(url))
    assert formulas(rows) == []
    assert rows[1][:2] == ["'" + HYPERLINK, "'=1+1"]
    assert rows[1][-1] == "200,00"


def test_the_yearly_statement_defuses_the_workplace_name(hostile, login):
    rows = cells(login(hostile.employee).get(f"/account/payroll/{hostile.month[:4]}.csv"))
    assert formulas(rows) == []
    assert "' =1+2 AB" in [row[1] for row in rows]


@pytest.mark.parametrize(("value", "cell"), [
    ("=1+1", "'=1+1"), ("  @x", "'  @x"), ("\r=x", "'\r=x"), ("\t-1", "'\t-1"),
    ("Kaffe", "Kaffe"), (None, ""), (-5, "-5"), (12, "12"),
])
def test_one_rule_for_every_cell(value, cell):
    assert csvexport.cell(value) == cell
    assert csvexport.kronor_cell(-5000) == "-50,00"
