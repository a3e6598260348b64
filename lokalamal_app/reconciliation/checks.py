"""Rules the imported report rows keep with the ledger, for `ledger-check`.

A booked Swish report row is money on the mission's account: the entry it points at must be
a received entry of the same team and amount (a later correction reverses that entry and
leaves it as it was). A row that waits or was refused has booked nothing.
"""

from ..extensions import db
from ..models import LedgerEntry, SwishPayment


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
        elif entry is None:
            problems.append(f"{where}: bokförd utan post")
        elif entry.status != "received" or entry.reverses_id is not None:
            problems.append(f"{where}: post {entry.id} är {entry.status}, inte mottagen")
        elif (entry.team_id, entry.amount_ore) != (row.team_id, row.amount_ore):
            problems.append(f"{where}: post {entry.id} har ett annat lag eller belopp")
    return problems
