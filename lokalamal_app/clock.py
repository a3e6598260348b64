"""The app's one clock: what time and day it is in Stockholm, whatever the server's zone.

Dates people see and type (a collection's date, "this month", a challenge's days) are
Stockholm dates; stored timestamps stay UTC (`models.base.utcnow`, which reads this clock).
Tests move this clock with `frozen()`, never `date` or the process time zone.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from flask import Flask, current_app, has_app_context

DEFAULT_ZONE = "Europe/Stockholm"

# A moment tests set (aware, any zone); None means the real time.
_frozen_at: datetime | None = None


@lru_cache(maxsize=8)
def _zone_named(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def zone() -> ZoneInfo:
    """The app's time zone (the BABEL_DEFAULT_TIMEZONE setting, Europe/Stockholm)."""
    name = current_app.config.get("BABEL_DEFAULT_TIMEZONE") if has_app_context() else None
    return _zone_named(name or DEFAULT_ZONE)


def init_app(app: Flask) -> None:
    """Look the configured zone up at start, so a misspelt TIMEZONE stops the app at once."""
    _zone_named(app.config.get("BABEL_DEFAULT_TIMEZONE") or DEFAULT_ZONE)


def zone_name() -> str:
    """The zone's IANA name, for the browser to format times in (Intl.DateTimeFormat)."""
    return zone().key


def now() -> datetime:
    """The current moment, aware, in the app's zone."""
    moment = _frozen_at if _frozen_at is not None else datetime.now(UTC)
    return moment.astimezone(zone())


def today() -> date:
    """Today's date in the app's zone (not the server's)."""
    return now().date()


def this_month() -> str:
    """The current month in the app's zone as 'YYYY-MM'."""
    day = today()
    return f"{day.year:04d}-{day.month:02d}"


def local(value: datetime) -> datetime:
    """A stored timestamp in the app's zone; naive values (SQLite) are UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(zone())


@contextmanager
def frozen(moment: datetime) -> Iterator[datetime]:
    """Stop the clock at `moment` (aware) until the block ends; for tests and replays."""
    global _frozen_at
    if moment.tzinfo is None:
        raise ValueError("frozen() needs an aware datetime; say which zone the moment is in")
    previous, _frozen_at = _frozen_at, moment
    try:
        yield moment
    finally:
        _frozen_at = previous
