"""Reconciling the mission's Swish or bank report (CSV) with the teams' collections.

1. `parse(data)` reads the file: the encoding (UTF-8, UTF-16 with BOM or Windows-1252),
   the separator and the columns are found from the file; every bad row is reported by
   number. A file that cannot be read at all (no header, wrong encoding, no readable row)
   is refused whole; otherwise a bad row is kept as a refused row with its own reason, and
   the other rows go on.
2. `propose(payments)` matches each payment to a team by the reference code in its
   message (Team.reference, e.g. "LM101") and proposes to mark a matching reported or
   attested Swish collection received (same team and amount, collected within two weeks)
   or else to record a new received one. Payments already booked, outgoing payments and unknown codes are shown
   with the reason.
3. `book(proposals, chosen, actor)` does what staff confirmed, each row in its own
   savepoint: a row that cannot be booked is listed with its reason and the rest book.
   Each payment row has an `import_key` stored in SwishPayment (unique), so a re-imported
   file books nothing twice.

A message is kept whole (up to MESSAGE_MAX) for the preview and the audit event; where a
column has a limit (the stored payment, the ledger note) it is cut with an ellipsis.
"""

import base64
import csv
import hashlib
import io
import re
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func
from sqlalchemy.exc import DataError, IntegrityError

from .. import audit, clock
from ..extensions import db
from ..forms import EARLIEST_DATE
from ..ledger import services as ledger
from ..models import LedgerEntry, SwishPayment, Team
from ..money import MoneyError, parse_kronor

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
MATCH_DAYS = 14
# Bank texts are short in practice; a longer cell is kept this far, never further.
MESSAGE_MAX = 2000
# SwishPayment.message is String(200): the import key was always built from this much.
STORED_MESSAGE_MAX = 200
NOTE_PREFIX = "Swish till stadsmissionen: "

COLUMNS = {
    "date": ("datum", "bokföringsdag", "bokforingsdag", "transaktionsdag", "betalningsdag",
             "valutadag", "date"),
    "amount": ("belopp", "summa", "amount", "belopp (sek)", "belopp sek"),
    "message": ("meddelande", "referens", "text", "beskrivning", "message", "meddelande/referens",
                "rubrik"),
    "payment_id": ("transaktions-id", "transaktionsid", "betalningsreferens", "referensnummer",
                   "swish-id", "swishid", "id", "löpnummer", "radnr", "transaction id"),
}
COLUMN_LABELS = {"date": "datum", "amount": "belopp", "message": "meddelande"}


class CsvImportError(ValueError):
    """The file cannot be read; `problems` lists what is wrong, by row where it can."""

    def __init__(self, problems: list[str]):
        super().__init__(problems[0] if problems else _("Filen kunde inte läsas."))
        self.problems = problems


@dataclass
class Payment:
    line: int
    paid_on: date | None
    amount_ore: int | None
    message: str
    import_key: str
    # Why the row cannot be read; such a row is shown refused and never booked.
    problem: str = ""


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


def decode(data: bytes) -> str:
    """The file's text; UTF-8 first (with or without BOM), then UTF-16 (BOM) or Windows-1252."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise CsvImportError([_("Filen är märkt som UTF-16 men går inte att läsa.")]) from exc
    if b"\x00" in data:
        raise CsvImportError([_("Filen är ingen textfil (CSV). Spara rapporten som CSV och försök igen.")])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise CsvImportError([
            _("Filens teckenkodning känns inte igen. Spara den som CSV i UTF-8 och försök igen.")
        ]) from exc


def _dialect(first_line: str) -> str:
    counts = {sep: first_line.count(sep) for sep in (";", "\t", ",")}
    sep = max(counts, key=counts.get)
    return sep if counts[sep] else ";"


def _parse_date(text: str) -> date | None:
    text = text.strip()
    for fmt in ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y%m%d", "%d.%m.%Y",
                "%d/%m/%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _find_columns(header: list[str]) -> dict[str, int]:
    names = [h.strip().strip('"').casefold() for h in header]
    found = {}
    for key, aliases in COLUMNS.items():
        for alias in aliases:
            if alias in names:
                found[key] = names.index(alias)
                break
    return found


def parse(data: bytes | str) -> list[Payment]:
    """Every payment row of the file, bad rows with their `problem`; CsvImportError when
    the file cannot be read or not one row of it can."""
    if isinstance(data, bytes):
        if not data.strip():
            raise CsvImportError([_("Filen är tom.")])
        if len(data) > MAX_BYTES:
            raise CsvImportError([_("Filen är för stor; högst %(mb)s MB.", mb=MAX_BYTES // (1024 * 1024))])
        text = decode(data)
    else:
        text = data
    lines = text.splitlines()
    # Bank exports often start with a few lines about the account; the header is the
    # first line that names the columns we need.
    start = None
    for index, line in enumerate(lines[:15]):
        row = next(csv.reader([line], delimiter=_dialect(line)), [])
        if {"date", "amount", "message"} <= _find_columns(row).keys():
            start = index
            break
    if start is None:
        raise CsvImportError([
            _("Hittar inte kolumnerna. Filen behöver en rubrikrad med Datum, Belopp och "
              "Meddelande (eller Bokföringsdag, Belopp och Referens).")
        ])
    sep = _dialect(lines[start])
    reader = csv.reader(io.StringIO("\n".join(lines[start:])), delimiter=sep)
    header = next(reader)
    columns = _find_columns(header)
    payments: list[Payment] = []
    seen: dict[str, int] = {}
    for offset, row in enumerate(reader, start=start + 2):
        if not any(cell.strip() for cell in row):
            continue
        if len(payments) >= MAX_ROWS:
            raise CsvImportError([_("Filen har fler än %(rows)s rader; dela upp den.",
                                    rows=MAX_ROWS)])
        payments.append(_read_row(offset, row, header, columns, seen))
    problems = [p.problem for p in payments if p.problem]
    if not payments:
        raise CsvImportError([_("Filen har en rubrikrad men inga betalningar.")])
    if len(problems) == len(payments):
        raise CsvImportError(problems)
    return payments


def _read_row(offset: int, row: list[str], header: list[str], columns: dict[str, int],
              seen: dict[str, int]) -> Payment:
    """One row as a Payment; a row that cannot be read carries its problem instead."""
    def refused(problem: str) -> Payment:
        text = " ".join(" ".join(row).split())
        return Payment(offset, None, None, cut(text, MESSAGE_MAX), "", problem)

    if len(row) < len(header):
        return refused(_("Rad %(row)s: har %(fields)s fält men rubrikraden har %(header)s.",
                         row=offset, fields=len(row), header=len(header)))
    paid_on = _parse_date(row[columns["date"]])
    if paid_on is None:
        return refused(_("Rad %(row)s: datumet ”%(value)s” går inte att läsa (skriv ÅÅÅÅ-MM-DD).",
                         row=offset, value=row[columns["date"]][:20]))
    if not EARLIEST_DATE <= paid_on <= clock.today():
        # The same days the logging form takes: a payment cannot be paid in the future.
        return refused(_("Rad %(row)s: datumet %(value)s ligger utanför %(first)s – i dag.",
                         row=offset, value=paid_on.isoformat(),
                         first=EARLIEST_DATE.isoformat()))
    try:
        amount = parse_kronor(row[columns["amount"]])
    except MoneyError:
        return refused(_("Rad %(row)s: beloppet ”%(value)s” är inget belopp.",
                         row=offset, value=row[columns["amount"]][:20]))
    if amount > current_app.config["MAX_COLLECTION_ORE"]:
        return refused(_("Rad %(row)s: beloppet är större än en insamling får vara; "
                         "bokför det för hand.", row=offset))
    message = " ".join(row[columns["message"]].split())[:MESSAGE_MAX]
    if "payment_id" in columns and row[columns["payment_id"]].strip():
        basis = "id:" + row[columns["payment_id"]].strip()
    else:
        # The first 200 characters, as always: a file imported before books nothing twice.
        basis = f"row:{paid_on.isoformat()}|{amount}|{message[:STORED_MESSAGE_MAX].casefold()}"
    # Two identical payments on one day are two payments: number the repeats.
    seen[basis] = seen.get(basis, 0) + 1
    key = hashlib.sha256(f"{basis}#{seen[basis]}".encode()).hexdigest()
    return Payment(offset, paid_on, amount, message, key)


_TOKEN = re.compile(r"[A-Za-z0-9]+")


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
    booked = set(
        db.session.execute(
            db.select(SwishPayment.import_key).where(
                SwishPayment.import_key.in_([p.import_key for p in readable])
            )
        ).scalars()
    )
    reversed_ids = db.select(LedgerEntry.reverses_id).where(LedgerEntry.reverses_id.is_not(None))
    candidates = list(
        db.session.execute(
            db.select(LedgerEntry)
            .where(
                LedgerEntry.team_id.in_([t.id for t in teams.values()]),
                LedgerEntry.status.in_(("pending", "attested")),
                LedgerEntry.method == "swish",
                LedgerEntry.amount_ore > 0,
                LedgerEntry.reverses_id.is_(None),
                LedgerEntry.id.not_in(reversed_ids),
                LedgerEntry.id.not_in(db.select(SwishPayment.entry_id)),
            )
            .order_by(LedgerEntry.collected_on, LedgerEntry.id)
        ).scalars()
    ) if teams else []
    taken: set[int] = set()
    proposals = []
    for payment in payments:
        if payment.problem:
            proposals.append(Proposal(payment, "refused", payment.problem))
            continue
        refs = [t.upper() for t in _TOKEN.findall(payment.message) if t.upper() in teams]
        if payment.import_key in booked:
            proposals.append(Proposal(payment, "booked", _("Redan bokförd vid en tidigare import.")))
            continue
        if payment.amount_ore <= 0:
            proposals.append(Proposal(payment, "unmatched", _("Utbetalning eller noll, ingen gåva.")))
            continue
        if not refs:
            reason = (_("Meddelandet är tomt.") if not payment.message
                      else _("Ingen lagkod i meddelandet som finns hos något lag."))
            proposals.append(Proposal(payment, "unmatched", reason))
            continue
        if len(set(refs)) > 1:
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
    """What a confirmed import did: counts per action, and the rows that could not be booked."""

    receive: int = 0
    create: int = 0
    failed: list[tuple[int, str]] = field(default_factory=list)


def book(proposals: list[Proposal], chosen: set[str], actor) -> Booked:
    """Book the chosen payments (receive a reported entry, or create a received one), each
    on its own; flushes.

    A row that fails (its collection was handled meanwhile, another import booked it, the
    ledger refuses it) is rolled back alone and listed with its reason.
    """
    done = Booked()
    for proposal in proposals:
        if not proposal.can_book or proposal.payment.import_key not in chosen:
            continue
        try:
            with db.session.begin_nested():
                _book_one(proposal, actor)
        except ledger.LedgerError as exc:
            done.failed.append((proposal.payment.line, str(exc)))
            continue
        except IntegrityError:
            done.failed.append((proposal.payment.line,
                                _("Betalningen bokfördes samtidigt av någon annan.")))
            continue
        except DataError:
            done.failed.append((proposal.payment.line,
                                _("Databasen tog inte emot raden; bokför den för hand.")))
            continue
        setattr(done, proposal.action, getattr(done, proposal.action) + 1)
    return done


def _book_one(proposal: Proposal, actor) -> None:
    payment = proposal.payment
    reference = f"Swishrapport {payment.paid_on.isoformat()}, rad {payment.line}"
    if proposal.action == "receive":
        entry = ledger.receive_entry(proposal.entry, actor, reference, payment.paid_on)
    else:
        entry = ledger.log_collection(
            proposal.team, payment.amount_ore, payment.paid_on, "swish",
            note=cut(NOTE_PREFIX + payment.message, ledger.NOTE_MAX), logged_by=actor,
            # Nobody in particular gave it (the report names no colleague): it is
            # matched by no employer and makes no one a participant.
            status="received", giver_id=None,
            received_on=payment.paid_on, received_reference=reference,
        )
    db.session.add(SwishPayment(
        import_key=payment.import_key, paid_on=payment.paid_on,
        amount_ore=payment.amount_ore, message=cut(payment.message, STORED_MESSAGE_MAX),
        team_id=proposal.team.id, entry_id=entry.id, action=proposal.action,
        imported_by_id=actor.id,
    ))
    db.session.flush()
    # The audit event keeps the whole message: it has no column limit.
    audit.record("swish.import", "ledger_entry", entry.id, actor=actor,
                 after={"action": proposal.action, "amount_ore": payment.amount_ore,
                        "paid_on": payment.paid_on, "message": payment.message,
                        "team_id": proposal.team.id})


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
