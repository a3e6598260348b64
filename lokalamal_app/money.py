"""Money as whole öre in integers: parsing what people type and showing it Swedish style."""

import re
from decimal import Decimal

from babel.numbers import format_decimal
from flask_babel import gettext as _


class MoneyError(ValueError):
    """The text is not an amount; the message is fit for the user.

    Translated when raised: Swedish, or English in a request that chose it.
    """


# What may stand between groups of three digits ("1 250", "1\u00a0250", "1'250").
_GROUP_MARK = " \u00a0\u202f\u2009'"
_SPACES = re.compile(r"[\s']")
_GROUPED = re.compile(rf"[0-9]{{1,3}}(?:[{_GROUP_MARK}][0-9]{{3}})+(?:[.,][0-9]*)?")
_SUFFIX = re.compile(r"\s*(kr|kronor|sek|:-)$", re.IGNORECASE)
_AROUND_SEPARATOR = re.compile(r"[ \u00a0\u202f\u2009]*([.,])[ \u00a0\u202f\u2009]*")
_NUMBER = re.compile(r"[0-9.,]+")  # ASCII digits only: "٣" is a \d too
_LEADING_GROUP = re.compile(r"[1-9][0-9]{0,2}")


class AmbiguousAmount(MoneyError):
    """One separator followed by exactly three digits: "1,250" may be 1 250 kr or 1,25 kr.

    The form asks instead of guessing; `readings` holds the possible amounts in öre.
    """

    def __init__(self, message: str, readings: tuple[int, ...]):
        super().__init__(message)
        self.readings = readings


def _is_english(locale: str | None) -> bool:
    return str(locale or "sv").lower().startswith("en")


def _grouped(integer: str, separator: str) -> str:
    """Digits grouped in thousands by `separator` ("1.250.000") -> "1250000", else an error."""
    head, *rest = integer.split(separator)
    if not _LEADING_GROUP.fullmatch(head) or any(
        len(group) != 3 or not group.isdigit() for group in rest
    ):
        raise MoneyError(
            _("Skriv beloppet med högst ett decimaltecken, till exempel 1 250,50.")
        )
    return head + "".join(rest)


def _ambiguous(before: str, after: str, sign: str, locale: str | None) -> AmbiguousAmount:
    """The question to ask about "1,250": thousands, or kronor and öre."""
    babel_locale = "en" if _is_english(locale) else "sv_SE"

    def typed(ore: int, *, always_decimals: bool = False) -> str:
        written = plain_kronor(ore, always_decimals=always_decimals)
        return written.replace(",", ".") if _is_english(locale) else written

    thousands = int(sign + before + after) * 100
    as_decimal = Decimal(f"{sign}{before}.{after}")
    if as_decimal == as_decimal.quantize(Decimal("0.01")):
        decimal_ore = int(as_decimal * 100)
        return AmbiguousAmount(
            _("Menar du %(thousands)s eller %(decimal)s? Skriv %(thousands_input)s eller "
              "%(decimal_input)s.",
              thousands=format_ore(thousands, locale=babel_locale),
              decimal=format_ore(decimal_ore, decimals=True, locale=babel_locale),
              thousands_input=typed(thousands),
              decimal_input=typed(decimal_ore, always_decimals=True)),
            (thousands, decimal_ore),
        )
    # "1,234" as kronor and öre would have three decimals: only the thousands make sense,
    # but it may as well be a slip of the finger, so still ask.
    return AmbiguousAmount(
        _("Menar du %(thousands)s? Skriv då %(thousands_input)s (ett belopp har högst två "
          "decimaler).",
          thousands=format_ore(thousands, locale=babel_locale),
          thousands_input=typed(thousands)),
        (thousands,),
    )


def parse_kronor(text: str, *, locale: str | None = None) -> int:
    """Parse what people type ("1 250,50", "1250.50", "1 250 kr", "1250:-") into öre.

    Never goes through float. Spaces (or apostrophes) group thousands, and only them. A comma or dot followed by one or
    two digits is the decimal separator. With both kinds ("1.250,50", "1,250.50") the
    last one is the decimal separator and the other groups thousands; one kind written
    more than once ("1.250.000") groups thousands. A single comma or dot followed by
    exactly three digits ("1,250", "1.250") is ambiguous and raises AmbiguousAmount, which
    asks the person which they meant; in English (`locale` "en") a comma followed by three
    digits groups thousands, as English readers expect ("1,250" is 1 250 kr), while
    "1.250" is still asked about. Files and commands parse with the default, Swedish.
    """
    if text is None:
        raise MoneyError(_("Skriv ett belopp."))
    cleaned = _SUFFIX.sub("", str(text).strip()).replace("\u2212", "-")  # Babel's minus
    if not cleaned:
        raise MoneyError(_("Skriv ett belopp."))
    sign = ""
    if cleaned.startswith("-"):
        sign, cleaned = "-", cleaned[1:].lstrip()
    cleaned = _AROUND_SEPARATOR.sub(r"\1", cleaned)  # "1 , 250" is "1,250"
    if _SPACES.search(cleaned):
        # Only between thousands: "12 34" or "12\n34" is not 1 234 kr said another way.
        if not _GROUPED.fullmatch(cleaned):
            raise MoneyError(_("Mellanslag får bara dela upp tusental, till exempel 1 250 "
                               "eller 12 345,50."))
        cleaned = _SPACES.sub("", cleaned)
    if not _NUMBER.fullmatch(cleaned) or not any(ch.isdigit() for ch in cleaned):
        raise MoneyError(
            _("Beloppet ska vara ett tal i kronor, till exempel 250 eller 1 250,50.")
        )
    integer, fraction = _split(cleaned, locale)
    if not integer and not fraction:
        raise MoneyError(
            _("Beloppet ska vara ett tal i kronor, till exempel 250 eller 1 250,50.")
        )
    single_separator = cleaned.count(",") + cleaned.count(".") == 1
    if (single_separator and fraction is not None and len(fraction) == 3
            and _LEADING_GROUP.fullmatch(integer)):
        raise _ambiguous(integer, fraction, sign, locale)
    # Whole numbers only, however many digits: Decimal's arithmetic stops at 28 of them.
    fraction = fraction or ""
    if fraction[2:].strip("0"):
        raise MoneyError(_("Beloppet kan ha högst två decimaler (hela ören)."))
    ore = int(integer or "0") * 100 + int(fraction[:2].ljust(2, "0"))
    return -ore if sign else ore


def _split(cleaned: str, locale: str | None) -> tuple[str, str | None]:
    """Digits with separators -> (integer digits, decimal digits or None)."""
    commas, dots = cleaned.count(","), cleaned.count(".")
    if not commas and not dots:
        return cleaned, None
    if commas and dots:
        decimal_sep = "," if cleaned.rfind(",") > cleaned.rfind(".") else "."
        group_sep = "." if decimal_sep == "," else ","
        integer, _sep, fraction = cleaned.rpartition(decimal_sep)
        if decimal_sep in integer:
            raise MoneyError(
                _("Skriv beloppet med högst ett decimaltecken, till exempel 1 250,50.")
            )
        return _grouped(integer, group_sep), fraction
    separator = "," if commas else "."
    if commas + dots > 1:
        return _grouped(cleaned, separator), None
    integer, _sep, fraction = cleaned.partition(separator)
    if (_is_english(locale) and separator == "," and len(fraction) == 3
            and _LEADING_GROUP.fullmatch(integer)):
        return integer + fraction, None  # English: "1,250" is one thousand two hundred fifty
    return integer, fraction


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
