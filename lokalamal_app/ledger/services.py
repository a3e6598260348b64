"""Writing to the ledger. Each function enforces its rule, writes the entry, moves the
totals and writes an audit event in the caller's transaction: flush, never commit."""

from datetime import date, timedelta

from flask import current_app
from flask_babel import gettext as _

from .. import audit, clock
from ..database import insert_as_loaded
from ..extensions import db
from ..models import AuditEvent, LedgerEntry, Team, TeamMember
from ..models.base import utcnow
from ..models.ledger import ATTESTED, METHODS, REFERENCE_MAX
from ..money import format_ore
from ..privacy.services import on_anonymise
from . import totals

NOTE_MAX = 200
REASON_MAX = 500
RECEIPT_LEEWAY = timedelta(days=14)
# Free text in ledger audit events that is also the note of an entry the actor logged (the
# reason of a withdrawal or correction, the Swish message of an imported payment).
FREE_TEXT_KEYS = frozenset({"note", "reason", "message"})


# record_collection's default giver: the person who logged the entry.
LOGGER = object()


class LedgerError(ValueError):
    """A rule was broken; the message is fit for the user, in their language."""

    status = 422


class Refused(LedgerError):
    """This person may not do this to the entry (answered with 403); the message says why
    and who may."""

    status = 403


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
    received_on: date | None = None,
    received_reference: str = "",
    second_count: bool = False,
) -> LedgerEntry:
    """Record money a team reports it collected; it counts as reported at once.

    Other statuses are for the ledger's own writers, never for what a member types: a
    payroll run or an employer match is "attested" by the workplace that books it, and a
    payment the mission imports from its statement is "received" (with the row's date and
    reference).

    `giver_id` is the person the money counts for; left out, it is whoever logged it (a
    correction keeps the corrected entry's giver). None means nobody in particular (a
    payment the mission imported without a name).

    Unlike `log_collection`, the idempotency key is not looked up first: a used key makes
    the INSERT fail on the unique index (IntegrityError), and the caller looks it up then.
    The logging form does this, which saves a query on every post.

    Cash over CASH_SECOND_CONFIRM_ORE waits for a second colleague's count; `second_count`
    makes any cash sum wait for it (a collection box is always counted by two).
    """
    _check_amount(amount_ore)
    if method not in METHODS:
        raise LedgerError(_("Välj ett av sätten i listan."))
    if not isinstance(collected_on, date):
        raise LedgerError(_("Skriv datumet."))
    if collected_on > clock.today():
        raise LedgerError(_("Datumet kan inte ligga i framtiden."))
    if len(note) > NOTE_MAX:
        raise LedgerError(_("Anteckningen får vara högst %(max)s tecken.", max=NOTE_MAX))
    if status not in ("pending", "attested", "received"):
        raise ValueError(f"a collection cannot be recorded as {status!r}")
    actor_id = getattr(logged_by, "id", None)
    now = utcnow() if status != "pending" else None
    limit = current_app.config["CASH_SECOND_CONFIRM_ORE"]
    entry = insert_as_loaded(
        LedgerEntry,
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
            method == "cash" and status == "pending" and corrects is None
            and (second_count or amount_ore > limit)
        ),
        status_changed_at=now,
        status_changed_by_id=actor_id if now else None,
        attested_by_id=actor_id if status in ATTESTED else None,
        attested_at=now if status in ATTESTED else None,
        received_on=received_on if status == "received" else None,
        received_reference=received_reference if status == "received" else "",
    )
    audit.record("collection.log", "ledger_entry", entry.id, actor=logged_by,
                 after=_snapshot(entry), at_once=True)
    # Last, so that the shared total rows are locked for as short a time as possible.
    totals.apply(entry, *totals.counted(status, amount_ore), count_delta=1)
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
    return _locked_waiting(entry, ("pending",), handled)


def _locked_waiting(entry: LedgerEntry | int, statuses: tuple[str, ...],
                    handled: str) -> LedgerEntry:
    """Lock the entry and make sure it is in one of `statuses`, not a reversal and not
    reversed; otherwise a 409 with `handled`."""
    entry = lock_entry(entry)
    if entry.reverses_id is not None:
        raise LedgerError(_("En återföring kan inte hanteras; hantera den ursprungliga posten."))
    if entry.status not in statuses or is_reversed(entry):
        raise Conflict(handled)
    return entry


def attest_refusal(entry: LedgerEntry, actor, admin_of: set[int] | None = None) -> str | None:
    """Why `actor` may not attest the entry for its workplace, or None when they may.

    Admins of the workplace attest (and the mission's staff), never an entry they logged
    or one whose money counts for them. `admin_of`, the ids of the workplaces `actor` is an
    admin of, saves a query per entry when a page asks for many."""
    from ..permissions import is_company_admin, is_staff  # noqa: PLC0415 (import cycle)

    if entry.method == "match":
        return _("En matchning attesteras med gåvan den följer.")
    is_admin = (entry.company_id in admin_of if admin_of is not None
                else is_company_admin(actor, entry.company))
    if not (is_staff(actor) or is_admin):
        return _("Bara arbetsplatsens administratörer kan attestera insamlingar.")
    return _own_entry_refusal(entry, actor, _(
        "Be en annan administratör på arbetsplatsen attestera den, eller låt "
        "stadsmissionen ta emot den."))


def receive_refusal(entry: LedgerEntry, actor) -> str | None:
    """Why `actor` may not mark the entry's money as received, or None when they may:
    only the mission's staff, and never for an entry they logged or that counts for them."""
    from ..permissions import is_staff  # noqa: PLC0415 (import cycle)

    if not is_staff(actor):
        return _("Bara stadsmissionens personal kan markera pengar som mottagna, när de "
                 "finns på stadsmissionens konto.")
    return _own_entry_refusal(entry, actor, _("Be en kollega på stadsmissionen ta emot den."))


def _own_entry_refusal(entry: LedgerEntry, actor, who_else: str) -> str | None:
    actor_id = getattr(actor, "id", None)
    if actor_id is not None and entry.logged_by_id == actor_id:
        return _("Du registrerade posten själv och kan inte bekräfta den.") + " " + who_else
    if actor_id is not None and entry.giver_id == actor_id:
        return _("Pengarna räknas för dig och du kan inte bekräfta dem själv.") + " " + who_else
    return None


def attest_entry(entry: LedgerEntry | int, actor) -> LedgerEntry:
    """The workplace says a reported entry is genuine: it counts as attested.

    Refused (403) for someone who may not attest it; a 409 when it is no longer waiting
    (attested, received, rejected or taken back, perhaps a moment ago by someone else)."""
    entry = lock_entry(entry)
    refusal = attest_refusal(entry, actor)
    if refusal:
        raise Refused(refusal)
    entry = _locked_pending(entry, _("Posten är redan hanterad och kan inte attesteras igen."))
    if entry.awaiting_count:
        raise LedgerError(_("Kontanterna behöver räknas av en kollega till innan posten kan "
                            "attesteras."))
    before = _snapshot(entry)
    _attest(entry, actor)
    audit.record("collection.attest", "ledger_entry", entry.id, actor=actor, before=before,
                 after=_snapshot(entry))
    return entry


def _attest(entry: LedgerEntry, actor) -> None:
    old = entry.status
    _move_status(entry, "attested", actor)
    entry.attested_by_id = getattr(actor, "id", None)
    entry.attested_at = entry.status_changed_at
    totals.moved(entry, old)


def check_reference(reference: str | None, received_on: date | None) -> tuple[str, date]:
    """The reference and date of a receipt, cleaned, or a LedgerError saying what is wrong."""
    reference = " ".join((reference or "").split())
    if not reference:
        raise LedgerError(_("Skriv en referens: kvittots nummer, bankens verifikation eller "
                            "rapportens rad."))
    if len(reference) > REFERENCE_MAX:
        raise LedgerError(_("Skriv referensen med högst %(max)s tecken.", max=REFERENCE_MAX))
    if received_on is None:
        raise LedgerError(_("Skriv vilket datum pengarna kom in."))
    if received_on > clock.today():
        raise LedgerError(_("Datumet kan inte ligga i framtiden."))
    return reference, received_on


def receive_entry(entry: LedgerEntry | int, actor, reference: str,
                  received_on: date | None = None) -> LedgerEntry:
    """The mission has the money on its account: a reported or attested entry counts as
    received, with the receipt's or bank row's reference and the day it came in.

    Only the mission's staff (403 for anyone else, and for one's own entry); a 409 when the
    entry was received, rejected or taken back meanwhile."""
    entry = lock_entry(entry)
    refusal = receive_refusal(entry, actor)
    if refusal:
        raise Refused(refusal)
    reference, received_on = check_reference(reference, received_on or clock.today())
    if entry.reverses_id is not None:
        raise LedgerError(_("En återföring kan inte hanteras; hantera den ursprungliga posten."))
    if entry.status not in ("pending", "attested") or is_reversed(entry):
        raise Conflict(_("Posten är redan hanterad och kan inte tas emot igen."))
    # A payment may come in a little before the day a team wrote down (a bank report is
    # matched two weeks either way), never long before the money was collected.
    if received_on < entry.collected_on - RECEIPT_LEEWAY:
        raise LedgerError(_("Pengarna kan inte ha kommit in så långt före insamlingen "
                            "(%(day)s). Kontrollera datumet.", day=entry.collected_on.isoformat()))
    before = _snapshot(entry)
    old = entry.status
    _move_status(entry, "received", actor)
    entry.received_on = received_on
    entry.received_reference = reference
    totals.moved(entry, old)
    audit.record("collection.receive", "ledger_entry", entry.id, actor=actor, before=before,
                 after={**_snapshot(entry), "reference": reference,
                        "received_on": received_on.isoformat()})
    return entry


def receive_entries(entry_ids: list[int], actor, reference: str,
                    received_on: date | None = None) -> list[LedgerEntry]:
    """Several entries received with one reference (a deposit, a bank statement): all of
    them or, when one cannot be, none (the caller rolls back on the error).

    Every entry is locked first, in id order, before any figure moves: two bulk receipts,
    or a bulk receipt and a single attest, then wait for each other on the entries instead
    of each holding totals the other needs."""
    entries = db.session.execute(
        db.select(LedgerEntry).where(LedgerEntry.id.in_(entry_ids)).order_by(LedgerEntry.id)
        .with_for_update().execution_options(populate_existing=True)
    ).scalars().all()
    if len(entries) != len(set(entry_ids)):
        raise Conflict(_("Någon av posterna finns inte längre. Ladda om kön."))
    for entry in entries:
        try:
            receive_entry(entry, actor, reference, received_on)
        except LedgerError as exc:
            exc.args = (_("Post %(id)s: %(problem)s Ingen av posterna markerades som "
                          "mottagen.", id=entry.id, problem=str(exc)),)
            raise
    return entries


def missing_steps(entry: LedgerEntry) -> list[str]:
    """What an entry still waits for, in words for the queue."""
    if entry.status == "pending":
        steps = []
        if entry.awaiting_count:
            steps.append(_("en kollega till räknar kontanterna"))
        steps.append(_("attest av en annan administratör på arbetsplatsen än den som "
                       "registrerade posten eller ger pengarna"))
        steps.append(_("att stadsmissionen tar emot pengarna"))
        return steps
    if entry.status == "attested":
        return [_("att stadsmissionen tar emot pengarna")]
    return []


def reject_refusal(entry: LedgerEntry, actor) -> str | None:
    """Why `actor` may not reject the entry, or None: the workplace's admins reject what is
    only reported; once attested, only the mission's staff (the money did not come)."""
    from ..permissions import is_company_admin, is_staff  # noqa: PLC0415 (import cycle)

    if entry.method == "match":
        return _("En matchning följer gåvan den matchar; avvisa eller rätta gåvan i stället.")
    if is_staff(actor):
        return None
    if not is_company_admin(actor, entry.company):
        return _("Bara arbetsplatsens administratörer och stadsmissionen kan avvisa insamlingar.")
    if entry.status == "attested":
        return _("Posten är attesterad. Om pengarna inte kommer in avvisar stadsmissionen den.")
    return None


def reject_entry(entry: LedgerEntry | int, actor, reason: str) -> LedgerEntry:
    """An entry that waits (reported, or attested but never received) was wrong or did not
    arrive: it stops counting, with a reason."""
    if not reason or not reason.strip():
        raise LedgerError(_("Skriv varför posten avvisas."))
    if len(reason.strip()) > REASON_MAX:
        raise LedgerError(_("Skriv orsaken med högst %(max)s tecken.", max=REASON_MAX))
    entry = lock_entry(entry)
    refusal = reject_refusal(entry, actor)
    if refusal:
        raise Refused(refusal)
    entry = _locked_waiting(entry, ("pending", "attested"),
                            _("Bara poster som väntar kan avvisas."))
    before = _snapshot(entry)
    old = entry.status
    _move_status(entry, "rejected", actor, reason.strip())
    totals.moved(entry, old)
    audit.record("collection.reject", "ledger_entry", entry.id, actor=actor, before=before,
                 after={**_snapshot(entry), "reason": entry.status_reason})
    return entry


def reverse_entry(entry: LedgerEntry | int, actor, reason: str,
                  action: str = "collection.reverse") -> LedgerEntry:
    """Write a new entry that cancels `entry` (a withdrawal or the first half of a correction).

    The entry is locked first, so that it cannot be attested, received, rejected or reversed at the same
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
    totals.apply(reversal, *totals.counted(reversal.status, reversal.amount_ore))
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

    The new entry keeps the old one's giver: the money still counts for the person who
    gave it, and so does any employer match. It keeps the old one's status only when the
    mission's staff correct it (with the receipt's date and reference); corrected by anyone
    else, a new sum is only reported, and is attested and received again like any other.
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
    if method == "payroll" and entry.method != "payroll":
        raise LedgerError(_("Löneavdrag kommer bara från arbetsplatsens lönekörningar."))
    from ..permissions import is_staff  # noqa: PLC0415 (import cycle)

    if entry.status == "received" and not is_staff(actor):
        raise Refused(_("Pengarna är mottagna av stadsmissionen. Be stadsmissionen rätta "
                        "posten."))
    before = _snapshot(entry)
    reverse_entry(entry, actor, reason, action="collection.correct.reverse")
    status = entry.status if is_staff(actor) else "pending"
    new = record_collection(
        entry.team, amount_ore, collected_on, method, note, logged_by=actor,
        status=status, corrects=entry, received_on=entry.received_on,
        received_reference=entry.received_reference,
    )
    audit.record("collection.correct", "ledger_entry", entry.id, actor=actor, before=before,
                 after={**_snapshot(new), "new_entry_id": new.id, "reason": reason})
    return new


def confirm_count(entry: LedgerEntry | int, actor) -> LedgerEntry:
    """A second colleague confirms they counted a large cash sum with the one who logged
    it: two colleagues who counted together attest it for the workplace."""
    entry = lock_entry(entry)
    if not entry.needs_count_confirm:
        raise LedgerError(_("Den här posten behöver ingen andra räkning."))
    if entry.logged_by_id == getattr(actor, "id", None):
        raise Refused(_("En annan kollega än den som registrerade posten måste räkna."))
    if entry.giver_id is not None and entry.giver_id == getattr(actor, "id", None):
        raise Refused(_("Pengarna räknas för dig; en annan kollega måste räkna."))
    if not _counts_with(entry, actor):
        raise Refused(_("Bara någon i laget eller en administratör på arbetsplatsen kan "
                        "räkna kontanterna en gång till."))
    if entry.count_confirmed_by_id is not None:
        raise Conflict(_("Kontanterna är redan kontrollräknade."))
    entry = _locked_pending(entry, _("Posten är redan hanterad."))
    entry.count_confirmed_by_id = actor.id
    entry.count_confirmed_at = utcnow()
    _attest(entry, actor)
    audit.record("collection.count_confirm", "ledger_entry", entry.id, actor=actor,
                 after={**_snapshot(entry), "count_confirmed_by": actor.id})
    return entry


def _counts_with(entry: LedgerEntry, actor) -> bool:
    """Whether `actor` may be the second to count the entry's cash: someone in its team
    (who was there when it was counted) or an admin of its workplace, not anyone who just
    joined the workplace by its link. The mission's staff count only as a workplace's own
    admin would: the second count says two people of the workplace stood at the cash, and
    staff who were not there attest or receive instead."""
    from ..permissions import membership  # noqa: PLC0415 (import cycle)

    in_team = db.session.execute(db.select(TeamMember.id).where(
        TeamMember.team_id == entry.team_id, TeamMember.user_id == getattr(actor, "id", None),
    )).first() is not None
    if in_team:
        return True
    place = membership(actor, entry.company)
    return place is not None and place.is_admin


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
