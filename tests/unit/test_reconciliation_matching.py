"""The rules that say what a bank payment pays (reconciliation.matching), without a database."""

from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from stdnum import luhn

from lokalamal_app.reconciliation import bgmax, matching, references

DAY = date(2026, 11, 20)


@pytest.fixture(autouse=True)
def _context(app_ctx):
    yield


def team(ident):
    return SimpleNamespace(id=ident, name=f"Lag {ident}")


def entry(ident, team_id, amount_ore, collected_on):
    return SimpleNamespace(id=ident, team_id=team_id, amount_ore=amount_ore,
                           collected_on=collected_on)


def pay(amount_ore, reference="", text="", serial="1"):
    payment = bgmax.BgMaxPayment(line=3, record="20", payer_bankgiro="", reference=reference,
                                 amount_ore=amount_ore, reference_code="2", channel="1",
                                 serial=serial, has_image=False, date=DAY)
    if text:
        payment.information.append(text)
    return payment


def known(**kw):
    values = dict(teams={5: team(5)}, max_ore=1_000_000_00)
    values.update(kw)
    return matching.Known(**values)


def run_info(run_id, total, paid=False):
    return matching.RunInfo(SimpleNamespace(id=run_id), "Kvarnen AB, oktober 2026", total, paid)


def test_the_team_reference_and_amount_within_two_weeks_receive_the_reported_entry():
    near = entry(1, 5, 300_00, DAY - timedelta(days=3))
    far = entry(2, 5, 300_00, DAY - timedelta(days=10))
    proposal = matching.decide(pay(300_00, "7054"), known(candidates=[far, near]), set())
    assert (proposal.action, proposal.entry) == ("receive", near)


def test_an_entry_older_than_two_weeks_is_not_matched_and_a_new_entry_is_proposed():
    old = entry(1, 5, 300_00, DAY - timedelta(days=15))
    proposal = matching.decide(pay(300_00, "7054"), known(candidates=[old]), set())
    assert (proposal.action, proposal.team.id, proposal.entry) == ("create", 5, None)


def test_another_amount_or_team_is_not_matched():
    other = [entry(1, 5, 299_00, DAY), entry(2, 6, 300_00, DAY)]
    assert matching.decide(pay(300_00, "7054"), known(candidates=other), set()).action == "create"


def test_one_reported_entry_is_paid_by_one_payment_only():
    reported = entry(1, 5, 300_00, DAY)
    taken: set[int] = set()
    first = matching.decide(pay(300_00, "7054", serial="1"), known(candidates=[reported]), taken)
    second = matching.decide(pay(300_00, "7054", serial="2"), known(candidates=[reported]), taken)
    assert (first.action, second.action) == ("receive", "create")


def test_the_reference_may_stand_in_the_information_text():
    proposal = matching.decide(pay(100_00, text="Gåva från lag 705 4"), known(), set())
    assert (proposal.action, proposal.team.id) == ("create", 5)


@pytest.mark.parametrize(("reference", "text", "reason"), [
    ("", "", "ingen referens och inget meddelande"),
    ("", "Tack för allt", "pekar inte ut något lag"),
    ("7062", "", "hör inte till något lag"),
    ("7054", "och 7062", "flera lag"),
])
def test_a_payment_without_a_known_team_waits_for_a_person(reference, text, reason):
    proposal = matching.decide(pay(100_00, reference, text), known(), set())
    assert proposal.action == "waiting" and reason in proposal.reason


def test_a_payment_larger_than_a_collection_may_be_waits():
    proposal = matching.decide(pay(2_000_00, "7054"), known(max_ore=1_000_00), set())
    assert proposal.action == "waiting" and proposal.team.id == 5


def test_a_recorded_serial_is_already_booked():
    proposal = matching.decide(pay(100_00, "7054", serial="9"), known(recorded={"9"}), set())
    assert proposal.action == "booked"


def test_a_deduction_is_refused():
    assert matching.decide(pay(-100_00, "7054"), known(), set()).action == "refused"


def test_the_payroll_reference_with_exactly_the_runs_sum_pays_the_run():
    reference = references.payroll_reference(3)
    proposal = matching.decide(pay(350_00, reference), known(runs={3: run_info(3, 350_00)}),
                               set())
    assert (proposal.action, proposal.run.run.id) == ("payroll", 3)
    assert "Kvarnen AB, oktober 2026" in proposal.reason


@pytest.mark.parametrize(("amount", "paid", "reason"), [
    (340_00, False, "Fel summa"),
    (350_00, True, "redan betalda"),
])
def test_a_payroll_transfer_with_the_wrong_sum_or_paid_before_waits(amount, paid, reason):
    reference = references.payroll_reference(3)
    proposal = matching.decide(pay(amount, reference),
                               known(runs={3: run_info(3, 350_00, paid)}), set())
    assert proposal.action == "waiting" and reason in proposal.reason


def test_an_unknown_payroll_reference_waits():
    proposal = matching.decide(pay(100_00, references.payroll_reference(4)), known(), set())
    assert proposal.action == "waiting" and "lönemånad" in proposal.reason


def test_payroll_references_are_luhn_checked_and_never_a_teams():
    reference = references.payroll_reference(12)
    assert reference.startswith("8") and luhn.is_valid(reference)
    assert references.payroll_run_id_for(reference) == 12
    assert references.team_id_for(reference) is None
    assert references.payroll_run_id_for(references.payment_reference(12)) is None
    typo = reference[:-2] + str((int(reference[-2]) + 1) % 10) + reference[-1]
    assert references.payroll_run_id_for(typo) is None


def test_a_huge_id_in_a_text_is_never_asked_for():
    huge = references.payment_reference(10**11)
    assert matching.team_ids(pay(100_00, huge)) == []
