"""Template filters: money, dates and times shown the Swedish way."""

from datetime import date, datetime

from flask import Flask
from flask_babel import LazyString, format_date, format_datetime, get_locale

from . import clock
from .money import format_ore


def _locale_code() -> str:
    return "sv_SE" if str(get_locale()).startswith("sv") else "en_GB"


def kronor(ore: int | None, decimals: bool | None = None) -> str:
    return format_ore(ore, decimals=decimals, locale=_locale_code())


def swedish_date(value: date | datetime | None, fmt: str = "medium") -> str:
    """26 nov. 2026; a timestamp gives its Stockholm date."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = clock.local(value)
    return format_date(value, fmt, rebase=False)


def swedish_datetime(value: datetime | None, fmt: str = "d MMM yyyy HH:mm") -> str:
    """26 nov. 2026 14:05, in Stockholm time (stored timestamps are UTC)."""
    if value is None:
        return ""
    return format_datetime(clock.local(value), fmt, rebase=False)


def _day(value: date) -> str:
    fmt = "d MMMM" if value.year == clock.today().year else "d MMMM y"
    return format_date(value, fmt, rebase=False)


def day_text(value: date) -> LazyString:
    """A date as people write it in a sentence, in the language the sentence is finally
    rendered in (a notification: its recipient's): "30 november", "30 November",
    with the year when it is not this year ("30 november 2025"). Never ISO."""
    return LazyString(_day, value)


def period_text(first: date, last: date) -> LazyString:
    """Two dates as a period in a sentence: "30 november – 9 december"."""
    return LazyString(lambda: f"{_day(first)} – {_day(last)}")


def init_app(app: Flask) -> None:
    app.add_template_filter(kronor)
    app.add_template_filter(swedish_date, "date")
    app.add_template_filter(swedish_datetime, "datetime")
