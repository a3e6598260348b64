"""CSV from the payroll system: semicolons, decimal commas, UTF-8 (files out go through
the app's one CSV writer, `lokalamal_app.csvexport`)."""

import csv
import io

from ..i18n_request import _
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
    raise ImportProblems([_("Filen går inte att läsa som text. Spara den som CSV (UTF-8).")])


def read_amounts(raw: bytes, pledges: list[Pledge]) -> dict[int, int]:
    """Read per-mille pledges' amounts for a month: {pledge id: öre}.

    Every row is checked before anything is returned; any problem makes the whole file
    refused with the list of problems, so nothing half-read is ever used.
    """
    if not raw.strip():
        raise ImportProblems([_("Filen är tom.")])
    if len(raw) > MAX_IMPORT_BYTES:
        raise ImportProblems([_("Filen är för stor (högst 2 MB).")])
    text = _decode(raw)
    first_line = text.splitlines()[0] if text.splitlines() else ""
    delimiter = ";" if ";" in first_line else ("\t" if "\t" in first_line else ",")
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    header = [h.strip().casefold() for h in rows[0]]
    id_col = next((i for i, h in enumerate(header) if h in _ID_COLUMNS), None)
    amount_col = next((i for i, h in enumerate(header) if h in _AMOUNT_COLUMNS), None)
    if id_col is None or amount_col is None:
        raise ImportProblems([
            _("Första raden ska vara rubriker: en kolumn \"Anställningsnummer\" eller \"E-post\" "
              "och en kolumn \"Belopp\".")])
    by_number = {p.employee_number.casefold(): p for p in pledges if p.employee_number}
    by_email = {p.user.email.casefold(): p for p in pledges}
    lookup = by_number if _ID_COLUMNS[header[id_col]] == "number" else by_email
    what = _("anställningsnummer") if lookup is by_number else _("e-post")
    problems: list[str] = []
    amounts: dict[int, int] = {}
    for line_no, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) <= max(id_col, amount_col):
            problems.append(_("Rad %(line)s: raden har för få kolumner.", line=line_no))
            continue
        ident, amount_text = row[id_col].strip(), row[amount_col].strip()
        pledge = lookup.get(ident.casefold())
        if pledge is None:
            problems.append(
                _("Rad %(line)s: ingen med %(what)s \"%(ident)s\" ger via lönen den här månaden.",
                  line=line_no, what=what, ident=ident[:40]))
            continue
        try:
            amount = parse_kronor(amount_text)
        except MoneyError as exc:
            problems.append(_("Rad %(line)s: %(problem)s", line=line_no, problem=exc))
            continue
        if amount < 0:
            problems.append(_("Rad %(line)s: beloppet kan inte vara negativt.", line=line_no))
        elif amount > MAX_MONTHLY_ORE:
            problems.append(_("Rad %(line)s: beloppet är orimligt stort (högst 100 000 kr).", line=line_no))
        elif pledge.id in amounts:
            problems.append(_("Rad %(line)s: %(name)s finns redan på en tidigare rad.",
                                   line=line_no, name=pledge.user.display_name))
        elif pledge.kind == "fixed" and amount != pledge.amount_ore:
            problems.append(_("Rad %(line)s: %(name)s ger ett fast belopp, som inte stämmer med filen.",
                              line=line_no, name=pledge.user.display_name))
        else:
            amounts[pledge.id] = amount
    if problems:
        raise ImportProblems(problems)
    return {pid: amount for pid, amount in amounts.items()
            if next(p for p in pledges if p.id == pid).kind == "permille"}


def permille_text(tenths: int | None) -> str:
    if tenths is None:
        return ""
    whole, rest = divmod(tenths, 10)
    return f"{whole},{rest}" if rest else str(whole)
