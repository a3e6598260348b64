"""Payroll months as "YYYY-MM" strings, which sort in time order."""

import re
from datetime import date

from .. import clock

MONTH_NAMES = [
    "januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september",
    "oktober", "november", "december",
]
_MONTH = re.compile(r"^([0-9]{4})-(0[1-9]|1[0-2])$")


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def is_month(text: str) -> bool:
    """A "YYYY-MM" from 2000 to two years ahead (forms say why with DateInRange)."""
    return bool(text) and bool(_MONTH.fullmatch(text)) and \
        2000 <= int(text[:4]) <= clock.today().year + 2


def next_month(month: str) -> str:
    year, m = int(month[:4]), int(month[5:])
    return f"{year + 1:04d}-01" if m == 12 else f"{year:04d}-{m + 1:02d}"


def previous_month(month: str) -> str:
    year, m = int(month[:4]), int(month[5:])
    return f"{year - 1:04d}-12" if m == 1 else f"{year:04d}-{m - 1:02d}"


def pay_day(month: str, closing_day: int) -> date:
    """The day a month's deduction is booked: the payroll's closing day (28th at most)."""
    return date(int(month[:4]), int(month[5:]), min(max(closing_day, 1), 28))


def label(month: str) -> str:
    """"2026-09" -> "september 2026"."""
    return f"{MONTH_NAMES[int(month[5:]) - 1]} {month[:4]}"


def display(month: str) -> str:
    """A month for people to read, in the page's language: "september 2026" / "September 2026".

    `label` stays Swedish for what is stored or exported (ledger notes, CSV files).
    """
    from flask_babel import format_date

    return format_date(date(int(month[:4]), int(month[5:]), 1), "LLLL y")
