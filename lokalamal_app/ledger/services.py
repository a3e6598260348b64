"""Writing to the ledger. Each function enforces its rule, writes the entry, moves the
totals and writes an audit event in the caller's transaction: flush, never commit."""

from datetime import date

from .. import audit
from ..extensions import db
from ..models import LedgerEntry, Team
from . import totals


class LedgerError(ValueError):
    """A rule was broken; the message is Swedish and fit for the user."""


def _snapshot(entry: LedgerEntry) -> dict:
    return {
        "amount_ore": entry.amount_ore,
        "status": entry.status,
        "team_id": entry.team_id,
        "method": entry.method,
        "collected_on": entry.collected_on.isoformat(),
    }


def log_collection(
    team: Team,
    amount_ore: int,
    collected_on: date,
    method: str,
    note: str = "",
    logged_by=None,
    idempotency_key: str | None = None,
    status: str = "pending",
) -> LedgerEntry:
    """Record money a team reports it collected; it counts as reported at once."""
    if amount_ore <= 0:
        raise LedgerError("Beloppet måste vara större än noll.")
    entry = LedgerEntry(
        team_id=team.id,
        company_id=team.company_id,
        goal_id=team.goal_id,
        amount_ore=amount_ore,
        collected_on=collected_on,
        method=method,
        note=note,
        status=status,
        logged_by_id=getattr(logged_by, "id", None),
        idempotency_key=idempotency_key,
    )
    db.session.add(entry)
    db.session.flush()
    totals.apply(
        entry,
        reported_delta=amount_ore,
        verified_delta=amount_ore if status == "verified" else 0,
        count_delta=1,
    )
    audit.record("collection.log", "ledger_entry", entry.id, actor=logged_by,
                 after=_snapshot(entry))
    return entry
