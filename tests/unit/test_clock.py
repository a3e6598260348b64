"""The one clock: Stockholm's date and time whatever the server's zone, across DST changes,
and no code outside the clock asks the server for the date."""

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from lokalamal_app import clock
from lokalamal_app.formatting import swedish_date, swedish_datetime
from lokalamal_app.leaderboards.routes import board_time
from lokalamal_app.models.base import utcnow

APP_DIR = Path(__file__).resolve().parents[2] / "lokalamal_app"
JS_DIR = Path(__file__).resolve().parents[2] / "static" / "js"


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_half_past_eleven_utc_on_30_november_is_already_1_december_in_stockholm(
        freeze_clock, far_server_zone):
    freeze_clock(utc(2026, 11, 30, 23, 30))
    assert clock.today() == date(2026, 12, 1)
    assert clock.this_month() == "2026-12"
    assert (clock.now().hour, clock.now().minute) == (0, 30)
    assert clock.now().utcoffset().total_seconds() == 3600


@pytest.mark.parametrize("moment, day, month, shown", [
    # Spring: 29 March 2026 at 01:00 UTC the clocks jump from 02:00 to 03:00.
    (utc(2026, 3, 29, 0, 59), date(2026, 3, 29), "2026-03", "01:59"),
    (utc(2026, 3, 29, 1, 0), date(2026, 3, 29), "2026-03", "03:00"),
    # After the spring change midnight is at 22:00 UTC: a fixed +1 hour would say 31 March.
    (utc(2026, 3, 31, 22, 30), date(2026, 4, 1), "2026-04", "00:30"),
    (utc(2026, 3, 31, 21, 59), date(2026, 3, 31), "2026-03", "23:59"),
    # Autumn: 25 October 2026 at 01:00 UTC the hour 02:00-03:00 is lived twice.
    (utc(2026, 10, 25, 0, 30), date(2026, 10, 25), "2026-10", "02:30"),
    (utc(2026, 10, 25, 1, 30), date(2026, 10, 25), "2026-10", "02:30"),
    # After the autumn change midnight is at 23:00 UTC again.
    (utc(2026, 10, 31, 22, 30), date(2026, 10, 31), "2026-10", "23:30"),
    (utc(2026, 10, 31, 23, 30), date(2026, 11, 1), "2026-11", "00:30"),
])
def test_the_date_month_and_shown_time_follow_stockholm_across_summer_time(
        app_ctx, freeze_clock, far_server_zone, moment, day, month, shown):
    freeze_clock(moment)
    assert clock.today() == day
    assert clock.this_month() == month
    assert board_time(utcnow()) == shown


def test_stored_timestamps_stay_utc_and_follow_the_frozen_clock(freeze_clock):
    freeze_clock(utc(2026, 11, 30, 23, 30))
    assert utcnow() == utc(2026, 11, 30, 23, 30)
    assert utcnow().utcoffset().total_seconds() == 0


def test_the_clock_refuses_a_moment_without_a_zone():
    with pytest.raises(ValueError):
        with clock.frozen(datetime(2026, 11, 30, 23, 30)):
            pass


def test_the_clock_runs_again_when_the_frozen_block_ends():
    with clock.frozen(utc(2000, 1, 1)):
        assert clock.today() == date(2000, 1, 1)
    assert clock.today().year > 2000


def test_stored_times_are_shown_in_stockholm_time(app, far_server_zone):
    late = utc(2026, 11, 30, 23, 30)
    with app.test_request_context():
        assert swedish_datetime(late) == "1 dec. 2026 00:30"
        # SQLite gives stored times back without a zone; they are UTC.
        assert swedish_datetime(late.replace(tzinfo=None)) == "1 dec. 2026 00:30"
        assert swedish_date(late) == "1 dec. 2026"
        assert swedish_date(date(2026, 11, 30)) == "30 nov. 2026"
        assert board_time(utc(2026, 7, 1, 12, 0)) == "14:00"


# --- the guard: nothing but the clock reads the server's date or local time ------------------

FORBIDDEN = [
    (re.compile(r"\bdate\.today\("), "date.today()"),
    (re.compile(r"\bdatetime\.today\("), "datetime.today()"),
    (re.compile(r"\bdatetime\.now\(\s*\)"), "datetime.now() without a zone"),
    (re.compile(r"\bdatetime\.utcnow\("), "datetime.utcnow()"),
    (re.compile(r"\butcfromtimestamp\("), "datetime.utcfromtimestamp()"),
    (re.compile(r"\btime\.(localtime|ctime)\("), "the process's local time"),
    (re.compile(r"\bfromtimestamp\([^,()]*\)"), "fromtimestamp() without a zone"),
]


def _offences(root: Path, patterns, skip=()) -> list[str]:
    found = []
    for path in sorted(root.rglob("*")):
        if path.suffix not in (".py", ".js") or path.name in skip or "vendor" in path.parts:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for pattern, what in patterns:
                if pattern.search(line):
                    found.append(f"{path.relative_to(root.parent)}:{number}: {what}: "
                                 f"{line.strip()}")
    return found


def test_only_the_clock_asks_for_the_date_or_the_time():
    offences = _offences(APP_DIR, FORBIDDEN, skip={"clock.py"})
    assert not offences, "use lokalamal_app.clock instead:\n" + "\n".join(offences)


def test_browser_code_formats_times_in_the_apps_zone_not_the_devices():
    device_local = [
        (re.compile(r"\.get(Hours|Minutes|Date|Day|Month|FullYear)\("), "device-local getter"),
        (re.compile(r"toLocale(Time|Date)?String\((?![^)]*timeZone)"), "toLocale*String "
         "without timeZone"),
    ]
    offences = _offences(JS_DIR, device_local)
    assert not offences, "format with {timeZone: <body data-time-zone>}:\n" + "\n".join(offences)


def test_a_misspelt_time_zone_stops_the_app_at_start():
    from zoneinfo import ZoneInfoNotFoundError

    from tests.conftest import build_app

    with pytest.raises(ZoneInfoNotFoundError):
        build_app(BABEL_DEFAULT_TIMEZONE="Europe/Stokholm")
