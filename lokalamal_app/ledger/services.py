"""Writing to the ledger. Each function enforces its rule, writes the entry, moves the
totals and writes an audit event in the caller's transaction: flush, never commit."""

from datetime import date

from flask import current_app
from flask_babel import gettext as _

from .. import audit, clock
from ..extensions import db
from ..models import AuditEvent, LedgerEntry, Team
from ..models.base import utcnow
from ..models.ledger import METHODS
from ..money import format_ore
from ..privacy.services import on_anonymise
from . import totals

NOTE_MAX = 200
REASON_MAX = 500
# Free text in ledger audit events that is also the note of an entry the actor logged (the
# reason of a withdrawal or correction, the Swish message of an imported payment).
FREE_TEXT_KEYS = frozenset({"note", "reason", "message"})


# record_collection's default giver: the person who logged the entry.
LOGGER = object()


class LedgerError(ValueError):
    """A rule was broken; the message is fit for the user, in their language."""

    status = 422


class Conflict(LedgerError):
    """Someone else handled the entry first (or at the same moment): nothing was changed.

    Answered with 409. Raised after the entry's row lock is taken, so the losing request of
    two at once sees the winner's result instead of acting on what it read before."""

    status = 409


def lock_entry(entry_or_id: LedgerEntry | int) -> LedgerEntry:
    """The entry, re-read and locked until commit (SELECT ... FOR UPDATE on PostgreSQL;
    SQLite's writers are serialised by BEGIN IMMEDIATE). Every state change starts here,
    so that no caller can act on a status another transaction has just changed."""
    entry_id = entry_or_id if isinstance(entry_or_id, int) else entry_or_id.id
    entry = db.session.execute(
        db.select(LedgerEntry).where(LedgerEntry.id == entry_id)
        .with_for_update().execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if entry is None:
        raise Conflict(_("Posten finns inte längre."))
    return entry


def _snapshot(entry: LedgerEntry) -> dict:
    return {
        "amount_ore": entry.amount_ore,
        "status": entry.status,
        "team_id": entry.team_id,
        "method": entry.method,
        "collected_on": entry.collected_on.isoformat(),
    }


def log_collection(team: Team, *args, idempotency_key: str | None = None,
                   **kwargs) -> LedgerEntry:
    """Record money a team reports it collected (the arguments of `record_collection`).

    With an `idempotency_key` already in the ledger nothing new is written: the entry
    recorded the first time is returned (a double click or a retried post).
    """
    if idempotency_key:
        existing = entry_for_key(idempotency_key)
        if existing is not None:
            return existing
    return record_collection(team, *args, idempotency_key=idempotency_key, **kwargs)


def record_collection(
    team: Team,
    amount_ore: int,
    collected_on: date,
    method: str,
    note: str = "",
    logged_by=None,
    idempotency_key: str | None = None,
    status: str = "pending",
    corrects: LedgerEntry | None = None,
    giver_id: int | None | object = LOGGER,
) -> LedgerEntry:
    """Record money a team reports it collected; it counts as reported at once.

    `giver_id` is the person the money counts for; left out, it is whoever logged it (a
    correction keeps the corrected entry's giver). None means nobody in particular (a
    payment the mission imported without a name).

    Unlike `log_collection`, the idempotency key is not looked up first: a used key makes
    the flush fail on the unique index (IntegrityError), and the caller looks it up then.
    The logging form does this, which saves a query on every post.
    """
    _check_amount(amount_ore)
    if method not in METHODS:
        raise LedgerError(_("Välj ett av sätten i listan."))
    if collected_on > clock.today():
        raise LedgerError(_("Datumet kan inte ligga i framtiden."))
    if len(note) > NOTE_MAX:
        raise LedgerError(_("Anteckningen får vara högst %(max)s tecken.", max=NOTE_MAX))
    limit = current_app.config["CASH_SECOND_CONFIRM_ORE"]
    entry = LedgerEntry(
        team_id=team.id,
        # A correction stays with the workplace and goal the money was first counted for.
        company_id=corrects.company_id if corrects else team.company_id,
        goal_id=corrects.goal_id if corrects else team.goal_id,
        amount_ore=amount_ore,
        collected_on=collected_on,
        method=method,
        note=note,
        status=status,
        logged_by_id=getattr(logged_by, "id", None),
        giver_id=_giver_for(giver_id, logged_by, corrects),
        idempotency_key=idempotency_key,
        corrects_id=corrects.id if corrects else None,
        needs_count_confirm=(
            method == "cash" and status == "pending" and corrects is None and amount_ore > limit
        ),
    )
    db.session.add(entry)
    db.session.flush()
    audit.record("collection.log", "ledger_entry", entry.id, actor=logged_by,
                 after=_snapshot(entry))
    db.session.flush()
    # Last, so that the shared total rows are locked for as short a time as possible.
    totals.apply(
        entry,
        reported_delta=amount_ore,
        verified_delta=amount_ore if status == "verified" else 0,
        count_delta=1,
    )
    return entry


def _giver_for(giver_id, logged_by, corrects: LedgerEntry | None) -> int | None:
    if giver_id is not LOGGER:
        return giver_id
    if corrects is not None:
        return corrects.giver_id
    return getattr(logged_by, "id", None)


def _check_amount(amount_ore: int) -> None:
    if not isinstance(amount_ore, int):
        raise LedgerError(_("Skriv ett belopp."))
    if amount_ore <= 0:
        raise LedgerError(_("Beloppet måste vara större än noll."))
    maximum = current_app.config["MAX_COLLECTION_ORE"]
    if amount_ore > maximum:
        raise LedgerError(_("En insamling kan vara högst %(amount)s. "
                            "Dela upp större summor eller kontakta stadsmissionen.",
                            amount=format_ore(maximum)))


def entry_for_key(idempotency_key: str) -> LedgerEntry | None:
    """The entry an idempotency key already recorded, if any."""
    return db.session.execute(
        db.select(LedgerEntry).where(LedgerEntry.idempotency_key == idempotency_key)
    ).scalar_one_or_none()


def _move_status(entry: LedgerEntry, status: str, actor, reason: str = "") -> None:
    entry.status = status
    entry.status_reason = reason
    entry.status_changed_at = utcnow()
    entry.status_changed_by_id = getattr(actor, "id", None)


def _locked_pending(entry: LedgerEntry | int, handled: str) -> LedgerEntry:
    """Lock the entry and make sure it still waits: pending, not a reversal, not reversed.

    `handled` is the message for an entry someone else has already dealt with (a 409)."""
    entry = lock_entry(entry)
    if entry.reverses_id is not None:
        raise LedgerError(_("En återföring kan inte hanteras; hantera den ursprungliga posten."))
    if entry.status != "pending" or is_reversed(entry):
        raise Conflict(handled)
    return entry


def verify_entry(entry: LedgerEntry | int, actor) -> LedgerEntry:
    """Confirm that a pending entry's money reached the mission."""
    entry = _locked_pending(entry, _("Posten är redan hanterad och kan inte verifieras igen."))
    if entry.awaiting_count:
        raise LedgerError(_("Kontanterna behöver räknas av en kollega till innan posten kan "
                            "verifieras."))
    before = _snapshot(entry)
    _move_status(entry, "verified", actor)
    totals.apply(entry, reported_delta=0, verified_delta=entry.amount_ore)
    audit.record("collection.verify", "ledger_entry", entry.id, actor=actor, before=before,
                 after=_snapshot(entry))
    return entry


def reject_entry(entry: LedgerEntry | int, actor, reason: str) -> LedgerEntry:
    """A pending entry did not arrive or was wrong: it stops counting, with a reason."""
    if not reason or not reason.strip():
        raise LedgerError(_("Skriv varför posten avvisas."))
    if len(reason.strip()) > REASON_MAX:
        raise LedgerError(_("Skriv orsaken med högst %(max)s tecken.", max=REASON_MAX))
    entry = _locked_pending(entry, _("Bara rapporterade poster som väntar kan avvisas."))
    before = _snapshot(entry)
    _move_status(entry, "rejected", actor, reason.strip())
    totals.apply(entry, reported_delta=-entry.amount_ore, verified_delta=0)
    audit.record("collection.reject", "ledger_entry", entry.id, actor=actor, before=before,
                 after={**_snapshot(entry), "reason": entry.status_reason})
    return entry


def reverse_entry(entry: LedgerEntry | int, actor, reason: str,
                  action: str = "collection.reverse") -> LedgerEntry:
    """Write a new entry that cancels `entry` (a withdrawal or the first half of a correction).

    The entry is locked first, so that it cannot be verified, rejected or reversed at the same
    moment. The reversal carries the opposite amount and the same status, team, goal, date
    and giver, so every total it counted in goes back by exactly what it added. An entry is
    reversed at most once (the database holds that too: reverses_id is unique).
    """
    entry = lock_entry(entry)
    if entry.reverses_id is not None:
        raise LedgerError(
            _("En rättelse kan inte rättas i sin tur; rätta den ursprungliga posten."))
    if entry.status == "rejected":
        raise Conflict(_("Posten är avvisad och räknas redan inte."))
    if is_reversed(entry):
        raise Conflict(_("Posten är redan återtagen eller rättad."))
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
        giver_id=entry.giver_id,
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
    """Whether a later entry has withdrawn or corrected this one."""
    return db.session.execute(
        db.select(LedgerEntry.id).where(LedgerEntry.reverses_id == entry.id)
    ).first() is not None


def withdraw_entry(entry: LedgerEntry | int, actor) -> LedgerEntry:
    """The person who logged a pending entry takes it back: a reversal cancels it."""
    entry = lock_entry(entry)
    if entry.logged_by_id is None or entry.logged_by_id != getattr(actor, "id", None):
        raise LedgerError(_("Bara den som registrerade posten kan ta tillbaka den."))
    entry = _locked_pending(entry, _("Posten är redan hanterad och kan inte tas tillbaka. "
                                     "Be en administratör rätta den."))
    return reverse_entry(entry, actor, "Återtagen av den som registrerade posten.",
                         action="collection.withdraw")


def correct_entry(
    entry: LedgerEntry | int,
    actor,
    amount_ore: int,
    collected_on: date,
    method: str,
    note: str,
    reason: str,
) -> LedgerEntry:
    """Replace an entry: a reversal cancels it and a new entry, linked to it, takes its place.

    The new entry keeps the old one's status (a verified sum corrected by an admin stays
    verified; a pending one still goes through the queue) and its giver: the money still
    counts for the person who gave it, and so does any employer match.
    """
    reason = (reason or "").strip()
    if not reason:
        raise LedgerError(_("Skriv varför posten rättas."))
    if len(reason) > REASON_MAX:
        raise LedgerError(_("Skriv orsaken med högst %(max)s tecken.", max=REASON_MAX))
    _check_amount(amount_ore)
    entry = lock_entry(entry)
    if entry.reverses_id is not None:
        raise LedgerError(_("En återföring kan inte rättas; rätta den ursprungliga posten."))
    if entry.method == "match" or method == "match":
        raise LedgerError(_("En matchning följer gåvan den matchar; rätta gåvan i stället."))
    before = _snapshot(entry)
    reverse_entry(entry, actor, reason, action="collection.correct.reverse")
    new = record_collection(
        entry.team, amount_ore, collected_on, method, note, logged_by=actor,
        status=entry.status, corrects=entry,
    )
    if new.status == "verified":
        new.status_changed_at = utcnow()
        new.status_changed_by_id = getattr(actor, "id", None)
    audit.record("collection.correct", "ledger_entry", entry.id, actor=actor, before=before,
                 after={**_snapshot(new), "new_entry_id": new.id, "reason": reason})
    return new


def confirm_count(entry: LedgerEntry | int, actor) -> LedgerEntry:
    """A second colleague confirms a large cash sum; then it reaches the verification queue."""
    entry = lock_entry(entry)
    if not entry.needs_count_confirm:
        raise LedgerError(_("Den här posten behöver ingen andra räkning."))
    if entry.logged_by_id == getattr(actor, "id", None):
        raise LedgerError(_("En annan kollega än den som registrerade posten måste räkna."))
    if entry.count_confirmed_by_id is not None:
        raise Conflict(_("Kontanterna är redan kontrollräknade."))
    entry = _locked_pending(entry, _("Posten är redan hanterad."))
    entry.count_confirmed_by_id = actor.id
    entry.count_confirmed_at = utcnow()
    audit.record("collection.count_confirm", "ledger_entry", entry.id, actor=actor,
                 after={**_snapshot(entry), "count_confirmed_by": actor.id})
    return entry


@on_anonymise
def forget_notes(user) -> dict[str, int]:
    """Replace the notes on entries the person logged, and the free text of their ledger
    audit events, with a neutral marker. Only text changes: amounts, statuses, links between
    entries and so every total stay exactly as they were."""
    notes = db.session.execute(
        db.update(LedgerEntry)
        .where(LedgerEntry.logged_by_id == user.id, LedgerEntry.note != "",
               LedgerEntry.note != audit.REMOVED)
        .values(note=audit.REMOVED)
    ).rowcount or 0

    def clean(event, key, value, parent):
        # A rejection's reason is the status reason kept on someone else's entry, which
        # records a decision about money; it stays, like the entry's own field.
        if event.action == "collection.reject":
            return value
        return audit.REMOVED if key in FREE_TEXT_KEYS and value else value

    events = audit.scrub(
        [AuditEvent.actor_id == user.id, AuditEvent.subject_type == "ledger_entry"], clean
    )
    return {"ledger_notes": notes, "ledger_events": events}
