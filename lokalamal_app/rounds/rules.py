"""The plain rules of rounds, free of the database: months, overlaps, streaks, ranks."""

from collections.abc import Callable, Iterable, Sequence
from datetime import date, timedelta
from typing import TypeVar

MONTHS = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti",
          "september", "oktober", "november", "december")
OPEN_CAMPAIGN_MONTHS = 12  # monthly rounds generated for a campaign with no last day

T = TypeVar("T")


def month_name(day: date) -> str:
    """A round's name for the month of `day`, in Swedish: "November 2026"."""
    return f"{MONTHS[day.month - 1].capitalize()} {day.year}"


def months_between(first: date, last: date) -> list[tuple[date, date]]:
    """The calendar months from `first` to `last`, each cut to that stretch."""
    found = []
    start = first
    while start <= last:
        following = date(start.year + start.month // 12, start.month % 12 + 1, 1)
        end = min(following - timedelta(days=1), last)
        found.append((start, end))
        start = following
    return found


def overlaps(first: date, last: date, other_first: date, other_last: date) -> bool:
    """Whether two stretches of days (both ends included) share a day."""
    return first <= other_last and other_first <= last


def streak(active: Sequence[bool], last_running: bool) -> int:
    """How many rounds in a row, ending with the latest, the team collected in.

    `active` says, oldest first, for each round that has begun, whether the team has a
    counted collection in it. A running round without one yet does not break the streak
    (the team still has time); an ended round without one does.
    """
    flags = list(active)
    if flags and last_running and not flags[-1]:
        flags.pop()
    count = 0
    for flag in reversed(flags):
        if not flag:
            break
        count += 1
    return count


def ranked(items: Iterable[T], amount: Callable[[T], object],
           ident: Callable[[T], int]) -> list[tuple[int, int, T]]:
    """(rank, position, item), best first: ties share a rank, then the lower id first."""
    ordered = sorted(items, key=lambda item: (-amount(item), ident(item)))
    out = []
    for position, item in enumerate(ordered, start=1):
        rank = out[-1][0] if out and amount(out[-1][2]) == amount(item) else position
        out.append((rank, position, item))
    return out
