"""Money as whole öre in integers: parsing what people type and showing it Swedish style."""

import re
from decimal import Decimal, InvalidOperation

from babel.numbers import format_decimal
from flask_babel import gettext as _


class MoneyError(ValueError):
    """The text is not an amount; the message is fit for the user.

    Translated when raised: Swedish, or English in a request that chose it.
    """


_SPACES = re.compile(r"[\s\u00a0\u202f']")
_SUFFIX = re.compile(r"(kr|kronor|sek|:-)$", re.IGNORECASE)


def parse_kronor(text: str) -> int:
    """Parse "1 250,50", "1250.50", "1 250 kr" or "1250:-" into öre (125050).

    Never goes through float. Allows at most two decimals; a single comma or dot is the
    decimal separator, spaces group thousands.
    """
    if text is None:
        raise MoneyError(_("Skriv ett belopp."))
    cleaned = _SPACES.sub("", str(text))
    cleaned = _SUFFIX.sub("", cleaned.strip())
    cleaned = _SPACES.sub("", cleaned)
    if not cleaned:
        raise MoneyError(_("Skriv ett belopp."))
    if cleaned.count(",") + cleaned.count(".") > 1:
        raise MoneyError(
            _("Skriv beloppet med högst ett decimaltecken, till exempel 1 250,50.")
        )
    cleaned = cleaned.replace(",", ".")
    if not re.fullmatch(r"-?[0-9]+(\.[0-9]*)?|-?\.[0-9]+", cleaned):  # ASCII: "٣" is a \d too
        raise MoneyError(
            _("Beloppet ska vara ett tal i kronor, till exempel 250 eller 1 250,50.")
        )
    try:
        value = Decimal(cleaned)
    except InvalidOperation as exc:  # pragma: no cover - the regex above already guards
        raise MoneyError(_("Beloppet ska vara ett tal i kronor.")) from exc
    if value != value.quantize(Decimal("0.01")):
        raise MoneyError(_("Beloppet kan ha högst två decimaler (hela ören)."))
    return int(value * 100)


def format_ore(ore: int | None, *, decimals: bool | None = None, locale: str = "sv_SE") -> str:
    """125050 -> "1 250,50 kr"; 1234500 -> "12 345 kr" (decimals only when there are öre)."""
    ore = ore or 0
    kronor = Decimal(ore) / 100
    if decimals is None:
        decimals = ore % 100 != 0
    pattern = "#,##0.00" if decimals else "#,##0"
    return f"{format_decimal(kronor, format=pattern, locale=locale)}\u00a0kr"


def plain_kronor(ore: int, *, always_decimals: bool = False) -> str:
    """Öre as a plain number of kronor with a decimal comma and no grouping, the one way
    the app writes amounts for machines and forms: 125050 -> "1250,50", 50000 -> "500"
    (or "500,00" with `always_decimals`), -5000 -> "-50"."""
    kronor, rest = divmod(abs(ore), 100)
    sign = "-" if ore < 0 else ""
    if rest == 0 and not always_decimals:
        return f"{sign}{kronor}"
    return f"{sign}{kronor},{rest:02d}"


def ore_to_input(ore: int | None) -> str:
    """Öre as people type it back into a form: 125050 -> "1250,50", 50000 -> "500"."""
    return "" if ore is None else plain_kronor(ore)
