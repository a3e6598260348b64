"""Payroll giving when two requests meet: a pledge sent twice at once is made once (never
two deductions a month), and a pledge stopped while its month is confirmed either ends
before that month or is deducted for it, never both.

The two requests are released together (tests/races.py); only PostgreSQL shows a race.
"""

from datetime import date, datetime, time

import pytest

from lokalamal_app import clock
from lokalamal_app.extensions import db
from lokalamal_app.models import LedgerEntry, PayrollDeduction, Pledge
from lokalamal_app.payroll import months, services
from tests import factories
from tests.races import statuses_at_once

# The payroll's closing day (the 25th): November's pay day has come, and November is still
# the next payroll month, so it can be both stopped before and confirmed.
TODAY = date(2026, 11, 25)
THIS_MONTH = months.month_of(TODAY)
ROUNDS = 5


@pytest.fixture(autouse=True)
def _on_one_day(freeze_clock):
    freeze_clock(datetime.combine(TODAY, time(12), tzinfo=clock.zone()))


def _workplace():
    admin = factories.make_user()
    company = factories.make_company(admin=admin)
    employee = factories.make_user()
    factories.make_team(company, captain=employee, goal_number=2)
    services.save_scheme(company, enabled=True, allow_fixed=True, allow_permille=False,
                         min_monthly_ore=5_000, closing_day=25, uses_employee_numbers=False,
                         actor=admin)
    factories.commit()
    return admin, company, employee


def test_a_pledge_sent_twice_at_once_is_made_once_and_deducted_once(app_ctx, login):
    for _ in range(ROUNDS):
        admin, company, employee = _workplace()
        url, form = f"/account/payroll/{company.slug}", {"kind": "fixed", "amount": "250"}
        answers = statuses_at_once((login(employee), url, form), (login(employee), url, form))
        assert 302 in answers and 500 not in answers
        # One runs. (When the second click comes after the first is saved, as SQLite's one
        # writer makes it, it is a change to the same sum: the first ends before it starts.)
        assert len(services.pledges_in(company, THIS_MONTH)) == 1
        services.confirm_month(company, THIS_MONTH, {}, admin, TODAY)
        factories.commit()
        assert db.session.execute(db.select(db.func.sum(LedgerEntry.amount_ore)).where(
            LedgerEntry.company_id == company.id)).scalar_one() == 250_00


def test_a_pledge_stopped_while_its_month_is_confirmed_is_deducted_only_if_it_runs(
        app_ctx, login):
    for _ in range(ROUNDS):
        admin, company, employee = _workplace()
        pledge = Pledge(company_id=company.id, user_id=employee.id, kind="fixed",
                        amount_ore=300_00, start_month=months.previous_month(THIS_MONTH))
        db.session.add(pledge)
        factories.commit()
        pledge_id = pledge.id
        answers = statuses_at_once(
            (login(admin), f"/companies/{company.slug}/payroll/{THIS_MONTH}", {}),
            (login(employee), f"/account/payroll/{company.slug}/stop", {}))
        assert answers == [302, 302]
        end_month = db.session.get(Pledge, pledge_id, populate_existing=True).end_month
        deducted = db.session.execute(db.select(db.func.count(PayrollDeduction.id)).where(
            PayrollDeduction.pledge_id == pledge_id,
            PayrollDeduction.month == THIS_MONTH)).scalar_one()
        # Confirmed first: deducted for November, the pledge ends after it. Stopped first:
        # it ended in October and November has nothing of it.
        assert (deducted, end_month) in ((1, THIS_MONTH),
                                         (0, months.previous_month(THIS_MONTH)))


def test_a_pledge_made_as_its_giver_is_removed_from_the_workplace_never_runs(app_ctx, login):
    """The admin removes a colleague at the moment the colleague pledges a monthly gift:
    whichever comes first, nobody outside the workplace has a running pledge, and the month
    deducts nothing from them."""
    for _ in range(ROUNDS):
        admin, company, employee = _workplace()
        answers = statuses_at_once(
            (login(admin), f"/companies/{company.slug}/members/{employee.id}/remove", {}),
            (login(employee), f"/account/payroll/{company.slug}",
             {"kind": "fixed", "amount": "250"}))
        assert answers[0] == 302 and 500 not in answers
        running = db.session.execute(db.select(Pledge).where(
            Pledge.user_id == employee.id,
            (Pledge.end_month.is_(None)) | (Pledge.end_month >= THIS_MONTH))).scalars().all()
        assert running == []
        services.confirm_month(company, THIS_MONTH, {}, admin, TODAY)
        factories.commit()
        assert db.session.execute(db.select(db.func.count(PayrollDeduction.id)).where(
            PayrollDeduction.user_id == employee.id)).scalar_one() == 0
