"""Writing to the ledger. Each function enforces its rule, writes the entry, moves the
totals and writes an audit event in the caller's transaction: flush, never commit."""

from datetime import date

from .. import audit
from ..extensions import db
from ..models import LedgerEntry, Team
from ..models.base import utcnow
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


def _move_status(entry: LedgerEntry, status: str, actor, reason: str = "") -> None:
    entry.status = status
    entry.status_reason = reason
    entry.status_changed_at = utcnow()
    entry.status_changed_by_id = getattr(actor, "id", None)


def _refuse_reversed(entry: LedgerEntry) -> None:
    # A withdrawn entry and its reversal stay as they are: both pending, adding up to zero.
    if entry.reverses_id is not None or is_reversed(entry):
        raise LedgerError("Posten är återtagen eller rättad och kan inte hanteras.")


def verify_entry(entry: LedgerEntry, actor) -> LedgerEntry:
    """Confirm that a pending entry's money reached the mission."""
    if entry.status != "pending":
        raise LedgerError("Posten är redan hanterad och kan inte verifieras igen.")
    _refuse_reversed(entry)
    before = _snapshot(entry)
    _move_status(entry, "verified", actor)
    totals.apply(entry, reported_delta=0, verified_delta=entry.amount_ore)
    audit.record("collection.verify", "ledger_entry", entry.id, actor=actor, before=before,
                 after=_snapshot(entry))
    return entry


def reject_entry(entry: LedgerEntry, actor, reason: str) -> LedgerEntry:
    """A pending entry did not arrive or was wrong: it stops counting, with a reason."""
    if entry.status != "pending":
        raise LedgerError("Bara rapporterade poster som väntar kan avvisas.")
    _refuse_reversed(entry)
    if not reason or not reason.strip():
        raise LedgerError("Skriv varför posten avvisas.")
    before = _snapshot(entry)
    _move_status(entry, "rejected", actor, reason.strip())
    totals.apply(entry, reported_delta=-entry.amount_ore, verified_delta=0)
    audit.record("collection.reject", "ledger_entry", entry.id, actor=actor, before=before,
                 after={**_snapshot(entry), "reason": entry.status_reason})
    return entry


def reverse_entry(entry: LedgerEntry, actor, reason: str, action: str = "collection.reverse"):
    """Write a new entry that cancels `entry` (a withdrawal or the first half of a correction).

    The reversal carries the opposite amount and the same status, team, goal and date, so
    every total it counted in goes back by exactly what it added. An entry is reversed at
    most once (the database holds that: reverses_id is unique).
    """
    if entry.reverses_id is not None:
        raise LedgerError("En rättelse kan inte rättas i sin tur; rätta den ursprungliga posten.")
    if entry.status == "rejected":
        raise LedgerError("Posten är avvisad och räknas redan inte.")
    already = db.session.execute(
        db.select(LedgerEntry.id).where(LedgerEntry.reverses_id == entry.id)
    ).first()
    if already:
        raise LedgerError("Posten är redan återtagen eller rättad.")
    reversal = LedgerEntry(
        team_id=entry.team_id,
        company_id=entry.company_id,
        goal_id=entry.goal_id,
        amount_ore=-entry.amount_ore,
        collected_on=entry.collected_on,
        method=entry.method,
        note=reason.strip(),
        status=entry.status,
        status_changed_at=utcnow(),
        status_changed_by_id=getattr(actor, "id", None),
        logged_by_id=getattr(actor, "id", None),
        reverses_id=entry.id,
    )
    db.session.add(reversal)
    db.session.flush()
    totals.apply(
        reversal,
        reported_delta=reversal.amount_ore,
        verified_delta=reversal.amount_ore if reversal.status == "verified" else 0,
        count_delta=0,
    )
    audit.record(action, "ledger_entry", entry.id, actor=actor, before=_snapshot(entry),
                 after={"reversal_id": reversal.id, "reason": reversal.note})
    return reversal


def is_reversed(entry: LedgerEntry) -> bool:
    return db.session.execute(
        db.select(LedgerEntry.id).where(LedgerEntry.reverses_id == entry.id)
    ).first() is not None
