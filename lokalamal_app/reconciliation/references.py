"""Payment references: the number a payer writes (bankgiro OCR field, Swish message) so the
mission can tell which team a payment is for; and the mission's bankgiro number.

A team's reference is PREFIX, the team id (at least two digits) and a Luhn check digit:
team 5 is "7054", team 123 "71233" (the check digit makes a mistyped digit show). It is
computed from the id, so it never changes and needs no column. `team_ids_in` finds
references in a free text (a Swish message, a bank row's text), spaces and hyphens inside
the number allowed ("705 4", "70-54").
"""

import re

from flask_babel import gettext as _
from stdnum import luhn

PREFIX = "7"
# A payroll run's transfer: "8", the run id (at least two digits) and a check digit. The
# prefix differs from a team's, so neither is ever read as the other.
PAYROLL_PREFIX = "8"
# A digit, then digits each after at most one space or hyphen: how people write a number.
_NUMBER_RUN = re.compile(r"(?<![0-9])[0-9](?:[ \-]?[0-9])*(?![0-9])")
# Longest reference looked at when joining groups of a run (prefix, a 12-digit id, check).
_MAX_DIGITS = 14


class BankgiroError(ValueError):
    """Not a bankgiro number; the message is Swedish."""


def payment_reference(team_id: int) -> str:
    """The team's payment reference, e.g. 5 -> "7054"."""
    if team_id < 1:
        raise ValueError("team ids start at 1")
    body = PREFIX + str(team_id).zfill(2)
    return body + luhn.calc_check_digit(body)


def team_id_for(reference: str) -> int | None:
    """The team id a reference stands for ("7054", "705 4" -> 5), or None when it is none."""
    digits = re.sub(r"[\s\-]", "", reference or "")
    if not digits.isascii() or not digits.isdigit() or len(digits) < 4:
        return None
    if not digits.startswith(PREFIX) or not luhn.is_valid(digits):
        return None
    middle = digits[len(PREFIX):-1]
    team_id = int(middle)
    # Only the one way of writing it: "70054" is not team 5 with a stray zero.
    if team_id < 1 or str(team_id).zfill(2) != middle:
        return None
    return team_id


def payroll_reference(run_id: int) -> str:
    """The OCR reference an employer pays a payroll run's gifts with, e.g. 5 -> "8053"."""
    if run_id < 1:
        raise ValueError("run ids start at 1")
    body = PAYROLL_PREFIX + str(run_id).zfill(2)
    return body + luhn.calc_check_digit(body)


def payroll_run_id_for(reference: str) -> int | None:
    """The payroll run id a reference stands for ("8053" -> 5), or None when it is none."""
    digits = re.sub(r"[\s\-]", "", reference or "")
    if not digits.isascii() or not digits.isdigit() or len(digits) < 4:
        return None
    if not digits.startswith(PAYROLL_PREFIX) or not luhn.is_valid(digits):
        return None
    middle = digits[len(PAYROLL_PREFIX):-1]
    run_id = int(middle)
    if run_id < 1 or str(run_id).zfill(2) != middle:
        return None
    return run_id


def team_ids_in(text: str) -> list[int]:
    """Team ids of every reference in a free text, in order of appearance, each once."""
    return _ids_in(text, team_id_for)


def payroll_run_ids_in(text: str) -> list[int]:
    """Payroll run ids of every payroll reference in a free text, each once."""
    return _ids_in(text, payroll_run_id_for)


def _ids_in(text: str, id_for) -> list[int]:
    found: list[int] = []
    for run in _NUMBER_RUN.finditer(text or ""):
        groups = re.split(r"[ \-]", run.group())
        # A reference may be one group or several written apart: try each stretch of groups,
        # and where stretches overlap keep the longest ("76 7100c" is team 67100, even if
        # "7100c" alone would read as team 100).
        candidates = []
        for first in range(len(groups)):
            joined = ""
            for last in range(first, len(groups)):
                joined += groups[last]
                if len(joined) > _MAX_DIGITS:
                    break
                ident = id_for(joined)
                if ident is not None:
                    candidates.append((first, last, ident))
        taken: set[int] = set()
        chosen = []
        for first, last, ident in sorted(candidates, key=lambda c: (c[0] - c[1], c[0])):
            span = set(range(first, last + 1))
            if not span & taken:
                taken |= span
                chosen.append((first, ident))
        for _start, ident in sorted(chosen):
            if ident not in found:
                found.append(ident)
    return found


def clean_bankgiro(text: str) -> str:
    """"123-4566" -> "1234566"; raises BankgiroError when it is not a bankgiro number."""
    digits = re.sub(r"[\s\-]", "", text or "")
    if not digits.isascii() or not digits.isdigit() or not 7 <= len(digits) <= 8:
        raise BankgiroError(_("Ett bankgironummer har 7 eller 8 siffror, till exempel 123-4566."))
    if not luhn.is_valid(digits):
        raise BankgiroError(_("Bankgironumret stämmer inte (kontrollsiffran är fel). "
                                "Titta efter skrivfel."))
    return digits


def format_bankgiro(digits: str) -> str:
    """"1234566" -> "123-4566", "12345674" -> "1234-5674"."""
    return f"{digits[:-4]}-{digits[-4:]}" if digits else ""
