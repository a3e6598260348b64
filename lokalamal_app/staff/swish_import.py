"""Reconciling the mission's Swish or bank report (CSV) with the teams' collections.

1. `read(data)` reads the file (reconciliation.swish_reports: the encoding, the separator
   and the layout are found from the file); every bad row is reported by number. A file
   that cannot be read at all (no header, wrong encoding, no readable row)
   is refused whole; otherwise a bad row is kept as a refused row with its own reason, and
   the other rows go on.
2. `propose(payments)` matches each payment to a team by the reference in its message:
   the team's payment reference (e.g. "7054", see reconciliation.references) or its older
   letter code (Team.reference, e.g. "LM101") and proposes to mark a matching reported or
   attested Swish collection received (same team and amount, collected within two weeks)
   or else to record a new received one. Payments an earlier file recorded, outgoing
   payments and unknown codes are shown with the reason.
3. `book(report, proposals, chosen, actor)` records the file once (by its content's hash:
   the same file again changes nothing) and every row of it with its state, each row in its
   own savepoint: the chosen rows are booked, the other readable ones wait for a person, and
   rows the parser could not read, outgoing payments and zero sums are refused with their
   reason. Each row has an `import_key` stored in SwishPayment (unique), so a payment in two
   overlapping reports is recorded once; the later file counts it as "already earlier".

Waiting rows are handled later from the reconciliation page: `book_waiting` books one for a
team (receiving its matching reported entry or creating a received one), `refuse_waiting`
marks it as not ours. Both lock the row first, so two people acting on one row book it once.

A message is kept whole (up to MESSAGE_MAX) for the preview and the audit event; where a
column has a limit (the stored payment, the ledger note) it is cut with an ellipsis.
"""

import base64
import hashlib
import re
import zlib
from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func
from sqlalchemy.exc import DataError, IntegrityError

from .. import audit, clock
from ..extensions import db
from ..forms import EARLIEST_DATE
from ..ledger import services as ledger
from ..models import LedgerEntry, SwishFile, SwishPayment, Team
from ..models.base import utcnow
from ..reconciliation import references, swish_reports

MAX_BYTES = swish_reports.MAX_BYTES
MAX_ROWS = swish_reports.MAX_ROWS
MATCH_DAYS = 14
# Bank texts are short in practice; a longer cell is kept this far, never further.
MESSAGE_MAX = swish_reports.MESSAGE_MAX
# SwishPayment.message is String(200): the import key was always built from this much.
STORED_MESSAGE_MAX = 200
REASON_MAX = 500
NOTE_PREFIX = "Swish till stadsmissionen: "


class CsvImportError(swish_reports.ReportError):
    """The file cannot be read; `problems` lists what is wrong, by row where it can."""


def decode(data: bytes) -> str:
    """The file's text (see reconciliation.swish_reports.decode)."""
    try:
        return swish_reports.decode(data)
    except swish_reports.ReportError as exc:
        raise CsvImportError(exc.problems) from exc


@dataclass
class Payment:
    line: int
    paid_on: date | None
    amount_ore: int | None
    message: str
    import_key: str
    # Why the row cannot be read; such a row is shown refused and never booked.
    problem: str = ""
    payer_name: str = ""
    payment_id: str = ""


def cut(text: str, limit: int) -> str:
    """`text` if it fits in `limit` characters, else its start and an ellipsis."""
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


@dataclass
class Proposal:
    payment: Payment
    action: str  # "receive", "create", "booked", "unmatched", "refused"
    reason: str = ""
    team: Team | None = None
    entry: LedgerEntry | None = None
    references: list[str] = field(default_factory=list)

    @property
    def can_book(self) -> bool:
        return self.action in ("receive", "create")


@dataclass
class SwishReport:
    """A read report: its layout, the hash that recognises the file, its text and its rows."""

    layout: swish_reports.Layout
    content_hash: str
    text: str
    payments: list[Payment]

    @property
    def total_ore(self) -> int:
        """The sum of every amount the file gives (a row without a readable amount adds 0)."""
        return sum(p.amount_ore or 0 for p in self.payments)

    @property
    def first_day(self) -> date | None:
        days = [p.paid_on for p in self.payments if p.paid_on is not None]
        return min(days) if days else None

    @property
    def last_day(self) -> date | None:
        days = [p.paid_on for p in self.payments if p.paid_on is not None]
        return max(days) if days else None


def read(data: bytes | str) -> SwishReport:
    """The report with every payment row, bad rows with their `problem`; CsvImportError when
    the file cannot be read or not one row of it can."""
    # The file's layout, encoding and rows are read in reconciliation.swish_reports.
    try:
        report = swish_reports.read(data)
        text = swish_reports.decode(data) if isinstance(data, bytes) else data
    except swish_reports.ReportError as exc:
        raise CsvImportError(exc.problems) from exc
    seen: dict[str, int] = {}
    payments = [_payment(row, seen) for row in report.rows]
    problems = [p.problem for p in payments if p.problem]
    if len(problems) == len(payments):
        raise CsvImportError(problems)
    # The same text is the same file, however its lines end.
    digest = hashlib.sha256("\n".join(text.splitlines()).encode("utf-8")).hexdigest()
    return SwishReport(report.layout, digest, text, payments)


def parse(data: bytes | str) -> list[Payment]:
    """Every payment row of the file (see `read`)."""
    return read(data).payments


def file_record(report: SwishReport) -> SwishFile | None:
    """The recorded import of this very file, if it was imported before."""
    return db.session.execute(db.select(SwishFile).where(
        SwishFile.content_hash == report.content_hash)).scalar_one_or_none()


def _payment(row: swish_reports.ReportRow, seen: dict[str, int]) -> Payment:
    """A report row as a Payment: the days and sums a collection may have, and its import key."""
    def refused(problem: str) -> Payment:
        # The file's own figures stay (when it has them): the file's sums add up with them.
        # An absurd figure (no bank pays a billion kronor by Swish) is kept as none, so that
        # it neither overflows the stored sum nor swells the file's total.
        amount = row.amount_ore
        if amount is not None and abs(amount) > ABSURD_ORE:
            amount = None
        return Payment(row.line, row.paid_on, amount, cut(row.message, MESSAGE_MAX), "",
                       problem, payer_name=row.payer_name)

    if row.problem:
        return refused(row.problem)
    if not EARLIEST_DATE <= row.paid_on <= clock.today():
        # The same days the logging form takes: a payment cannot be paid in the future.
        return refused(_("Rad %(row)s: datumet %(value)s ligger utanför %(first)s – i dag.",
                         row=row.line, value=row.paid_on.isoformat(),
                         first=EARLIEST_DATE.isoformat()))
    if row.amount_ore > current_app.config["MAX_COLLECTION_ORE"]:
        return refused(_("Rad %(row)s: beloppet är större än en insamling får vara; "
                         "bokför det för hand.", row=row.line))
    message = row.message
    if row.payment_id:
        basis = "id:" + row.payment_id
    else:
        # The first 200 characters, as always: a file imported before books nothing twice.
        basis = f"row:{row.paid_on.isoformat()}|{row.amount_ore}|{message[:STORED_MESSAGE_MAX].casefold()}"
    # Two identical payments on one day are two payments: number the repeats.
    seen[basis] = seen.get(basis, 0) + 1
    key = hashlib.sha256(f"{basis}#{seen[basis]}".encode()).hexdigest()
    return Payment(row.line, row.paid_on, row.amount_ore, message, key,
                   payer_name=row.payer_name, payment_id=row.payment_id)


_TOKEN = re.compile(r"[A-Za-z0-9]+")
# Above this a refused row's amount is no real payment (a typo, a hostile file).
ABSURD_ORE = 1_000_000_000_00


def propose(payments: list[Payment]) -> list[Proposal]:
    """Match every payment to a team and say what booking it would be (four queries)."""
    # Only words that could be a reference (letters and digits, short) go to the database.
    readable = [p for p in payments if not p.problem]
    tokens = {t.upper() for p in readable for t in _TOKEN.findall(p.message)
              if len(t) <= 12 and any(ch.isdigit() for ch in t)}
    teams = {
        team.reference.upper(): team
        for team in db.session.execute(
            db.select(Team).where(func.upper(Team.reference).in_(tokens))
        ).scalars()
    } if tokens else {}
    # The numeric payment reference (the one in the Swish QR and on bankgiro payments).
    team_ids = {i for p in readable for i in references.team_ids_in(p.message)}
    if team_ids:
        for team in db.session.execute(db.select(Team).where(Team.id.in_(team_ids))).scalars():
            teams[references.payment_reference(team.id)] = team
    booked = set(
        db.session.execute(
            db.select(SwishPayment.import_key).where(
                SwishPayment.import_key.in_([p.import_key for p in readable])
            )
        ).scalars()
    )
    candidates = _candidates([t.id for t in teams.values()])
    taken: set[int] = set()
    proposals = []
    for payment in payments:
        if payment.problem:
            proposals.append(Proposal(payment, "refused", payment.problem))
            continue
        refs = _references(payment.message, teams)
        if payment.import_key in booked:
            proposals.append(Proposal(payment, "booked", _("Redan inläst från en tidigare fil.")))
            continue
        if payment.amount_ore <= 0:
            proposals.append(Proposal(payment, "refused", _("Utbetalning eller noll, ingen gåva.")))
            continue
        if not refs:
            reason = (_("Meddelandet är tomt.") if not payment.message
                      else _("Ingen lagkod i meddelandet som finns hos något lag."))
            proposals.append(Proposal(payment, "unmatched", reason))
            continue
        if len({teams[ref].id for ref in refs}) > 1:
            proposals.append(Proposal(payment, "unmatched",
                                      _("Meddelandet nämner flera lag (%(codes)s).",
                                        codes=", ".join(sorted(set(refs)))),
                                      references=refs))
            continue
        team = teams[refs[0]]
        match = _closest(candidates, taken, team, payment)
        if match is not None:
            taken.add(match.id)
            proposals.append(Proposal(payment, "receive",
                                      _("Stämmer med laget rapporterade %(date)s.",
                                        date=match.collected_on.isoformat()),
                                      team, match, refs))
        else:
            proposals.append(Proposal(payment, "create",
                                      _("Ingen rapporterad Swishinsamling med samma belopp; blir en ny mottagen post."),
                                      team, None, refs))
    return proposals


def _candidates(team_ids: list[int]) -> list[LedgerEntry]:
    """Reported or attested Swish entries of these teams that no report row has booked."""
    if not team_ids:
        return []
    reversed_ids = db.select(LedgerEntry.reverses_id).where(LedgerEntry.reverses_id.is_not(None))
    return list(db.session.execute(
        db.select(LedgerEntry).where(
            LedgerEntry.team_id.in_(team_ids),
            LedgerEntry.status.in_(("pending", "attested")),
            LedgerEntry.method == "swish",
            LedgerEntry.amount_ore > 0,
            LedgerEntry.reverses_id.is_(None),
            LedgerEntry.id.not_in(reversed_ids),
            # NOT IN with a NULL in the list matches nothing: only booked rows' entries.
            LedgerEntry.id.not_in(db.select(SwishPayment.entry_id)
                                  .where(SwishPayment.entry_id.is_not(None))),
        ).order_by(LedgerEntry.collected_on, LedgerEntry.id)
    ).scalars())


def _references(message: str, teams: dict[str, Team]) -> list[str]:
    """The known team codes and payment references in a message, in order."""
    found = [t.upper() for t in _TOKEN.findall(message) if t.upper() in teams]
    for team_id in references.team_ids_in(message):
        reference = references.payment_reference(team_id)
        if reference in teams and reference not in found:
            found.append(reference)
    return found


def _closest(candidates, taken, team, payment) -> LedgerEntry | None:
    best = None
    for entry in candidates:
        if entry.id in taken or entry.team_id != team.id or entry.amount_ore != payment.amount_ore:
            continue
        distance = abs((entry.collected_on - payment.paid_on).days)
        if distance > MATCH_DAYS:
            continue
        if best is None or distance < abs((best.collected_on - payment.paid_on).days):
            best = entry
    return best


@dataclass
class Booked:
    """What a confirmed import did: counts per outcome, and the rows that could not be booked."""

    receive: int = 0
    create: int = 0
    waiting: int = 0
    refused: int = 0
    earlier: int = 0  # recorded by an earlier file
    already: bool = False  # this very file was imported before: nothing changed
    failed: list[tuple[int, str]] = field(default_factory=list)


def book(report: SwishReport, proposals: list[Proposal], chosen: set[str], actor) -> Booked:
    """Record the file and every row of it once, booking the chosen payments; flushes.

    Each row is written in its own savepoint: a chosen row the ledger refuses (its
    collection was handled meanwhile, the sum no longer fits) is recorded as waiting with
    the reason, and a row another file recorded meanwhile counts as earlier.
    """
    done = Booked()
    record = _record_file(report, actor)
    if record is None:
        done.already, done.earlier = True, len(proposals)
        return done
    earlier: list[int] = []
    for proposal in proposals:
        payment = proposal.payment
        if proposal.action == "booked":
            earlier.append(payment.amount_ore or 0)
            continue
        book_it = proposal.can_book and payment.import_key in chosen
        try:
            with db.session.begin_nested():
                row = _payment_row(record, proposal, actor)
                if book_it:
                    _book_one(row, proposal, actor)
                _audit_import(row, proposal, actor)
        except IntegrityError:
            earlier.append(payment.amount_ore or 0)
            continue
        except (ledger.LedgerError, DataError) as exc:
            reason = str(exc) if isinstance(exc, ledger.LedgerError) else _(
                "Databasen tog inte emot raden; bokför den för hand.")
            done.failed.append((payment.line, reason))
            try:
                with db.session.begin_nested():
                    row = _payment_row(record, proposal, actor, reason=reason)
                    _audit_import(row, proposal, actor)
            except IntegrityError:
                earlier.append(payment.amount_ore or 0)
                continue
        outcome = row.action if row.status == "booked" else row.status
        setattr(done, outcome, getattr(done, outcome) + 1)
    done.earlier = len(earlier)
    if earlier:
        record.earlier_count, record.earlier_ore = len(earlier), sum(earlier)
        db.session.flush()
    return done


def _record_file(report: SwishReport, actor) -> SwishFile | None:
    """A new record of the file; None when this file was imported before (or a moment ago)."""
    if file_record(report) is not None:
        return None
    record = SwishFile(
        content_hash=report.content_hash, layout=report.layout.key,
        first_day=report.first_day, last_day=report.last_day,
        payment_count=len(report.payments), total_ore=report.total_ore,
        imported_by_id=getattr(actor, "id", None))
    try:
        with db.session.begin_nested():
            db.session.add(record)
    except IntegrityError:
        return None  # someone imported the same file a moment ago: theirs is the record
    audit.record("swish.file", "swish_file", record.id, actor=actor,
                 after={"layout": record.layout, "first_day": record.first_day,
                        "last_day": record.last_day, "payments": record.payment_count,
                        "total_ore": record.total_ore})
    return record


def _payment_row(record: SwishFile, proposal: Proposal, actor, reason: str = "") -> SwishPayment:
    """The row as it is before booking: refused with its reason, or waiting; flushes (the
    import key's unique index answers here)."""
    payment = proposal.payment
    refused = proposal.action == "refused"
    if not reason:
        reason = proposal.reason if not proposal.can_book else _("Inte vald vid importen.")
    row = SwishPayment(
        file_id=record.id, line=payment.line, import_key=payment.import_key or None,
        paid_on=payment.paid_on, amount_ore=payment.amount_ore,
        message=cut(payment.message, STORED_MESSAGE_MAX), payer_name=cut(payment.payer_name, 70),
        status="refused" if refused else "waiting", reason=cut(reason, REASON_MAX),
        team_id=proposal.team.id if proposal.team is not None else None,
        imported_by_id=getattr(actor, "id", None))
    db.session.add(row)
    db.session.flush()
    return row


def _audit_import(row: SwishPayment, proposal: Proposal, actor) -> None:
    # The audit event keeps the whole message: it has no column limit.
    audit.record("swish.import", "swish_payment", row.id, actor=actor,
                 after={"status": row.status, "action": row.action, "line": row.line,
                        "amount_ore": row.amount_ore, "paid_on": row.paid_on,
                        "message": proposal.payment.message, "team_id": row.team_id,
                        "entry_id": row.entry_id, "reason": row.reason})


def reference_for(row: SwishPayment) -> str:
    """The receipt reference of a booked row, e.g. "Swishrapport 2026-11-30, rad 2"."""
    return f"Swishrapport {row.paid_on.isoformat()}, rad {row.line}"


def _book_one(row: SwishPayment, proposal: Proposal, actor) -> None:
    """Book one row as proposed (flushes); LedgerError when the ledger refuses it."""
    if proposal.action == "receive":
        entry = ledger.receive_entry(proposal.entry, actor, reference_for(row), row.paid_on)
    else:
        entry = _create(proposal.team, row, actor, proposal.payment.message)
    _mark_booked(row, proposal.team, entry, proposal.action, actor)


def _create(team: Team, row: SwishPayment, actor, message: str) -> LedgerEntry:
    return ledger.log_collection(
        team, row.amount_ore, row.paid_on, "swish",
        note=cut(NOTE_PREFIX + message, ledger.NOTE_MAX), logged_by=actor,
        # Nobody in particular gave it (the report names no colleague): it is matched by
        # no employer and makes no one a participant.
        status="received", giver_id=None,
        received_on=row.paid_on, received_reference=reference_for(row))


def _mark_booked(row: SwishPayment, team: Team, entry: LedgerEntry, action: str, actor) -> None:
    row.team_id, row.entry_id, row.action = team.id, entry.id, action
    row.status, row.reason = "booked", ""
    row.handled_by_id, row.handled_at = getattr(actor, "id", None), utcnow()
    db.session.flush()


def lock_waiting(payment_id: int) -> SwishPayment:
    """The row, locked; a 409 (Conflict) when it no longer waits (someone handled it)."""
    row = db.session.execute(
        db.select(SwishPayment).where(SwishPayment.id == payment_id).with_for_update()
        # The request may have read the row before the lock: take the locked row's values.
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if row is None:
        raise LookupError(payment_id)
    if row.status != "waiting":
        raise ledger.Conflict(_("Betalningen är redan hanterad."))
    return row


def book_waiting(payment_id: int, team: Team, actor) -> SwishPayment:
    """A person says a waiting row is for `team`: it receives the team's matching reported
    Swish entry (same amount, within two weeks), or becomes a new received entry; flushes."""
    row = lock_waiting(payment_id)
    if row.amount_ore is None or row.amount_ore <= 0 or row.paid_on is None:
        raise ledger.LedgerError(_("Ett avdrag eller noll kronor kan inte bli en gåva."))
    before = {"status": row.status, "reason": row.reason, "team_id": row.team_id}
    entry = _closest(_candidates([team.id]), set(), team, row)
    if entry is not None:
        entry, action = ledger.receive_entry(entry, actor, reference_for(row), row.paid_on), "receive"
    else:
        entry, action = _create(team, row, actor, row.message), "create"
    _mark_booked(row, team, entry, action, actor)
    audit.record("swish.match", "swish_payment", row.id, actor=actor, before=before,
                 after={"status": row.status, "action": action, "team_id": team.id,
                        "entry_id": entry.id, "reference": reference_for(row)})
    return row


def refuse_waiting(payment_id: int, reason: str, actor) -> SwishPayment:
    """A person says a waiting row is not for the campaign (with a reason); flushes."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise ledger.LedgerError(_("Skriv varför betalningen inte hör hit."))
    row = lock_waiting(payment_id)
    before = {"status": row.status, "reason": row.reason}
    row.status, row.reason = "refused", cut(reason, REASON_MAX)
    row.handled_by_id, row.handled_at = getattr(actor, "id", None), utcnow()
    db.session.flush()
    audit.record("swish.refuse", "swish_payment", row.id, actor=actor, before=before,
                 after={"status": row.status, "reason": row.reason})
    return row


def pack(text: str) -> str:
    """The file's text, compressed for the confirm form's hidden field."""
    return base64.urlsafe_b64encode(zlib.compress(text.encode("utf-8"), 9)).decode("ascii")


def unpack(packed: str) -> str:
    try:
        raw = zlib.decompressobj().decompress(base64.urlsafe_b64decode(packed.encode("ascii")),
                                              MAX_BYTES * 2)
        return raw.decode("utf-8")
    except (ValueError, zlib.error, UnicodeDecodeError) as exc:
        raise CsvImportError([_("Importen gick inte att läsa om. Ladda upp filen igen.")]) from exc
