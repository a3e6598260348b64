"""Swedish organisation numbers: ten digits, the last a Luhn check digit; also written with
the century prefix 16 (16556036-0793), which is understood and stored as the ten digits."""

import re

from flask_babel import gettext as _


class OrgNumberError(ValueError):
    pass


def luhn_check_digit(digits: str) -> int:
    total = 0
    for i, ch in enumerate(digits):
        n = int(ch) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return (10 - total % 10) % 10


def parse_org_number(text: str) -> str:
    """"556036-0793", "5560360793", "16556036-0793" or "165560360793" -> "5560360793";
    raises OrgNumberError (Swedish unless a request chose English)."""
    cleaned = re.sub(r"[\s-]", "", text or "")
    if re.fullmatch(r"16\d{10}", cleaned):
        cleaned = cleaned[2:]  # the century prefix organisations carry in the 12-digit form
    if not re.fullmatch(r"\d{10}", cleaned):
        raise OrgNumberError(
            _("Organisationsnumret ska ha tio siffror, till exempel 556036-0793 "
              "(eller tolv med 16 först).")
        )
    if luhn_check_digit(cleaned[:9]) != int(cleaned[9]):
        raise OrgNumberError(_("Organisationsnumret stämmer inte: kontrollsiffran är fel."))
    return cleaned


def format_org_number(digits: str | None) -> str:
    """"5560360793" -> "556036-0793"."""
    return f"{digits[:6]}-{digits[6:]}" if digits and len(digits) == 10 else (digits or "")
