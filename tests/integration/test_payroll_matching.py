"""Employer matching: matched sums are their own entries, capped per employee and year
(also under concurrent attestation), and reversed with what they match."""

import threading
from datetime import date, datetime, time, timedelta

import pytest

from lokalamal_app import clock
from lokalamal_app.extensions import db
from lokalamal_app.ledger import services as ledger
from lokalamal_app.ledger import totals
from lokalamal_app.models import AuditEvent, LedgerEntry, MatchRule, MatchUsage, Pledge
from lokalamal_app.payroll import matching, months, services
from tests import factories

# One fixed day for the whole module (the clock is held there below): a day read from the
# real clock when the module loads is yesterday for a test that runs past midnight.
TODAY = date(2026, 11, 18)


@pytest.fixture(autouse=True)
def _on_one_day(freeze_clock):
    freeze_clock(datetime.combine(TODAY, time(12), tzinfo=clock.zone()))
LAST_MONTH = months.previous_month(months.month_of(TODAY))
YEAR_AGO = TODAY - timedelta(days=400)


@pytest.fixture
def world(app_ctx):
    admin = factories.make_user(display_name="Anna Admin")
    company = factories.make_company(admin=admin)
    employee = factories.make_user(display_name="Erik Ek")
    team = factories.make_team(company, captain=employee)
    services.save_scheme(company, enabled=True, allow_fixed=True, allow_permille=False,
                         min_monthly_ore=0, closing_day=25, uses_employee_numbers=False,
                         actor=admin)
    factories.commit()
    return type("World", (), dict(admin=admin, company=company, employee=employee, team=team))


def rule(world, percent=50, cap_ore=100_000, scope="payroll", starts_on=YEAR_AGO, ends_on=None):
    made = matching.add_rule(world.company, percent, cap_ore, scope, starts_on, ends_on,
                             world.admin)
    factories.commit()
    return made


def matches():
    return db.session.execute(
        db.select(LedgerEntry).where(LedgerEntry.method == "match", LedgerEntry.amount_ore > 0)
        .order_by(LedgerEntry.id)).scalars().all()


def live_match_total() -> int:
    return db.session.execute(db.select(db.func.coalesce(db.func.sum(LedgerEntry.amount_ore), 0))
                              .where(LedgerEntry.method == "match")).scalar_one()


def test_a_payroll_run_adds_the_employers_match_as_its_own_entry(world):
    rule(world, percent=50)
    db.session.add(Pledge(company_id=world.company.id, user_id=world.employee.id, kind="fixed",
                          amount_ore=30_000, start_month=LAST_MONTH))
    services.confirm_month(world.company, LAST_MONTH, {}, world.admin, TODAY)
    factories.commit()
    gift = db.session.execute(db.select(LedgerEntry).where(
        LedgerEntry.method == "payroll")).scalar_one()
    (match,) = matches()
    # The workplace books the run, so the gift and its match are attested, not yet received.
    assert gift.status == "attested"
    assert (match.amount_ore, match.matches_id, match.status) == (15_000, gift.id, "attested")
    figures = totals.figures("team", world.team.id)
    assert (figures.attested_ore, figures.match_attested_ore) == (45_000, 15_000)
    assert (figures.received_ore, figures.match_received_ore) == (0, 0)
    # Employees' own money alone, as a board filter shows it:
    assert figures.attested_ore - figures.match_attested_ore == 30_000


def test_the_cap_per_employee_and_year_holds_over_months(world):
    rule(world, percent=100, cap_ore=50_000)
    start = months.previous_month(months.previous_month(LAST_MONTH))
    db.session.add(Pledge(company_id=world.company.id, user_id=world.employee.id, kind="fixed",
                          amount_ore=30_000, start_month=start))
    month = start
    while month <= LAST_MONTH:
        services.confirm_month(world.company, month, {}, world.admin, TODAY)
        month = months.next_month(month)
    factories.commit()
    by_year: dict[int, int] = {}
    for m in matches():
        by_year[m.collected_on.year] = by_year.get(m.collected_on.year, 0) + m.amount_ore
    assert all(total <= 50_000 for total in by_year.values())
    assert sum(by_year.values()) == sum(min(50_000, 30_000 * n) for n in
                                         _months_per_year(start, LAST_MONTH).values())


def _months_per_year(start: str, end: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    month = start
    while month <= end:
        counts[month[:4]] = counts.get(month[:4], 0) + 1
        month = months.next_month(month)
    return counts


def test_a_payroll_only_rule_does_not_match_other_collections(world):
    rule(world, scope="payroll")
    entry = factories.make_collection(world.team, amount_ore=10_000, logged_by=world.employee)
    ledger.attest_entry(entry, world.admin)
    factories.commit()
    assert matches() == []


def test_matching_all_attested_collections_and_reversing_with_them(world):
    rule(world, percent=100, cap_ore=15_000, scope="all")
    first = factories.make_collection(world.team, amount_ore=10_000, logged_by=world.employee)
    second = factories.make_collection(world.team, amount_ore=10_000, logged_by=world.employee)
    assert matches() == []  # reported money is not matched; attested money is
    ledger.attest_entry(first, world.admin)
    ledger.attest_entry(second, world.admin)
    factories.commit()
    assert [m.amount_ore for m in matches()] == [10_000, 5_000]
    assert {m.status for m in matches()} == {"attested"}
    assert totals.figures("company", world.company.id).match_attested_ore == 15_000
    assert totals.figures("company", world.company.id).match_received_ore == 0
    # Receiving the attested gift later matches nothing more.
    ledger.receive_entry(second, factories.make_user(is_staff=True), "Kvitto 1")
    factories.commit()
    assert [m.amount_ore for m in matches()] == [10_000, 5_000]

    ledger.reverse_entry(first, world.admin, "Dubbelregistrerad")
    factories.commit()
    assert live_match_total() == 5_000
    assert totals.figures("company", world.company.id).match_attested_ore == 5_000
    usage = db.session.execute(db.select(MatchUsage)).scalar_one()
    assert usage.matched_ore == 5_000  # the cap room came back

    third = factories.make_collection(world.team, amount_ore=20_000, logged_by=world.employee)
    ledger.attest_entry(third, world.admin)
    factories.commit()
    assert live_match_total() == 15_000


def test_money_the_mission_receives_without_an_attestation_is_matched_too(world):
    rule(world, percent=50, cap_ore=100_000, scope="all")
    entry = factories.make_collection(world.team, amount_ore=10_000, logged_by=world.employee)
    ledger.receive_entry(entry, factories.make_user(is_staff=True), "Kvitto 1")
    factories.commit()
    (match,) = matches()
    assert (match.amount_ore, match.matches_id, match.status) == (5_000, entry.id, "attested")
    figures = totals.figures("company", world.company.id)
    assert (figures.attested_ore, figures.received_ore) == (15_000, 10_000)
    assert (figures.match_attested_ore, figures.match_received_ore) == (5_000, 0)


def test_rejecting_an_attested_gift_reverses_its_match(world):
    rule(world, percent=100, cap_ore=100_000, scope="all")
    entry = factories.make_collection(world.team, amount_ore=10_000, logged_by=world.employee)
    ledger.attest_entry(entry, world.admin)
    ledger.reject_entry(entry, factories.make_user(is_staff=True), "Pengarna kom aldrig")
    factories.commit()
    assert live_match_total() == 0
    assert db.session.execute(db.select(MatchUsage.matched_ore)).scalar_one() == 0
    assert totals.figures("company", world.company.id).attested_ore == 0


def test_a_rejected_entry_gets_no_match_and_a_reversed_payroll_gift_loses_its_match(world):
    rule(world, percent=100, cap_ore=100_000, scope="all")
    pending = factories.make_collection(world.team, amount_ore=10_000, logged_by=world.employee)
    ledger.reject_entry(pending, world.admin, "Kom aldrig in")
    db.session.add(Pledge(company_id=world.company.id, user_id=world.employee.id, kind="fixed",
                          amount_ore=20_000, start_month=LAST_MONTH))
    services.confirm_month(world.company, LAST_MONTH, {}, world.admin, TODAY)
    factories.commit()
    assert [m.amount_ore for m in matches()] == [20_000]
    gift = db.session.execute(db.select(LedgerEntry).where(
        LedgerEntry.method == "payroll")).scalar_one()
    ledger.reverse_entry(gift, world.admin, "Fel person")
    factories.commit()
    assert live_match_total() == 0
    assert totals.figures("team", world.team.id).received_ore == 0
    with pytest.raises(ledger.LedgerError):
        ledger.reverse_entry(matches()[0], world.admin, "igen")


def test_reversing_a_match_on_its_own_frees_the_cap(world):
    rule(world, percent=100, cap_ore=10_000, scope="all")
    entry = factories.make_collection(world.team, amount_ore=10_000, logged_by=world.employee)
    ledger.attest_entry(entry, world.admin)
    (match,) = matches()
    ledger.reverse_entry(match, world.admin, "Arbetsgivaren betalade aldrig")
    factories.commit()
    assert db.session.execute(db.select(MatchUsage.matched_ore)).scalar_one() == 0
    assert live_match_total() == 0
    # The gift itself still counts, and its later reversal does not reverse the match twice.
    ledger.reverse_entry(entry, world.admin, "Fel")
    factories.commit()
    assert live_match_total() == 0
    assert db.session.execute(db.select(MatchUsage.matched_ore)).scalar_one() == 0


def test_a_match_is_not_rejected_on_its_own_and_its_gift_can_still_be_corrected(world):
    """A match follows its gift (it is attested with it and reversed with it); when the
    employer's money never comes, the match is reversed on its own, which frees the cap.
    A rejected match would keep its cap room and block every later change of its gift."""
    rule(world, percent=100, cap_ore=10_000, scope="all")
    staff = factories.make_user(is_staff=True)
    entry = factories.make_collection(world.team, amount_ore=10_000, logged_by=world.employee)
    ledger.attest_entry(entry, world.admin)
    factories.commit()
    (match,) = matches()
    with pytest.raises(ledger.Refused):
        ledger.reject_entry(match, staff, "Arbetsgivaren betalade aldrig")
    db.session.rollback()
    new = ledger.correct_entry(entry.id, staff, 8_000, entry.collected_on, "swish", "",
                               "Kvittot visar 80 kr")
    factories.commit()
    assert new.status == "attested"
    assert live_match_total() == 8_000
    assert db.session.execute(db.select(MatchUsage.matched_ore)).scalar_one() == 8_000


def test_collections_logged_by_people_outside_the_workplace_are_not_matched(world):
    rule(world, scope="all")
    staff = factories.make_user(is_staff=True)
    entry = factories.make_collection(world.team, amount_ore=10_000, logged_by=staff)
    ledger.receive_entry(entry, factories.make_user(is_staff=True), "Kvitto 1")
    factories.commit()
    assert matches() == []


def test_a_rule_outside_its_period_matches_nothing(world):
    rule(world, scope="all", starts_on=TODAY - timedelta(days=30), ends_on=TODAY - timedelta(days=10))
    entry = factories.make_collection(world.team, amount_ore=10_000, logged_by=world.employee)
    ledger.attest_entry(entry, world.admin)
    factories.commit()
    assert matches() == []


def test_the_cap_holds_under_concurrent_attestation(app, world):
    """Two workers attest two gifts of the same employee at the same moment: the cap room
    is read under a row lock, so together they never match more than the cap."""
    rule(world, percent=100, cap_ore=15_000, scope="all")
    ids = [factories.make_collection(world.team, amount_ore=10_000, logged_by=world.employee).id
           for _ in range(2)]
    admin_id = world.admin.id
    # The usage row exists already, so only the row lock (not the insert) can keep order.
    db.session.add(MatchUsage(company_id=world.company.id, user_id=world.employee.id,
                              year=TODAY.year, matched_ore=0))
    factories.commit()
    barrier = threading.Barrier(2)
    failures = []

    def attest(entry_id):
        try:
            with app.test_request_context("/attest", method="POST"):
                barrier.wait(timeout=10)
                entry = db.session.get(LedgerEntry, entry_id)
                ledger.attest_entry(entry, db.session.get(type(world.admin), admin_id))
                db.session.commit()
                db.session.remove()
        except Exception as exc:  # noqa: BLE001 - reported below
            failures.append(repr(exc))

    threads = [threading.Thread(target=attest, args=(i,)) for i in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert failures == []
    db.session.expire_all()
    assert sorted(m.amount_ore for m in matches()) == [5_000, 10_000]
    assert live_match_total() == 15_000
    assert db.session.execute(db.select(MatchUsage.matched_ore)).scalar_one() == 15_000


# --- The admin's rule form --------------------------------------------------------------------

def test_admin_sets_a_matching_rule(world, login):
    response = login(world.admin).post(f"/companies/{world.company.slug}/payroll/matching", data={
        "percent": "50", "cap": "2 000", "scope": "all", "starts_on": TODAY.isoformat()})
    assert response.status_code == 302
    made = db.session.execute(db.select(MatchRule)).scalar_one()
    assert (made.percent, made.cap_ore, made.scope) == (50, 200_000, "all")
    page = login(world.admin).get(f"/companies/{world.company.slug}/payroll")
    assert "50 %" in page.get_data(as_text=True)


@pytest.mark.parametrize("data, message", [
    ({"percent": "150", "cap": "1000"}, "mellan 1 och 100 procent"),
    ({"percent": "0", "cap": "1000"}, "mellan 1 och 100 procent"),
    ({"percent": "50", "cap": "-1"}, "mindre än noll"),
    ({"percent": "50", "cap": ""}, "Skriv ett tak"),
    ({"percent": "femtio", "cap": "1000"}, "procent"),
    ({"percent": "50", "cap": "1000", "ends_on": "2000-01-01"}, "efter startdatumet"),
    ({"percent": "50", "cap": "1000", "starts_on": "0001-01-01"}, "för långt bak i tiden"),
    ({"percent": "50", "cap": "1000", "ends_on": "2999-12-31"}, "för långt fram i tiden"),
])
def test_bad_matching_rules_are_refused(world, login, data, message):
    response = login(world.admin).post(f"/companies/{world.company.slug}/payroll/matching",
                                       data={"scope": "payroll", "starts_on": TODAY.isoformat(),
                                             **data})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.execute(db.select(db.func.count(MatchRule.id))).scalar_one() == 0


def test_ending_a_rule_stops_matching_after_today(world, login):
    made = rule(world, scope="all")
    client = login(world.admin)
    assert client.post(f"/companies/{world.company.slug}/payroll/matching/{made.id}/end"
                       ).status_code == 302
    db.session.expire_all()
    assert db.session.get(MatchRule, made.id).ends_on == TODAY
    # Stopped twice (two tabs, two admins): said once, recorded once.
    again = client.post(f"/companies/{world.company.slug}/payroll/matching/{made.id}/end",
                        follow_redirects=True)
    assert "Regeln har redan slutat." in again.get_data(as_text=True)
    assert db.session.execute(db.select(db.func.count(AuditEvent.id)).where(
        AuditEvent.action == "match.rule_end")).scalar_one() == 1
    other = factories.make_company(admin=factories.make_user())
    factories.commit()
    assert client.post(f"/companies/{other.slug}/payroll/matching/{made.id}/end"
                       ).status_code == 403


def test_demo_data_has_a_workplace_with_payroll_giving_and_matching(app_ctx):
    from lokalamal_app import demo

    demo.load(today=TODAY)
    factories.commit()
    assert db.session.execute(db.select(db.func.count(LedgerEntry.id)).where(
        LedgerEntry.method == "payroll")).scalar_one() >= 9
    assert live_match_total() > 0
    assert db.session.execute(db.select(db.func.count(MatchRule.id))).scalar_one() == 1


# Writes a match entry by hand (no gift behind it) to see how pages show it.
@pytest.mark.ledger_tampered
def test_team_and_workplace_pages_show_matched_money_apart(client, app_ctx):
    company = factories.make_company(name="Matchande AB")
    team = factories.make_team(company, name="Givarna")
    factories.make_collection(team, amount_ore=300_00, status="received")
    ledger.log_collection(team, 150_00, clock.today(), "match", "Arbetsgivaren matchar 50 %",
                          status="received")
    factories.commit()
    for url in (f"/teams/{team.id}", f"/companies/{company.slug}"):
        html = client.get(url).get_data(as_text=True)
        assert "Varav arbetsgivarens matchning: 150\u00a0kr" in html, url
        assert "medarbetarnas egna gåvor: 300\u00a0kr" in html, url
