"""CSV in and out of the payroll system: semicolons, decimal commas, UTF-8 (with BOM out)."""

import csv
import io

from ..models import Pledge
from ..money import MoneyError, parse_kronor
from .services import MAX_MONTHLY_ORE

MAX_IMPORT_BYTES = 2_000_000
_ID_COLUMNS = {"anställningsnummer": "number", "anstallningsnummer": "number",
               "anst.nr": "number", "e-post": "email", "epost": "email", "email": "email"}
_AMOUNT_COLUMNS = {"belopp", "belopp (kr)", "avdrag", "kronor"}


class ImportProblems(ValueError):
    """The file cannot be used; `problems` lists what is wrong, row by row, in Swedish."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def _decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportProblems(["Filen går inte att läsa som text. Spara den som CSV (UTF-8)."])


def read_amounts(raw: bytes, pledges: list[Pledge]) -> dict[int, int]:
    """Read per-mille pledges' amounts for a month: {pledge id: öre}.

    Every row is checked before anything is returned; any problem makes the whole file
    refused with the list of problems, so nothing half-read is ever used.
    """
    if not raw.strip():
        raise ImportProblems(["Filen är tom."])
    if len(raw) > MAX_IMPORT_BYTES:
        raise ImportProblems(["Filen är för stor (högst 2 MB)."])
    text = _decode(raw)
    first_line = text.splitlines()[0] if text.splitlines() else ""
    delimiter = ";" if ";" in first_line else ("\t" if "\t" in first_line else ",")
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    header = [h.strip().casefold() for h in rows[0]]
    id_col = next((i for i, h in enumerate(header) if h in _ID_COLUMNS), None)
    amount_col = next((i for i, h in enumerate(header) if h in _AMOUNT_COLUMNS), None)
    if id_col is None or amount_col is None:
        raise ImportProblems([
            "Första raden ska vara rubriker: en kolumn \"Anställningsnummer\" eller \"E-post\" "
            "och en kolumn \"Belopp\"."])
    by_number = {p.employee_number.casefold(): p for p in pledges if p.employee_number}
    by_email = {p.user.email.casefold(): p for p in pledges}
    lookup = by_number if _ID_COLUMNS[header[id_col]] == "number" else by_email
    what = "anställningsnummer" if lookup is by_number else "e-post"
    problems: list[str] = []
    amounts: dict[int, int] = {}
    for line_no, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) <= max(id_col, amount_col):
            problems.append(f"Rad {line_no}: raden har för få kolumner.")
            continue
        ident, amount_text = row[id_col].strip(), row[amount_col].strip()
        pledge = lookup.get(ident.casefold())
        if pledge is None:
            problems.append(
                f"Rad {line_no}: ingen med {what} \"{ident[:40]}\" ger via lönen den här månaden.")
            continue
        try:
            amount = parse_kronor(amount_text)
        except MoneyError as exc:
            problems.append(f"Rad {line_no}: {exc}")
            continue
        if amount < 0:
            problems.append(f"Rad {line_no}: beloppet kan inte vara negativt.")
        elif amount > MAX_MONTHLY_ORE:
            problems.append(f"Rad {line_no}: beloppet är orimligt stort (högst 100 000 kr).")
        elif pledge.id in amounts:
            problems.append(f"Rad {line_no}: {pledge.user.display_name} finns redan på en tidigare rad.")
        elif pledge.kind == "fixed" and amount != pledge.amount_ore:
            problems.append(f"Rad {line_no}: {pledge.user.display_name} ger ett fast belopp, "
                            "som inte stämmer med filen.")
        else:
            amounts[pledge.id] = amount
    if problems:
        raise ImportProblems(problems)
    return {pid: amount for pid, amount in amounts.items()
            if next(p for p in pledges if p.id == pid).kind == "permille"}


def kronor_text(ore: int | None) -> str:
    """Öre as the payroll system reads it: 125050 -> "1250,50"."""
    if ore is None:
        return ""
    sign = "-" if ore < 0 else ""
    kronor, rest = divmod(abs(ore), 100)
    return f"{sign}{kronor},{rest:02d}"


def permille_text(tenths: int | None) -> str:
    if tenths is None:
        return ""
    whole, rest = divmod(tenths, 10)
    return f"{whole},{rest}" if rest else str(whole)


def write(header: list[str], rows: list[list[str]]) -> bytes:
    """A CSV file for Swedish spreadsheets: UTF-8 with BOM, semicolons, CRLF."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")
