"""Reading a Swish or bank report (CSV): the layout is chosen by the file's header row.

Known layouts, tried in order (the first whose header fits wins):
- "bank_swish": a bank's Swish report as Swedbank and Handelsbanken give it to a company:
  semicolons, Swedish headers (Bokföringsdag, Transaktionsdag, Betalningsreferens,
  Avsändare, Meddelande, Belopp, ...), decimal comma and a dot or space grouping thousands
  ("1.250,00", "1 250,00"), amounts perhaps with a sign ("+250,00").
- "simple": the CSV people write or export themselves, and the plain bank account export:
  a header with a date, an amount and a message column under one of several names
  (Datum/Bokföringsdag, Belopp/Summa, Meddelande/Referens/Text); any separator.

The text is UTF-8 (with or without BOM), UTF-16 with BOM or Windows-1252. A cell that looks
like a spreadsheet formula (=, +, -, @ first) is only ever text here: it is never evaluated,
an amount must still be a plain number, and the CSV exports write such text with a leading
apostrophe (csvexport). Messages are NFC-normalised (a decomposed "å" from a Mac becomes one
letter) and control characters become spaces. One bad row never stops the file: each row is
read or carries its own reason (`problem`). Only a file that cannot be read at all raises
ReportError.
"""

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..money import MoneyError, parse_kronor

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
# Bank texts are short in practice; a longer cell is kept this far, never further.
MESSAGE_MAX = 2000
HEADER_SEARCH_LINES = 15


class ReportError(ValueError):
    """The file cannot be read; `problems` lists what is wrong, by row where it can."""

    def __init__(self, problems: list[str]):
        super().__init__(problems[0] if problems else _("Filen kunde inte läsas."))
        self.problems = problems


@dataclass(frozen=True)
class Layout:
    key: str
    label: str
    # field -> header names (casefolded), the preferred name first
    columns: dict
    # header names that must all be there for this layout to be chosen
    signature: tuple = ()
    # "1.250,00": dots group thousands, the comma is the decimal sign
    decimal_comma: bool = False

    def find_columns(self, header: list[str]) -> dict[str, int]:
        names = [_header_name(h) for h in header]
        found = {}
        for key, aliases in self.columns.items():
            for alias in aliases:
                if alias in names:
                    found[key] = names.index(alias)
                    break
        return found

    def fits(self, header: list[str]) -> bool:
        names = {_header_name(h) for h in header}
        return set(self.signature) <= names and \
            {"date", "amount", "message"} <= self.find_columns(header).keys()


BANK_SWISH = Layout(
    key="bank_swish",
    label=_l("Swishrapport från banken"),
    columns={
        # The day the payer paid, before the day it was booked.
        "date": ("transaktionsdag", "transaktionsdatum", "betalningsdag", "bokföringsdag",
                 "bokforingsdag", "datum"),
        "time": ("tid", "transaktionstid", "klockslag"),
        "amount": ("belopp", "belopp (sek)", "belopp sek"),
        "message": ("meddelande", "meddelande/referens"),
        "payment_id": ("betalningsreferens", "swish-referens", "swishreferens",
                       "transaktions-id", "transaktionsid"),
        "payer_name": ("avsändare", "avsändarnamn", "avsändarens namn", "betalare", "namn"),
        "payer_number": ("avsändarnummer", "avsändarens nummer", "betalarens nummer",
                         "mobilnummer"),
    },
    signature=("betalningsreferens", "meddelande", "belopp"),
    decimal_comma=True,
)

SIMPLE = Layout(
    key="simple",
    label=_l("Enkel CSV (datum, belopp, meddelande)"),
    columns={
        "date": ("datum", "bokföringsdag", "bokforingsdag", "transaktionsdag", "betalningsdag",
                 "valutadag", "date"),
        "amount": ("belopp", "summa", "amount", "belopp (sek)", "belopp sek"),
        "message": ("meddelande", "referens", "text", "beskrivning", "message",
                    "meddelande/referens", "rubrik"),
        "payment_id": ("transaktions-id", "transaktionsid", "betalningsreferens",
                       "referensnummer", "swish-id", "swishid", "id", "löpnummer", "radnr",
                       "transaction id"),
        "payer_name": ("avsändare", "betalare", "namn", "name", "payer"),
    },
)

LAYOUTS = (BANK_SWISH, SIMPLE)


@dataclass
class ReportRow:
    """One payment row as the report gives it; `problem` says why it cannot be read."""

    line: int
    paid_on: date | None
    amount_ore: int | None
    message: str
    payment_id: str = ""
    payer_name: str = ""
    problem: str = ""

    @property
    def date(self) -> date | None:
        return self.paid_on

    @property
    def serial(self) -> str:
        return self.payment_id


@dataclass
class Report:
    layout: Layout
    rows: list[ReportRow]


def decode(data: bytes) -> str:
    """The file's text; UTF-8 first (with or without BOM), then UTF-16 (BOM) or Windows-1252."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ReportError([_("Filen är märkt som UTF-16 men går inte att läsa.")]) from exc
    if b"\x00" in data:
        raise ReportError([_("Filen är ingen textfil (CSV). Spara rapporten som CSV och försök igen.")])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise ReportError([
            _("Filens teckenkodning känns inte igen. Spara den som CSV i UTF-8 och försök igen.")
        ]) from exc


def _header_name(cell: str) -> str:
    return " ".join(_unwrap(cell).strip().strip('"').casefold().split())


def _unwrap(cell: str) -> str:
    """="0701234567" (how spreadsheets are told a number is text) -> 0701234567."""
    match = re.fullmatch(r'\s*="(.*)"\s*', cell)
    return match.group(1) if match else cell


def clean_text(text: str) -> str:
    """One line of plain text: NFC, control characters as spaces, runs of spaces as one."""
    text = unicodedata.normalize("NFC", text)
    text = "".join(" " if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") else ch
                   for ch in text)
    return " ".join(text.split())


def _dialect(first_line: str) -> str:
    counts = {sep: first_line.count(sep) for sep in (";", "\t", ",")}
    sep = max(counts, key=counts.get)
    return sep if counts[sep] else ";"


def parse_date(text: str) -> date | None:
    text = _unwrap(text).strip()
    for fmt in ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y%m%d", "%d.%m.%Y",
                "%d/%m/%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def parse_amount(text: str, layout: Layout) -> int:
    """The cell's amount in öre; MoneyError when it is no plain amount (never evaluated)."""
    cell = _unwrap(text).strip()
    if cell.startswith("+"):
        # A bank writes incoming money as "+250,00"; "+" then a formula is no number below.
        cell = cell[1:]
    if layout.decimal_comma and "," in cell:
        cell = re.sub(r"\.(?=\d{3}(?:\D|$))", "", cell)
    return parse_kronor(cell)


def read(data: bytes | str) -> Report:
    """The report's layout and every payment row, bad rows with their `problem`; ReportError
    when the file cannot be read or not one row of it can."""
    if isinstance(data, bytes):
        if not data.strip():
            raise ReportError([_("Filen är tom.")])
        if len(data) > MAX_BYTES:
            raise ReportError([_("Filen är för stor; högst %(mb)s MB.", mb=MAX_BYTES // (1024 * 1024))])
        text = decode(data)
    else:
        text = data
    lines = text.splitlines()
    # Bank exports often start with a few lines about the account; the header is the
    # first line that names the columns of a known layout.
    start, layout = None, None
    for index, line in enumerate(lines[:HEADER_SEARCH_LINES]):
        row = next(csv.reader([line], delimiter=_dialect(line)), [])
        layout = next((candidate for candidate in LAYOUTS if candidate.fits(row)), None)
        if layout is not None:
            start = index
            break
    if start is None:
        raise ReportError([
            _("Hittar inte kolumnerna. Filen behöver en rubrikrad med Datum, Belopp och "
              "Meddelande (eller Bokföringsdag, Belopp och Referens).")
        ])
    sep = _dialect(lines[start])
    reader = csv.reader(io.StringIO("\n".join(lines[start:])), delimiter=sep)
    header = next(reader)
    columns = layout.find_columns(header)
    rows: list[ReportRow] = []
    for offset, row in enumerate(reader, start=start + 2):
        if not any(cell.strip() for cell in row):
            continue
        if len(rows) >= MAX_ROWS:
            raise ReportError([_("Filen har fler än %(rows)s rader; dela upp den.", rows=MAX_ROWS)])
        rows.append(_read_row(offset, row, header, columns, layout))
    if not rows:
        raise ReportError([_("Filen har en rubrikrad men inga betalningar.")])
    problems = [r.problem for r in rows if r.problem]
    if len(problems) == len(rows):
        raise ReportError(problems)
    return Report(layout, rows)


def _read_row(offset: int, row: list[str], header: list[str], columns: dict[str, int],
              layout: Layout) -> ReportRow:
    def refused(problem: str) -> ReportRow:
        return ReportRow(offset, None, None, clean_text(" ".join(row))[:MESSAGE_MAX],
                         problem=problem)

    if len(row) < len(header):
        return refused(_("Rad %(row)s: har %(fields)s fält men rubrikraden har %(header)s.",
                         row=offset, fields=len(row), header=len(header)))
    paid_on = parse_date(row[columns["date"]])
    if paid_on is None:
        return refused(_("Rad %(row)s: datumet ”%(value)s” går inte att läsa (skriv ÅÅÅÅ-MM-DD).",
                         row=offset, value=clean_text(row[columns["date"]])[:20]))
    try:
        amount = parse_amount(row[columns["amount"]], layout)
    except MoneyError:
        return refused(_("Rad %(row)s: beloppet ”%(value)s” är inget belopp.",
                         row=offset, value=clean_text(row[columns["amount"]])[:20]))

    def cell(key: str) -> str:
        return clean_text(_unwrap(row[columns[key]])) if key in columns else ""

    # The message is kept as written, a formula-looking one too: it is only ever text.
    message = clean_text(row[columns["message"]])[:MESSAGE_MAX]
    return ReportRow(offset, paid_on, amount, message,
                     payment_id=cell("payment_id")[:100], payer_name=cell("payer_name")[:200])
