"""Payroll giving through the test client: pledges, the monthly run, CSV in and out,
statements, and the bad input the issue lists."""

import html
from datetime import date, datetime, time

import pytest

from lokalamal_app import clock, settings
from lokalamal_app.extensions import db
from lokalamal_app.ledger import totals
from lokalamal_app.models import LedgerEntry, PayrollDeduction, PayrollRun, Pledge
from lokalamal_app.payroll import months, services
from tests import factories

# One fixed day for the whole module (the clock is held there below): a day read from the
# real clock when the module loads is yesterday for a test that runs past midnight.
TODAY = date(2026, 11, 18)


@pytest.fixture(autouse=True)
def _on_one_day(freeze_clock):
    freeze_clock(datetime.combine(TODAY, time(12), tzinfo=clock.zone()))
THIS_MONTH = months.month_of(TODAY)
LAST_MONTH = months.previous_month(THIS_MONTH)


@pytest.fixture
def world(app_ctx):
    """A workplace with payroll giving (fixed and per mille, at least 50 kr), an admin,
    and an employee in a team."""
    admin = factories.make_user(display_name="Anna Admin")
    company = factories.make_company(admin=admin, name="Kvarnen AB")
    employee = factories.make_user(display_name="Erik Ek", email="erik@example.se")
    team = factories.make_team(company, captain=employee, goal_number=2)
    services.save_scheme(company, enabled=True, allow_fixed=True, allow_permille=True,
                         min_monthly_ore=5_000, closing_day=25, uses_employee_numbers=True,
                         actor=admin)
    factories.commit()
    return type("World", (), dict(admin=admin, company=company, employee=employee, team=team))


def add_pledge(world, user=None, start=LAST_MONTH, **kw):
    """A pledge straight in the model (as if made months ago)."""
    values = dict(kind="fixed", amount_ore=20_000, permille_tenths=None)
    values.update(kw)
    pledge = Pledge(company_id=world.company.id, user_id=(user or world.employee).id,
                    start_month=start, employee_number=kw.pop("employee_number", "E1"),
                    **{k: v for k, v in values.items() if k != "employee_number"})
    db.session.add(pledge)
    factories.commit()
    return pledge


def entries(method="payroll"):
    return db.session.execute(
        db.select(LedgerEntry).where(LedgerEntry.method == method)).scalars().all()


# --- Pledging --------------------------------------------------------------------------

def test_employee_pledges_a_fixed_sum_from_the_next_payroll_month(world, login):
    client = login(world.employee)
    response = client.post(f"/account/payroll/{world.company.slug}",
                           data={"kind": "fixed", "amount": "250", "employee_number": "E77"})
    assert response.status_code == 302
    pledge = db.session.execute(db.select(Pledge)).scalar_one()
    assert (pledge.kind, pledge.amount_ore, pledge.employee_number) == ("fixed", 25_000, "E77")
    assert pledge.start_month == services.next_payroll_month(
        world.company, services.scheme_for(world.company), TODAY)
    page = client.get("/account/payroll").get_data(as_text=True)
    assert "250\u00a0kr i månaden" in page


def test_the_pledge_form_tells_whether_the_gift_gives_tax_reduction(world, login):
    settings.put("tax_reduction_approved", "1")
    factories.commit()
    client = login(world.employee)
    client.post(f"/account/payroll/{world.company.slug}",
                data={"kind": "fixed", "amount": "100", "employee_number": "E1"})
    page = client.get("/account/payroll").get_data(as_text=True)
    assert "minst 200 kr för skattereduktion" in page
    client.post(f"/account/payroll/{world.company.slug}",
                data={"kind": "fixed", "amount": "300", "employee_number": "E1"})
    page = client.get("/account/payroll").get_data(as_text=True)
    # 3 600 kr a year gives 900 kr back: 75 kr a month, so the gift costs 225 kr.
    assert "900\u00a0kr" in page and "225\u00a0kr i månaden" in page


def test_the_tax_note_follows_the_amount_being_typed(world, login):
    settings.put("tax_reduction_approved", "1")
    factories.commit()
    client = login(world.employee)
    page = client.get("/account/payroll").get_data(as_text=True)
    assert f'hx-get="/account/payroll/{world.company.slug}/tax"' in page
    url = f"/account/payroll/{world.company.slug}/tax"
    assert "minst 200 kr" in client.get(url, query_string={"amount": "150"}).get_data(as_text=True)
    # 1 500 kr a month is 18 000 kr a year: 25 % would be 4 500 kr, capped at 3 000 kr.
    capped = client.get(url, query_string={"amount": "1 500"}).get_data(as_text=True)
    assert "3 000 kr" in capped and "1 250 kr i månaden" in capped
    assert client.get(url, query_string={"amount": "xyz"}).status_code == 200
    assert login(factories.make_user()).get(url).status_code == 403


def test_without_approval_nothing_is_said_about_tax_reduction(world, login):
    client = login(world.employee)
    page = client.get("/account/payroll").get_data(as_text=True)
    assert "skattereduktion" not in page


@pytest.mark.parametrize("data, message", [
    ({"kind": "permille", "permille": "0"}, "mellan 0,1 och 100"),
    ({"kind": "permille", "permille": "150"}, "mellan 0,1 och 100"),
    ({"kind": "permille", "permille": "tio"}, "som ett tal"),
    ({"kind": "fixed", "amount": "40"}, "lägsta belopp är 50"),
    ({"kind": "fixed", "amount": "-100"}, "större än noll"),
    ({"kind": "fixed", "amount": "5000000"}, "högst 100 000 kr"),
    ({"kind": "fixed", "amount": "abc"}, "ett tal i kronor"),
    ({"kind": "fixed", "amount": "100", "start_month": "2020-01"}, "redan stängd"),
    ({"kind": "fixed", "amount": "100", "start_month": "nästa år"}, "till exempel"),
    ({"kind": "fixed", "amount": "100", "start_month": "2999-01"}, "för långt fram i tiden"),
    ({"kind": "fixed", "amount": "100", "start_month": "0001-01"}, "för långt bak i tiden"),
])
def test_bad_pledges_are_refused_at_the_field(world, login, data, message):
    client = login(world.employee)
    response = client.post(f"/account/payroll/{world.company.slug}",
                           data={"employee_number": "E1", **data})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page
    for value in data.values():
        assert f'value="{value}"' in page or value in ("fixed", "permille")
    assert db.session.execute(db.select(db.func.count(Pledge.id))).scalar_one() == 0


def test_a_pledge_where_payroll_giving_is_off_is_refused(app_ctx, login):
    company = factories.make_company()
    user = factories.make_user()
    factories.make_team(company, captain=user)
    factories.commit()
    response = login(user).post(f"/account/payroll/{company.slug}",
                                data={"kind": "fixed", "amount": "100"})
    assert response.status_code == 422
    assert "erbjuder inte löneavdrag" in response.get_data(as_text=True)
    assert db.session.execute(db.select(db.func.count(Pledge.id))).scalar_one() == 0


def test_a_second_active_pledge_is_refused(world):
    first = services.next_payroll_month(world.company, services.scheme_for(world.company), TODAY)
    services.make_pledge(world.employee, world.company, kind="fixed", amount_ore=10_000,
                         employee_number="E1", today=TODAY)
    with pytest.raises(services.PayrollError, match="redan ett löneavdrag"):
        services.make_pledge(world.employee, world.company, kind="fixed", amount_ore=20_000,
                             employee_number="E1", today=TODAY, start_month=months.next_month(first))


def test_posting_again_changes_the_pledge_from_the_next_payroll_month(world, login):
    pledge = add_pledge(world, amount_ore=10_000)
    client = login(world.employee)
    response = client.post(f"/account/payroll/{world.company.slug}",
                           data={"kind": "permille", "permille": "2,5", "employee_number": "E1"})
    assert response.status_code == 302
    db.session.expire_all()
    first = services.next_payroll_month(world.company, services.scheme_for(world.company), TODAY)
    new = db.session.execute(db.select(Pledge).where(Pledge.id != pledge.id)).scalar_one()
    assert (new.kind, new.permille_tenths, new.start_month) == ("permille", 25, first)
    assert db.session.get(Pledge, pledge.id).end_month == months.previous_month(first)


def test_stopping_ends_the_pledge_before_the_next_payroll_month(world, login):
    pledge = add_pledge(world)
    response = login(world.employee).post(f"/account/payroll/{world.company.slug}/stop")
    assert response.status_code == 302
    db.session.expire_all()
    first = services.next_payroll_month(world.company, services.scheme_for(world.company), TODAY)
    assert db.session.get(Pledge, pledge.id).end_month == months.previous_month(first)
    assert services.pledges_in(world.company, first) == []


def test_leaving_the_workplace_ends_the_pledge_and_its_deductions(world, login):
    """Taken out of the workplace (or leaving it): the pledge ends before the next payroll
    month, which deducts nothing more from them; months already run stay."""
    from lokalamal_app.models import AuditEvent

    pledge = add_pledge(world)
    colleague = factories.make_user(display_name="Kim Kollega")
    factories.add_member(world.company, colleague)
    factories.join_team(world.team, colleague)
    factories.commit()
    other = add_pledge(world, user=colleague)
    response = login(world.admin).post(
        f"/companies/{world.company.slug}/members/{world.employee.id}/remove")
    assert response.status_code == 302
    db.session.expire_all()
    first = services.next_payroll_month(world.company, services.scheme_for(world.company), TODAY)
    assert db.session.get(Pledge, pledge.id).end_month == months.previous_month(first)
    assert db.session.get(Pledge, other.id).end_month is None  # the colleague's runs on
    assert [p.id for p in services.pledges_in(world.company, first)] == [other.id]
    assert db.session.execute(db.select(AuditEvent).where(
        AuditEvent.action == "payroll.pledge_stop")).scalar_one().subject_id == pledge.id


def test_a_pledge_of_someone_no_longer_in_the_workplace_is_not_deducted(world):
    """However it came to run on (a membership removed outside the app): no deduction."""
    from lokalamal_app.models import Membership

    add_pledge(world)
    db.session.execute(db.delete(Membership).where(Membership.user_id == world.employee.id))
    factories.commit()
    assert services.pledges_in(world.company, THIS_MONTH) == []


def test_without_a_team_the_employee_picks_a_goal_and_the_gift_goes_there(world, login):
    loner = factories.make_user(display_name="Lisa Ensam")
    factories.add_member(world.company, loner)
    factories.commit()
    client = login(loner)
    response = client.post(f"/account/payroll/{world.company.slug}",
                           data={"kind": "fixed", "amount": "100", "employee_number": "E9"})
    assert response.status_code == 422
    assert "Välj vilket mål" in response.get_data(as_text=True)
    goal = factories.goal(5)
    pledge = add_pledge(world, user=loner, goal_id=goal.id, employee_number="E9")
    services.confirm_month(world.company, LAST_MONTH, {}, world.admin, TODAY)
    factories.commit()
    entry = db.session.execute(db.select(LedgerEntry).join(
        PayrollDeduction, PayrollDeduction.entry_id == LedgerEntry.id).where(
        PayrollDeduction.pledge_id == pledge.id)).scalar_one()
    assert entry.goal_id == goal.id
    assert totals.figures("goal", goal.id).attested_ore == 20_000


def test_only_members_may_pledge_and_only_admins_run_payroll(world, login):
    outsider = factories.make_user()
    factories.commit()
    client = login(outsider)
    assert client.post(f"/account/payroll/{world.company.slug}",
                       data={"kind": "fixed", "amount": "100"}).status_code == 403
    assert client.get(f"/companies/{world.company.slug}/payroll").status_code == 403
    employee = login(world.employee)
    assert employee.get(f"/companies/{world.company.slug}/payroll").status_code == 403
    assert employee.post(f"/companies/{world.company.slug}/payroll/{LAST_MONTH}").status_code == 403
    assert employee.get(
        f"/companies/{world.company.slug}/payroll/{LAST_MONTH}/export.csv").status_code == 403
    assert login(world.admin).get(f"/companies/{world.company.slug}/payroll").status_code == 200


def test_visitors_are_sent_to_log_in(world, client):
    response = client.get(f"/companies/{world.company.slug}/payroll")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.get("/account/payroll").status_code == 302


# --- The admin's settings ----------------------------------------------------------------

def test_admin_turns_payroll_giving_on_with_its_forms(app_ctx, login):
    admin = factories.make_user()
    company = factories.make_company(admin=admin)
    factories.commit()
    client = login(admin)
    response = client.post(f"/companies/{company.slug}/payroll", data={
        "enabled": "y", "allow_fixed": "y", "min_monthly": "100", "closing_day": "20"})
    assert response.status_code == 302
    scheme = services.scheme_for(company)
    assert (scheme.enabled, scheme.allow_fixed, scheme.allow_permille,
            scheme.min_monthly_ore, scheme.closing_day) == (True, True, False, 10_000, 20)


@pytest.mark.parametrize("data, message", [
    ({"enabled": "y", "min_monthly": "0", "closing_day": "25"}, "minst en form"),
    ({"enabled": "y", "allow_fixed": "y", "min_monthly": "0", "closing_day": "31"}, "mellan 1 och 28"),
    ({"enabled": "y", "allow_fixed": "y", "min_monthly": "-5", "closing_day": "25"}, "mellan 0 och 100 000"),
])
def test_bad_settings_are_refused(app_ctx, login, data, message):
    admin = factories.make_user()
    company = factories.make_company(admin=admin)
    factories.commit()
    response = login(admin).post(f"/companies/{company.slug}/payroll", data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert services.scheme_for(company) is None


# --- The monthly run ----------------------------------------------------------------------

def test_confirming_a_month_writes_one_attested_collection_per_pledge(world, login):
    colleague = factories.make_user(display_name="Bo Berg", email="bo@example.se")
    factories.join_team(world.team, colleague)
    add_pledge(world, amount_ore=20_000)
    permille = add_pledge(world, user=colleague, kind="permille", amount_ore=None,
                          permille_tenths=50, employee_number="E2")
    client = login(world.admin)
    page = client.get(f"/companies/{world.company.slug}/payroll/{LAST_MONTH}")
    assert page.status_code == 200 and "Bo Berg" in page.get_data(as_text=True)
    response = client.post(f"/companies/{world.company.slug}/payroll/{LAST_MONTH}",
                           data={f"amount-{permille.id}": "312,50"})
    assert response.status_code == 302
    rows = entries()
    assert sorted(e.amount_ore for e in rows) == [20_000, 31_250]
    # The workplace vouches for its own payroll; the mission has not received it yet.
    assert {e.status for e in rows} == {"attested"}
    assert {e.team_id for e in rows} == {world.team.id}
    figures = totals.figures("team", world.team.id)
    assert (figures.attested_ore, figures.received_ore) == (51_250, 0)


def test_running_a_month_twice_writes_nothing_twice(world, login):
    add_pledge(world)
    client = login(world.admin)
    url = f"/companies/{world.company.slug}/payroll/{LAST_MONTH}"
    assert client.post(url).status_code == 302
    second = client.post(url)
    assert second.status_code == 422
    assert "redan bekräftad" in second.get_data(as_text=True)
    assert len(entries()) == 1
    assert db.session.execute(db.select(db.func.count(PayrollRun.id))).scalar_one() == 1
    assert totals.figures("team", world.team.id).attested_ore == 20_000


def test_a_month_in_the_future_cannot_be_confirmed(world, login):
    add_pledge(world, start=THIS_MONTH)
    future = months.next_month(THIS_MONTH)
    response = login(world.admin).post(f"/companies/{world.company.slug}/payroll/{future}")
    assert response.status_code == 422
    assert "har inte kommit än" in response.get_data(as_text=True)
    assert entries() == []


def test_this_month_is_confirmed_from_its_pay_day_not_before(world, login, freeze_clock):
    """The gifts are dated on the payroll's closing day (the 25th here): before it the
    month is refused with that day named, never a 500; on it the month is confirmed."""
    add_pledge(world, start=THIS_MONTH)
    url = f"/companies/{world.company.slug}/payroll/{THIS_MONTH}"
    response = login(world.admin).post(url)
    assert response.status_code == 422
    assert "Lönen för november 2026 dras den 25; bekräfta månaden då." in html.unescape(
        response.get_data(as_text=True))
    assert entries() == []
    freeze_clock(datetime.combine(date(2026, 11, 25), time(9), tzinfo=clock.zone()))
    assert login(world.admin).post(url).status_code == 302
    assert [(e.amount_ore, e.collected_on) for e in entries()] == [(200_00, date(2026, 11, 25))]


@pytest.mark.parametrize("typed, message", [
    ("", "Skriv ett belopp"), ("-50", "negativt"), ("99999999", "orimligt"), ("tolv", "ett tal"),
])
def test_bad_per_mille_amounts_write_nothing(world, login, typed, message):
    add_pledge(world)
    permille = add_pledge(world, user=world.admin, kind="permille", amount_ore=None,
                          permille_tenths=10, employee_number="E2")
    response = login(world.admin).post(f"/companies/{world.company.slug}/payroll/{LAST_MONTH}",
                                       data={f"amount-{permille.id}": typed})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page and f'value="{typed}"' in page
    assert entries() == []
    assert db.session.execute(db.select(db.func.count(PayrollRun.id))).scalar_one() == 0


def test_zero_means_no_deduction_that_month(world, login):
    permille = add_pledge(world, kind="permille", amount_ore=None, permille_tenths=10)
    response = login(world.admin).post(f"/companies/{world.company.slug}/payroll/{LAST_MONTH}",
                                       data={f"amount-{permille.id}": "0"})
    assert response.status_code == 302
    assert entries() == []
    assert db.session.execute(db.select(db.func.count(PayrollRun.id))).scalar_one() == 1


def test_a_stopped_pledge_is_not_in_later_months(world):
    pledge = add_pledge(world, start=months.previous_month(LAST_MONTH))
    pledge.end_month = months.previous_month(LAST_MONTH)
    factories.commit()
    assert services.pledges_in(world.company, LAST_MONTH) == []
    assert services.pledges_in(world.company, pledge.start_month) == [pledge]


# --- CSV import and export -------------------------------------------------------------------

def _two_permille_pledges(world):
    colleague = factories.make_user(display_name="Bo Berg", email="bo@example.se")
    factories.join_team(world.team, colleague)
    a = add_pledge(world, kind="permille", amount_ore=None, permille_tenths=10,
                   employee_number="E1")
    b = add_pledge(world, user=colleague, kind="permille", amount_ore=None,
                   permille_tenths=25, employee_number="E2")
    return a, b


def _upload(client, world, text: str, encoding="utf-8"):
    import io

    return client.post(
        f"/companies/{world.company.slug}/payroll/{LAST_MONTH}/import",
        data={"file": (io.BytesIO(text.encode(encoding)), "lon.csv")},
        content_type="multipart/form-data")


def test_a_valid_import_fills_the_amounts_and_writes_nothing_until_confirmed(world, login):
    a, b = _two_permille_pledges(world)
    client = login(world.admin)
    response = _upload(client, world, "\ufeffAnställningsnummer;Namn;Belopp\r\nE1;Erik;312,50\r\n"
                                      "E2;Bo;1 045,00\r\n")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f'name="amount-{a.id}" inputmode="decimal" value="312,50"' in page
    assert f'name="amount-{b.id}" inputmode="decimal" value="1045"' in page
    assert entries() == []
    client.post(f"/companies/{world.company.slug}/payroll/{LAST_MONTH}",
                data={f"amount-{a.id}": "312,50", f"amount-{b.id}": "1045"})
    assert sorted(e.amount_ore for e in entries()) == [31_250, 104_500]


def test_an_import_with_bad_rows_is_refused_row_by_row(world, login):
    _two_permille_pledges(world)
    response = _upload(login(world.admin), world,
                       "Anställningsnummer;Belopp\nE1;312,50\nE9;100\nE2;-5\nE1;10\nE2;tio\n")
    assert response.status_code == 422
    page = html.unescape(response.get_data(as_text=True))
    assert 'Rad 3: ingen med anställningsnummer "E9"' in page
    assert "Rad 4: beloppet kan inte vara negativt" in page
    assert "Rad 5: Erik Ek finns redan" in page
    assert "Rad 6: Beloppet ska vara ett tal" in page
    assert "Inget är sparat" in page
    assert entries() == []


@pytest.mark.parametrize("text, message", [
    ("", "Välj en CSV-fil"),
    ("Namn;Summa\nErik;100\n", "Första raden ska vara rubriker"),
])
def test_an_unusable_file_is_refused(world, login, text, message):
    _two_permille_pledges(world)
    client = login(world.admin)
    if text:
        response = _upload(client, world, text)
    else:
        response = client.post(f"/companies/{world.company.slug}/payroll/{LAST_MONTH}/import",
                               data={}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_import_by_email_in_a_windows_file(world, login):
    a, _ = _two_permille_pledges(world)
    response = _upload(login(world.admin), world, "E-post;Belopp\nerik@example.se;250\n",
                       encoding="cp1252")
    assert response.status_code == 200
    assert f'name="amount-{a.id}" inputmode="decimal" value="250"' in response.get_data(as_text=True)


def test_export_lists_the_months_deductions_for_the_payroll_system(world, login):
    a, b = _two_permille_pledges(world)
    client = login(world.admin)
    client.post(f"/companies/{world.company.slug}/payroll/{LAST_MONTH}",
                data={f"amount-{a.id}": "312,5", f"amount-{b.id}": "1000"})
    response = client.get(f"/companies/{world.company.slug}/payroll/{LAST_MONTH}/export.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    body = response.data
    assert body.startswith(b"\xef\xbb\xbf")
    lines = body.decode("utf-8-sig").splitlines()
    assert lines[0] == "Namn;Anställningsnummer;Form;Promille;Belopp (kr)"
    assert lines[1:] == ["Bo Berg;E2;Promille;2,5;1000,00", "Erik Ek;E1;Promille;1;312,50"]


# --- The employee's history and statement -------------------------------------------------------

def test_the_yearly_statement_shows_what_was_given_and_leaves_out_reversals(world, login):
    from lokalamal_app.ledger import services as ledger

    add_pledge(world, amount_ore=20_000, start=months.previous_month(LAST_MONTH))
    services.confirm_month(world.company, months.previous_month(LAST_MONTH), {}, world.admin,
                           TODAY)
    services.confirm_month(world.company, LAST_MONTH, {}, world.admin, TODAY)
    first = entries()[0]
    ledger.reverse_entry(first, world.admin, "Fel månad")
    factories.commit()
    client = login(world.employee)
    years = {months.previous_month(LAST_MONTH)[:4], LAST_MONTH[:4]}
    total = 0
    for year in years:
        page = client.get(f"/account/payroll/{year}")
        assert page.status_code == 200
        csv_text = client.get(f"/account/payroll/{year}.csv").data.decode("utf-8-sig")
        assert csv_text.startswith("Månad;Arbetsplats;Belopp (kr);Anmärkning")
        total += int(csv_text.splitlines()[-1].split(";")[2].split(",")[0])
    assert total == 200  # two months of 200 kr, one reversed
    other = login(factories.make_user())
    factories.commit()
    assert "Inga löneavdrag" in other.get(f"/account/payroll/{LAST_MONTH[:4]}").get_data(as_text=True)


# --- A pledger who left their team ------------------------------------------------------

def _leave(world, user=None):
    from lokalamal_app.teams import services as teams

    user = user or world.employee
    teams.leave_team(world.team, user, user, force=True)
    factories.commit()


def test_a_gift_after_leaving_the_team_goes_to_the_goal_it_went_to_before(world, login):
    earlier = months.previous_month(LAST_MONTH)
    pledge = add_pledge(world, start=earlier)
    services.confirm_month(world.company, earlier, {}, world.admin, TODAY)
    factories.commit()
    _leave(world)
    response = login(world.admin).post(f"/companies/{world.company.slug}/payroll/{LAST_MONTH}")
    assert response.status_code == 302
    db.session.expire_all()
    gifts = db.session.execute(
        db.select(LedgerEntry).join(PayrollDeduction, PayrollDeduction.entry_id == LedgerEntry.id)
        .where(PayrollDeduction.pledge_id == pledge.id).order_by(PayrollDeduction.month)
    ).scalars().all()
    assert len(gifts) == 2
    # The month in the team stays with the team; leaving takes nothing along.
    assert gifts[0].team_id == world.team.id
    assert gifts[1].team_id != world.team.id and gifts[1].goal_id == world.team.goal_id
    assert totals.figures("team", world.team.id).attested_ore == 20_000
    assert totals.figures("goal", world.team.goal_id).attested_ore == 40_000


def test_a_gift_with_neither_team_nor_goal_is_listed_for_the_admin_and_the_rest_book(world, login):
    lisa = factories.make_user(display_name="Lisa Lag")
    factories.add_member(world.company, lisa)
    factories.join_team(world.team, lisa)
    factories.commit()
    add_pledge(world)  # Erik, who left before his first payroll month was booked
    other = add_pledge(world, user=lisa, amount_ore=15_000, employee_number="E2")
    _leave(world)
    client = login(world.admin)
    response = client.post(f"/companies/{world.company.slug}/payroll/{LAST_MONTH}")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Erik Ek är inte med i något lag och har inget mål för gåvan" in html.unescape(page)
    db.session.expire_all()
    assert db.session.execute(db.select(PayrollRun)).scalar_one().month == LAST_MONTH
    booked = db.session.execute(db.select(PayrollDeduction)).scalars().all()
    assert [d.pledge_id for d in booked] == [other.id]
    assert totals.figures("team", world.team.id).attested_ore == 15_000
    # The month page keeps saying which gift was not booked, and why.
    again = client.get(f"/companies/{world.company.slug}/payroll/{LAST_MONTH}")
    assert "inget mål för gåvan" in html.unescape(again.get_data(as_text=True))


def _statement_csv(client, month):
    text = client.get(f"/account/payroll/{month[:4]}.csv").data.decode("utf-8-sig")
    return [line.split(";") for line in text.splitlines()[1:]]


def test_a_corrected_payroll_gift_stays_on_the_statement_with_its_corrected_amount(world, login):
    from lokalamal_app.ledger import services as ledger

    add_pledge(world, amount_ore=20_000)
    services.confirm_month(world.company, LAST_MONTH, {}, world.admin, TODAY)
    gift = entries()[0]
    corrected = ledger.correct_entry(gift, world.admin, 15_000, gift.collected_on, "payroll",
                                     gift.note, "Lönekontoret drog 150 kr")
    # A second correction: the statement follows the whole chain.
    ledger.correct_entry(corrected, world.admin, 17_500, gift.collected_on, "payroll",
                         gift.note, "Rättat igen")
    factories.commit()
    client = login(world.employee)
    lines = _statement_csv(client, LAST_MONTH)
    assert lines[0] == [months.label(LAST_MONTH), "Kvarnen AB", "175,00", ""]
    assert lines[-1][:3] == ["Summa", "", "175,00"]
    page = html.unescape(client.get(f"/account/payroll/{LAST_MONTH[:4]}").get_data(as_text=True))
    assert "175\u00a0kr" in page and "återtagen" not in page


def test_a_withdrawn_payroll_gift_or_correction_does_not_count_on_the_statement(world, login):
    from lokalamal_app.ledger import services as ledger

    add_pledge(world, amount_ore=20_000)
    services.confirm_month(world.company, LAST_MONTH, {}, world.admin, TODAY)
    gift = entries()[0]
    corrected = ledger.correct_entry(gift, world.admin, 15_000, gift.collected_on, "payroll",
                                     gift.note, "Fel belopp")
    ledger.reverse_entry(corrected, world.admin, "Inget avdrag den månaden")
    factories.commit()
    lines = _statement_csv(login(world.employee), LAST_MONTH)
    assert lines[0][2:] == ["150,00", "Återtagen"]
    assert lines[-1][:3] == ["Summa", "", "0,00"]
