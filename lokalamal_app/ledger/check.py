"""Recomputing every stored total from the ledger itself, to prove the two agree."""

from collections import defaultdict
from dataclasses import dataclass

from ..extensions import db
from ..models import LedgerEntry, Tally
from . import totals

FIELDS = ("reported_ore", "verified_ore", "match_reported_ore", "match_verified_ore",
          "entry_count")


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

    Reported money is what is pending or verified, verified money what is verified; an
    entry counts once (reversals do not add to the count). Streams the ledger in batches.
    """
    result: dict[tuple[str, int, str], dict[str, int]] = defaultdict(
        lambda: dict.fromkeys(FIELDS, 0)
    )
    stmt = db.select(
        LedgerEntry.team_id, LedgerEntry.company_id, LedgerEntry.goal_id,
        LedgerEntry.amount_ore, LedgerEntry.collected_on, LedgerEntry.method,
        LedgerEntry.status, LedgerEntry.reverses_id,
    ).execution_options(yield_per=1000)
    for row in db.session.execute(stmt):
        reported = row.amount_ore if row.status in ("pending", "verified") else 0
        verified = row.amount_ore if row.status == "verified" else 0
        is_match = row.method == "match"
        count = 1 if row.reverses_id is None else 0
        subjects = totals.subjects_for(row)
        for subject, subject_id in subjects:
            for period in totals.periods_for(row.collected_on):
                figures = result[(subject, subject_id, period)]
                figures["reported_ore"] += reported
                figures["verified_ore"] += verified
                figures["match_reported_ore"] += reported if is_match else 0
                figures["match_verified_ore"] += verified if is_match else 0
                figures["entry_count"] += count
    return result


def differences() -> list[Difference]:
    """Each stored figure that does not equal what the ledger says, in a stable order."""
    expected = expected_totals()
    found: list[Difference] = []
    seen = set()
    for tally in db.session.execute(db.select(Tally)).scalars():
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
