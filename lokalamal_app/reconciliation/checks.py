"""Rules the imported report rows keep with the ledger, for `ledger-check`.

A booked Swish report row is money on the mission's account: the entry it points at must be
a received entry of the same team and amount (a later correction reverses that entry and
leaves it as it was). A row that waits or was refused has booked nothing.

A booked BgMax payment is the same, or, for an employer's payroll transfer, pays one payroll
run that no other payment paid: the gifts received under its reference are of that run and
add up to no more than the payment.
"""

from collections import defaultdict

from ..extensions import db
from ..models import BankFile, BankPayment, LedgerEntry, PayrollDeduction, SwishPayment
from .bgmax_import import reference_for


def _entry_problem(where: str, row, entry: LedgerEntry | None) -> str | None:
    """What is wrong with the entry a booked row points at, if anything."""
    if entry is None:
        return f"{where}: bokförd utan post"
    if entry.status != "received" or entry.reverses_id is not None:
        return f"{where}: post {entry.id} är {entry.status}, inte mottagen"
    if (entry.team_id, entry.amount_ore) != (row.team_id, row.amount_ore):
        return f"{where}: post {entry.id} har ett annat lag eller belopp"
    return None


def swish_row_problems() -> list[str]:
    """One line per Swish report row that disagrees with the entry it booked (or should not have)."""
    problems: list[str] = []
    rows = db.session.execute(
        db.select(SwishPayment, LedgerEntry)
        .outerjoin(LedgerEntry, LedgerEntry.id == SwishPayment.entry_id)
        .where((SwishPayment.status == "booked") | SwishPayment.entry_id.is_not(None))
        .order_by(SwishPayment.id)).all()
    for row, entry in rows:
        where = f"swishrad {row.id}"
        if row.status != "booked":
            problems.append(f"{where}: {row.status} men pekar på post {row.entry_id}")
        elif problem := _entry_problem(where, row, entry):
            problems.append(problem)
    return problems


def bank_payment_problems() -> list[str]:
    """One line per BgMax payment that disagrees with what it booked (or should not have)."""
    problems: list[str] = []
    rows = db.session.execute(
        db.select(BankPayment, BankFile.file_date, LedgerEntry)
        .join(BankFile, BankFile.id == BankPayment.file_id)
        .outerjoin(LedgerEntry, LedgerEntry.id == BankPayment.entry_id)
        .where((BankPayment.status == "booked") | BankPayment.entry_id.is_not(None))
        .order_by(BankPayment.id)).all()
    # Payroll gifts received by a bank payment: (its reference) -> [(run, amount)].
    received = defaultdict(list)
    for reference, run_id, amount in db.session.execute(
            db.select(LedgerEntry.received_reference, PayrollDeduction.run_id,
                      LedgerEntry.amount_ore)
            .join(PayrollDeduction, PayrollDeduction.entry_id == LedgerEntry.id)
            .where(LedgerEntry.status == "received", LedgerEntry.reverses_id.is_(None),
                   LedgerEntry.received_reference.like("BgMax %"))):
        received[reference].append((run_id, amount))
    paid_runs: dict[int, int] = {}
    for row, file_date, entry in rows:
        where = f"bankbetalning {row.id}"
        if row.status != "booked":
            problems.append(f"{where}: {row.status} men pekar på post {row.entry_id}")
        elif row.entry_id is not None or row.payroll_run_id is None:
            if problem := _entry_problem(where, row, entry):
                problems.append(problem)
        else:
            gifts = received.get(reference_for(file_date, row.bgc_serial), [])
            total = sum(amount for _run, amount in gifts)
            if {run for run, _amount in gifts} - {row.payroll_run_id}:
                problems.append(f"{where}: tog emot gåvor ur en annan lönekörning")
            # Not "equal": gifts of the run a person had received by hand before the
            # transfer came are paid by it too, under their own reference.
            if total > row.amount_ore:
                problems.append(f"{where}: {total} öre mottaget under dess referens, "
                                f"men betalningen är {row.amount_ore} öre")
            if row.payroll_run_id in paid_runs:
                problems.append(f"{where}: lönekörning {row.payroll_run_id} är redan betald "
                                f"av bankbetalning {paid_runs[row.payroll_run_id]}")
            paid_runs.setdefault(row.payroll_run_id, row.id)
    return problems
