"""Recomputing every stored figure from the ledger itself, to prove the two agree
(`ledger-check`), and writing them again from the ledger where they do not (`ledger-rebuild`).

The stored totals (Tally) are one derived figure; features with figures of their own
(challenge totals, employer matching, ...) add theirs with `register()`, called from
`create_app()` so that the list of what is checked is in one place.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import bindparam, text

from .. import campaigns
from ..extensions import db
from ..models import LedgerEntry, Tally
from ..models.base import utcnow
from . import totals

FIELDS = (*totals.MONEY_FIELDS, "entry_count")

# Name -> (differences, rebuild or None), in the order registered.
_registry: dict[str, tuple[Callable[[], list[str]], Callable[[], int] | None]] = {}


def register(name: str, differences: Callable[[], list[str]],
             rebuild: Callable[[], int] | None = None) -> None:
    """Add a derived figure to ledger-check (and ledger-rebuild): `differences()` returns one
    human-readable line per stored figure that disagrees with the ledger; `rebuild()` rewrites
    them from the ledger and returns how many rows it changed. Registering a name again replaces it."""
    _registry[name] = (differences, rebuild)


def registered() -> list[str]:
    """The names of the derived figures that are checked, in the order registered."""
    return list(_registry)


def all_differences() -> list[str]:
    """One line per stored figure that disagrees with the ledger: the tallies' own
    differences (registered as "tally" by create_app) plus every other registered check."""
    lines: list[str] = []
    for differences_of, _rebuild in _registry.values():
        lines.extend(differences_of())
    return lines


def rebuild_all() -> dict[str, int]:
    """Run every registered rebuild in the caller's transaction; rows changed per name.
    Lock the ledger first (`lock_ledger`) so that nothing moves while it runs."""
    changed = {name: rebuild() for name, (_diff, rebuild) in _registry.items() if rebuild}
    if any(changed.values()):
        totals.bump_board_version()
    return changed


def lock_ledger() -> None:
    """Keep ledger writes out until the caller's transaction ends, and read a ledger that
    no one is writing to: on PostgreSQL a SHARE lock (waits for open writers, blocks new
    ones, lets readers be); on SQLite a first write, which takes the database's one write
    lock before anything is read."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("LOCK TABLE ledger_entry IN SHARE MODE"))
    else:
        db.session.execute(text("UPDATE board_version SET version = version WHERE id = 1"))


# --- The stored totals (Tally) --------------------------------------------------------

@dataclass(frozen=True)
class Difference:
    subject: str
    subject_id: int
    period: str
    field: str
    stored: int
    expected: int

    def __str__(self) -> str:
        return (f"{self.subject} {self.subject_id} {self.period} {self.field}: "
                f"lagrat {self.stored}, enligt huvudboken {self.expected} "
                f"(skillnad {self.stored - self.expected:+d})")


def expected_totals() -> dict[tuple[str, int, str], dict[str, int]]:
    """Every total as the ledger says it should be, computed from the entries alone.

    Reported, attested and received money count as `totals.counted` says; an
    entry counts once (reversals do not add to the count). The campaigns are read from
    the database, not this process's copy. Streams the ledger in batches.
    """
    campaign_list = campaigns.load()
    result: dict[tuple[str, int, str], dict[str, int]] = defaultdict(
        lambda: dict.fromkeys(FIELDS, 0)
    )
    stmt = db.select(
        LedgerEntry.team_id, LedgerEntry.company_id, LedgerEntry.goal_id,
        LedgerEntry.amount_ore, LedgerEntry.collected_on, LedgerEntry.method,
        LedgerEntry.status, LedgerEntry.reverses_id,
    ).execution_options(yield_per=1000)
    periods_by_day: dict = {}
    for row in db.session.execute(stmt):
        money = dict(zip(("reported_ore", "attested_ore", "received_ore"),
                         totals.counted(row.status, row.amount_ore), strict=True))
        is_match = row.method == "match"
        count = 1 if row.reverses_id is None else 0
        periods = periods_by_day.get(row.collected_on)
        if periods is None:
            periods = totals.periods_for(row.collected_on, campaign_list)
            periods_by_day[row.collected_on] = periods
        for subject, subject_id in totals.subjects_for(row):
            for period in periods:
                figures = result[(subject, subject_id, period)]
                for name, amount in money.items():
                    figures[name] += amount
                    if is_match:
                        figures["match_" + name] += amount
                figures["entry_count"] += count
    return result


_TALLY = Tally.__table__


def _stored_tallies():
    return db.session.execute(
        db.select(_TALLY.c.id, _TALLY.c.subject, _TALLY.c.subject_id, _TALLY.c.period,
                  *(_TALLY.c[field] for field in FIELDS))
    ).all()


def differences() -> list[Difference]:
    """Each stored figure that does not equal what the ledger says, in a stable order."""
    expected = expected_totals()
    found: list[Difference] = []
    seen = set()
    for tally in _stored_tallies():
        key = (tally.subject, tally.subject_id, tally.period)
        seen.add(key)
        want = expected.get(key, dict.fromkeys(FIELDS, 0))
        for field in FIELDS:
            stored = getattr(tally, field) or 0
            if stored != want[field]:
                found.append(Difference(*key, field, stored, want[field]))
    for key, want in expected.items():
        if key in seen:
            continue
        for field in FIELDS:
            if want[field]:
                found.append(Difference(*key, field, 0, want[field]))
    return sorted(found, key=lambda d: (d.subject, d.subject_id, d.period, d.field))


def tally_differences() -> list[str]:
    """The stored totals' differences as lines for ledger-check."""
    return [str(difference) for difference in differences()]


def rebuild_tallies() -> int:
    """Write every stored total that disagrees with the ledger as the ledger says it should
    be (update, insert or delete); how many rows changed. Figures that agree are left
    alone, and so is their `changed_at` (it breaks ties on the boards)."""
    expected = expected_totals()
    updates, deletes, seen = [], [], set()
    for tally in _stored_tallies():
        key = (tally.subject, tally.subject_id, tally.period)
        seen.add(key)
        want = expected.get(key)
        stored = {field: getattr(tally, field) or 0 for field in FIELDS}
        if want is None:
            if any(stored.values()):
                deletes.append(tally.id)
        elif stored != want:
            updates.append({"row_id": tally.id, **want})
    now = utcnow()
    inserts = [
        {"subject": key[0], "subject_id": key[1], "period": key[2], **want, "changed_at": now}
        for key, want in expected.items()
        if key not in seen and any(want.values())
    ]
    if updates:
        db.session.execute(
            _TALLY.update().where(_TALLY.c.id == bindparam("row_id"))
            .values({field: bindparam(field) for field in FIELDS}),
            updates,
        )
    if deletes:
        db.session.execute(_TALLY.delete().where(_TALLY.c.id.in_(deletes)))
    if inserts:
        db.session.execute(_TALLY.insert(), inserts)
    return len(updates) + len(deletes) + len(inserts)
