"""From a BgMax file to received money (staff only).

1. `bgmax.parse` reads the file; a broken file is refused whole with the parser's reason.
2. `propose(file)` says for each payment what it pays (rules in reconciliation.matching),
   in a few queries.
3. `book(file, proposals, chosen, actor)` records the file once (Bankgirot's timestamp and
   the payee bankgiro) and every payment once (Bankgirot's serial number, unique), each in
   its own savepoint: the chosen rows are booked, the others wait for a person or are
   refused. A re-imported file finds every serial recorded and books nothing.

Waiting payments are handled later from the reconciliation page: `match_by_hand` books one
for a team, `refuse_payment` marks it as not ours. Every booking is audited and carries the
payment's date and a reference "BgMax <file date> löpnr <serial>".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.exc import DataError, IntegrityError

from .. import audit
from ..extensions import db
from ..ledger import services as ledger
from ..models import BankFile, BankPayment, LedgerEntry, PayrollDeduction, PayrollRun, Team
from ..models.base import utcnow
from ..payroll import months
from ..payroll import queries as payroll_queries
from . import bgmax, matching

NOTE_PREFIX = "Bankgiro till stadsmissionen: "
# Entries a bankgiro payment can pay: money a team handed in or paid in itself. Swish comes
# on the Swish report; payroll gifts are paid by the employer's transfer for the whole run.
BANK_METHODS = ("cash", "card", "event", "other")
ENTRY_METHOD = "other"
REASON_MAX = 500


def cut(text: str, limit: int) -> str:
    """`text` if it fits, else its start and an ellipsis."""
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def reference_for(file_date: date, serial: str) -> str:
    """The receipt reference of a booked payment, e.g. "BgMax 2026-11-30 löpnr 000000000001"."""
    return f"BgMax {file_date.isoformat()} löpnr {serial}"


def file_record(parsed: bgmax.BgMaxFile) -> BankFile | None:
    """The recorded import of this very file, if it was imported before."""
    return db.session.execute(db.select(BankFile).where(
        BankFile.payee_bankgiro == _payee(parsed),
        BankFile.bgc_timestamp == _stamp(parsed))).scalar_one_or_none()


def payee_problem(parsed: bgmax.BgMaxFile) -> str | None:
    """Why the file cannot be read in as the mission's, or None: a file for another
    bankgiro would mark money received that never reached the mission's account."""
    from .. import settings  # noqa: PLC0415 (settings imports models at import time)

    ours = "".join(ch for ch in settings.get("bankgiro_number") if ch.isdigit()).lstrip("0")
    if not ours:
        return _("Stadsmissionens bankgironummer saknas under Inställningar. Lägg in det "
                 "innan en BgMax-fil läses in.")
    theirs = "".join(ch for ch in _payee(parsed) if ch.isdigit()).lstrip("0")
    if theirs != ours:
        return _("Filen gäller bankgiro %(theirs)s, inte stadsmissionens %(ours)s. "
                 "Ingenting lästes in.", theirs=theirs or "?", ours=ours)
    return None


def _payee(parsed: bgmax.BgMaxFile) -> str:
    return parsed.deposits[0].payee_bankgiro if parsed.deposits else ""


def _stamp(parsed: bgmax.BgMaxFile) -> str:
    return parsed.created_at.strftime("%Y%m%d%H%M%S%f")


def payment_text(payment: bgmax.BgMaxPayment) -> str:
    """What the payer wrote: the information text, else the reference."""
    return payment.message or " ".join(payment.references)


def propose(parsed: bgmax.BgMaxFile) -> list[matching.Proposal]:
    """What every payment of the file would become (a few queries, nothing written)."""
    payments = parsed.payments
    known = matching.Known(max_ore=current_app.config["MAX_COLLECTION_ORE"])
    serials = [p.serial for p in payments if p.serial]
    if serials:
        known.recorded = set(db.session.execute(
            db.select(BankPayment.bgc_serial).where(BankPayment.bgc_serial.in_(serials))
        ).scalars())
    team_ids = {i for p in payments for i in matching.team_ids(p)}
    if team_ids:
        known.teams = {t.id: t for t in db.session.execute(
            db.select(Team).where(Team.id.in_(team_ids))).scalars()}
        known.candidates = candidates(list(known.teams))
    run_ids = {i for p in payments for i in matching.run_ids(p)}
    known.runs = run_infos(run_ids)
    taken: set[int] = set()
    return [matching.decide(p, known, taken) for p in payments]


def candidates(team_ids: list[int]) -> list[LedgerEntry]:
    """Reported or attested entries of these teams that a bank payment may pay."""
    if not team_ids:
        return []
    reversed_ids = db.select(LedgerEntry.reverses_id).where(LedgerEntry.reverses_id.is_not(None))
    return list(db.session.execute(
        db.select(LedgerEntry).where(
            LedgerEntry.team_id.in_(team_ids),
            LedgerEntry.status.in_(("pending", "attested")),
            LedgerEntry.method.in_(BANK_METHODS),
            LedgerEntry.amount_ore > 0,
            LedgerEntry.reverses_id.is_(None),
            LedgerEntry.id.not_in(reversed_ids),
        ).order_by(LedgerEntry.collected_on, LedgerEntry.id)
    ).scalars())


def run_infos(run_ids) -> dict[int, matching.RunInfo]:
    """Payroll runs with their transfer sum and whether it was paid."""
    run_ids = list(run_ids)
    if not run_ids:
        return {}
    from ..models import Company  # noqa: PLC0415

    rows = db.session.execute(
        db.select(PayrollRun, Company.name).join(Company, Company.id == PayrollRun.company_id)
        .where(PayrollRun.id.in_(run_ids))).all()
    totals = payroll_queries.transfer_totals(run_ids)
    paid = payroll_queries.paid_runs(run_ids)
    return {run.id: matching.RunInfo(run, f"{name}, {months.display(run.month)}",
                                     totals.get(run.id, 0), run.id in paid)
            for run, name in rows}


@dataclass
class Booked:
    """What a confirmed import did: counts, and the rows that could not be booked."""

    booked: int = 0
    waiting: int = 0
    refused: int = 0
    skipped: int = 0  # recorded before (this file or another)
    failed: list[tuple[int, str]] = field(default_factory=list)


def book(parsed: bgmax.BgMaxFile, proposals: list[matching.Proposal], chosen: set[str],
         actor) -> Booked:
    """Record the file and its payments once, booking the chosen ones; flushes.

    Each payment is written in its own savepoint: a row that cannot be booked (the entry was
    handled meanwhile, the sum no longer fits) is recorded as waiting with the reason, and
    a row another import recorded meanwhile is skipped."""
    problem = payee_problem(parsed)
    if problem:
        raise bgmax.BgMaxError(problem)
    done = Booked()
    record, created = _record_file(parsed, actor)
    earlier: list[int] = []
    for proposal in proposals:
        payment = proposal.payment
        if proposal.action == "booked":
            done.skipped += 1
            earlier.append(payment.amount_ore)
            continue
        book_it = proposal.can_book and payment.serial in chosen
        try:
            with db.session.begin_nested():
                row = _payment_row(record, proposal)
                if book_it:
                    _book(row, proposal, actor)
                elif proposal.can_book:
                    row.status, row.reason = "waiting", _("Inte vald vid importen.")
                db.session.flush()
                _audit_import(row, actor)
        except IntegrityError:
            done.skipped += 1
            earlier.append(payment.amount_ore)
            continue
        except (ledger.LedgerError, DataError) as exc:
            reason = str(exc) if isinstance(exc, ledger.LedgerError) else _(
                "Databasen tog inte emot raden; bokför den för hand.")
            done.failed.append((payment.line, reason))
            try:
                with db.session.begin_nested():
                    row = _payment_row(record, proposal)
                    row.status, row.reason = "waiting", cut(reason, REASON_MAX)
                    db.session.flush()
                    _audit_import(row, actor)
            except IntegrityError:
                done.skipped += 1
                earlier.append(payment.amount_ore)
                continue
        setattr(done, row.status, getattr(done, row.status) + 1)
    if created and earlier:
        record.earlier_count, record.earlier_ore = len(earlier), sum(earlier)
        db.session.flush()
    return done


def _record_file(parsed: bgmax.BgMaxFile, actor) -> tuple[BankFile, bool]:
    """The file's record, and whether this import created it."""
    existing = file_record(parsed)
    if existing is not None:
        return existing, False
    record = BankFile(
        bgc_timestamp=_stamp(parsed), file_date=parsed.created_at.date(), test_file=parsed.test,
        payee_bankgiro=_payee(parsed),
        deposit_serials=cut(",".join(d.serial for d in parsed.deposits), 200),
        payment_count=len(parsed.payments),
        total_ore=sum(p.amount_ore for p in parsed.payments),
        imported_by_id=getattr(actor, "id", None))
    try:
        with db.session.begin_nested():
            db.session.add(record)
    except IntegrityError:
        # Someone imported the same file a moment ago: their record is the file's.
        existing = file_record(parsed)
        if existing is None:
            raise
        return existing, False
    audit.record("bgmax.file", "bank_file", record.id, actor=actor,
                 after={"bgc_timestamp": record.bgc_timestamp, "payee": record.payee_bankgiro,
                        "deposits": record.deposit_serials, "payments": record.payment_count,
                        "total_ore": record.total_ore})
    return record, True


def _payment_row(record: BankFile, proposal: matching.Proposal) -> BankPayment:
    payment = proposal.payment
    row = BankPayment(
        file_id=record.id, bgc_serial=payment.serial, line=payment.line, paid_on=payment.date,
        amount_ore=payment.amount_ore, reference=cut(payment.reference, 25),
        message=cut(payment.message, 200), payer_name=cut(payment.payer_name, 70),
        status="refused" if proposal.action == "refused" else "waiting",
        reason=cut(proposal.reason, REASON_MAX),
        team_id=proposal.team.id if proposal.team is not None else None,
        payroll_run_id=proposal.run.run.id if proposal.run is not None else None)
    db.session.add(row)
    db.session.flush()  # the serial's unique index answers here
    return row


def _audit_import(row: BankPayment, actor) -> None:
    audit.record("bgmax.import", "bank_payment", row.id, actor=actor,
                 after={"serial": row.bgc_serial, "status": row.status,
                        "amount_ore": row.amount_ore, "paid_on": row.paid_on,
                        "team_id": row.team_id, "entry_id": row.entry_id,
                        "payroll_run_id": row.payroll_run_id, "reason": row.reason})


def _book(row: BankPayment, proposal: matching.Proposal, actor) -> None:
    """Book one payment as proposed (flushes); LedgerError when the ledger refuses it."""
    reference = reference_for(row.file.file_date, row.bgc_serial)
    if proposal.action == "payroll":
        _receive_run(proposal.run.run, row, actor, reference)
    elif proposal.action == "receive":
        entry = ledger.receive_entry(proposal.entry, actor, reference, row.paid_on)
        row.entry_id = entry.id
    else:
        row.entry_id = _create(proposal.team, row, actor, reference).id
    row.status, row.reason = "booked", ""
    row.handled_by_id, row.handled_at = getattr(actor, "id", None), utcnow()


def _create(team: Team, row: BankPayment, actor, reference: str) -> LedgerEntry:
    text = row.message or row.reference
    return ledger.log_collection(
        team, row.amount_ore, row.paid_on, ENTRY_METHOD,
        note=cut(NOTE_PREFIX + text, ledger.NOTE_MAX), logged_by=actor,
        # The bank row names no colleague: it counts for nobody in particular.
        status="received", giver_id=None, received_on=row.paid_on, received_reference=reference)


def _receive_run(run: PayrollRun, row: BankPayment, actor, reference: str) -> None:
    """The employer's transfer for a run: every gift of it still attested is received."""
    run = db.session.execute(
        db.select(PayrollRun).where(PayrollRun.id == run.id).with_for_update()
        .execution_options(populate_existing=True)).scalar_one()
    # Checked again under the run's lock: the preview may be old.
    if run.id in payroll_queries.paid_runs([run.id]):
        raise ledger.Conflict(_("Löneavdragen för månaden är redan betalda."))
    total = payroll_queries.transfer_totals([run.id])[run.id]
    if total != row.amount_ore:
        raise ledger.LedgerError(_("Summan stämmer inte längre med lönekörningen (%(total)s öre).",
                                   total=total))
    entries = db.session.execute(
        db.select(LedgerEntry).join(PayrollDeduction, PayrollDeduction.entry_id == LedgerEntry.id)
        .where(PayrollDeduction.run_id == run.id, LedgerEntry.status == "attested")
        .order_by(LedgerEntry.id)).scalars().all()
    for entry in entries:
        if ledger.is_reversed(entry):
            continue
        ledger.receive_entry(entry, actor, reference, row.paid_on)
    row.payroll_run_id = run.id


def lock_waiting(payment_id: int) -> BankPayment:
    """The payment, locked; a 409 when it no longer waits (someone handled it meanwhile)."""
    row = db.session.execute(
        db.select(BankPayment).where(BankPayment.id == payment_id).with_for_update()
        # The request may have read the row before the lock: take the locked row's values.
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if row is None:
        raise LookupError(payment_id)
    if row.status != "waiting":
        raise ledger.Conflict(_("Betalningen är redan hanterad."))
    return row


def match_by_hand(payment_id: int, team: Team, actor) -> BankPayment:
    """A person says a waiting payment is for `team`: it receives the team's matching
    reported entry, or becomes a new received entry; flushes."""
    row = lock_waiting(payment_id)
    if row.amount_ore <= 0:
        raise ledger.LedgerError(_("Ett avdrag eller noll kronor kan inte bli en gåva."))
    before = {"status": row.status, "reason": row.reason, "team_id": row.team_id}
    reference = reference_for(row.file.file_date, row.bgc_serial)
    # Candidates wait (reported or attested), so no other payment has received them.
    entry = matching.closest(candidates([team.id]), set(), team.id, row.amount_ore, row.paid_on)
    if entry is not None:
        entry = ledger.receive_entry(entry, actor, reference, row.paid_on)
    else:
        entry = _create(team, row, actor, reference)
    row.team_id, row.entry_id = team.id, entry.id
    row.status, row.reason = "booked", ""
    row.handled_by_id, row.handled_at = getattr(actor, "id", None), utcnow()
    db.session.flush()
    audit.record("bgmax.match", "bank_payment", row.id, actor=actor, before=before,
                 after={"status": row.status, "team_id": team.id, "entry_id": entry.id,
                        "reference": reference})
    return row


def refuse_payment(payment_id: int, reason: str, actor) -> BankPayment:
    """A person says a waiting payment is not for the campaign (with a reason); flushes."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise ledger.LedgerError(_("Skriv varför betalningen inte hör hit."))
    row = lock_waiting(payment_id)
    before = {"status": row.status, "reason": row.reason}
    row.status, row.reason = "refused", cut(reason, REASON_MAX)
    row.handled_by_id, row.handled_at = getattr(actor, "id", None), utcnow()
    db.session.flush()
    audit.record("bgmax.refuse", "bank_payment", row.id, actor=actor, before=before,
                 after={"status": row.status, "reason": row.reason})
    return row
