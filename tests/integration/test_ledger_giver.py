"""Who gave is recorded, not inferred: the giver of an entry stays through withdrawal,
correction and matching, and matching, its cap and participation follow the giver, never
the admin who attested or corrected the entry."""


from datetime import date, datetime, time, timedelta

import pytest

from lokalamal_app import clock
from lokalamal_app.extensions import db
from lokalamal_app.ledger import check, soundness
from lokalamal_app.ledger import services as ledger
from lokalamal_app.models import LedgerEntry, MatchUsage, Pledge
from lokalamal_app.payroll import matching, months, services
from tests import factories

# One fixed day for the whole module (the clock is held there below): a day read from the
# real clock when the module loads is yesterday for a test that runs past midnight.
TODAY = date(2026, 11, 18)


@pytest.fixture(autouse=True)
def _on_one_day(freeze_clock):
    freeze_clock(datetime.combine(TODAY, time(12), tzinfo=clock.zone()))
LAST_MONTH = months.previous_month(months.month_of(TODAY))


@pytest.fixture
def world(app_ctx):
    admin = factories.make_user(display_name="Anna Admin")
    company = factories.make_company(admin=admin)
    employee = factories.make_user(display_name="Erik Ek")
    team = factories.make_team(company, captain=employee)
    services.save_scheme(company, enabled=True, allow_fixed=True, allow_permille=False,
                         min_monthly_ore=0, closing_day=25, uses_employee_numbers=False,
                         actor=admin)
    matching.add_rule(company, 50, 100_000, "all", TODAY - timedelta(days=400), None, admin)
    staff = factories.make_user(is_staff=True)
    factories.commit()
    return type("World", (), dict(**locals()))


def live_matches():
    """(amount, giver) of each match that still counts."""
    reversed_ids = set(db.session.execute(
        db.select(LedgerEntry.reverses_id).where(LedgerEntry.reverses_id.is_not(None))
    ).scalars())
    return [(m.amount_ore, m.giver_id) for m in db.session.execute(
        db.select(LedgerEntry).where(LedgerEntry.method == "match",
                                     LedgerEntry.reverses_id.is_(None))
        .order_by(LedgerEntry.id)).scalars() if m.id not in reversed_ids]


def usage(user) -> int:
    row = db.session.execute(db.select(MatchUsage).where(
        MatchUsage.user_id == user.id)).scalar_one_or_none()
    return row.matched_ore if row else 0


def assert_sound():
    db.session.expire_all()
    assert soundness.problems() == []
    assert check.all_differences() == []


def payroll_gift(world, amount_ore=30_000):
    db.session.add(Pledge(company_id=world.company.id, user_id=world.employee.id, kind="fixed",
                          amount_ore=amount_ore, start_month=LAST_MONTH))
    services.confirm_month(world.company, LAST_MONTH, {}, world.admin, TODAY)
    factories.commit()
    return db.session.execute(db.select(LedgerEntry).where(
        LedgerEntry.method == "payroll")).scalar_one()


def test_an_entry_counts_for_the_person_who_logged_it(world):
    entry = factories.make_collection(world.team, logged_by=world.employee)
    assert entry.giver_id == world.employee.id


def test_correcting_a_payroll_gift_keeps_the_employers_match_for_the_new_amount(world):
    gift = payroll_gift(world, 30_000)
    assert live_matches() == [(15_000, world.employee.id)]
    new = ledger.correct_entry(gift, world.admin, 40_000, gift.collected_on, "payroll",
                               gift.note, "Fel belopp i lönefilen")
    factories.commit()
    assert new.giver_id == world.employee.id
    # The admin's new amount is only reported; once attested, the match follows it.
    assert new.status == "pending" and live_matches() == []
    ledger.attest_entry(new, world.staff)
    factories.commit()
    assert live_matches() == [(20_000, world.employee.id)]
    assert usage(world.employee) == 20_000
    assert usage(world.admin) == 0
    assert_sound()


def test_correcting_an_attested_gift_charges_the_match_to_the_giver_not_the_admin(world):
    entry = factories.make_collection(world.team, amount_ore=10_000, logged_by=world.employee)
    ledger.attest_entry(entry, world.admin)
    factories.commit()
    assert live_matches() == [(5_000, world.employee.id)]
    new = ledger.correct_entry(entry, world.admin, 12_000, entry.collected_on, "swish", "",
                               "Kvittot visar 120 kr")
    factories.commit()
    assert new.status == "pending" and live_matches() == []
    ledger.attest_entry(new, world.staff)  # not by the admin, who logged the new amount
    factories.commit()
    assert live_matches() == [(6_000, world.employee.id)]
    assert usage(world.employee) == 6_000 and usage(world.admin) == 0
    assert_sound()


def test_withdrawing_keeps_the_giver_on_the_reversal(world):
    entry = factories.make_collection(world.team, logged_by=world.employee)
    reversal = ledger.withdraw_entry(entry, world.employee)
    assert reversal.giver_id == world.employee.id
    assert_sound()


def test_a_payment_the_mission_imported_counts_for_nobody(world):
    entry = ledger.record_collection(world.team, 5_000, TODAY, "swish", logged_by=world.staff,
                                     status="received", giver_id=None, received_on=TODAY,
                                     received_reference="Bankgiro rad 3")
    factories.commit()
    assert entry.giver_id is None and live_matches() == []


def test_soundness_finds_a_match_charged_to_someone_else(world):
    entry = factories.make_collection(world.team, amount_ore=10_000, logged_by=world.employee)
    ledger.attest_entry(entry, world.admin)
    factories.commit()
    db.session.execute(db.update(LedgerEntry).where(LedgerEntry.method == "match")
                       .values(giver_id=world.admin.id))
    problems = soundness.problems()
    assert any("annan person" in p for p in problems)
    assert any("matchningstak" in p for p in problems)


def test_soundness_finds_an_entry_both_rejected_and_reversed(world):
    entry = factories.make_collection(world.team, amount_ore=10_000, logged_by=world.employee)
    ledger.withdraw_entry(entry, world.employee)
    factories.commit()
    db.session.execute(db.update(LedgerEntry).where(LedgerEntry.id == entry.id)
                       .values(status="rejected"))
    problems = soundness.problems()
    assert any("både avvisad och återförd" in p for p in problems)


def test_soundness_finds_a_payroll_deduction_pointing_at_the_wrong_amount(world):
    from lokalamal_app.models import PayrollDeduction

    payroll_gift(world, 30_000)
    db.session.execute(db.update(PayrollDeduction).values(amount_ore=31_000))
    assert any("löneavdrag" in p for p in soundness.problems())


def test_handling_a_rejected_entry_again_is_a_conflict(world):
    entry = factories.make_collection(world.team, amount_ore=10_000, logged_by=world.employee)
    ledger.reject_entry(entry, world.staff, "Kom aldrig fram")
    factories.commit()
    with pytest.raises(ledger.Conflict):
        ledger.attest_entry(entry.id, world.admin)
    with pytest.raises(ledger.Conflict):
        ledger.receive_entry(entry.id, world.staff, "Kvitto 1")
    with pytest.raises(ledger.Conflict):
        ledger.withdraw_entry(entry.id, world.employee)
    with pytest.raises(ledger.Conflict):
        ledger.correct_entry(entry.id, world.admin, 5_000, TODAY, "swish", "", "Fel")


def test_ledger_check_finds_a_tampered_match_usage_and_rebuild_mends_it(world, app):
    entry = factories.make_collection(world.team, amount_ore=10_000, logged_by=world.employee)
    ledger.attest_entry(entry, world.admin)
    factories.commit()
    db.session.execute(db.update(MatchUsage).values(matched_ore=1))
    factories.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["ledger-check"])
    assert result.exit_code == 1 and "matchningstak" in result.output
    assert runner.invoke(args=["ledger-rebuild"]).exit_code == 0
    db.session.expire_all()
    assert usage(world.employee) == 5_000
    assert runner.invoke(args=["ledger-check"]).exit_code == 0
