"""The ledger check: every stored total equals the sum of its ledger entries."""

from dataclasses import dataclass

from sqlalchemy import case, func

from ..extensions import db
from ..ledger.totals import PERIOD_ALL
from ..models import LedgerEntry, Tally


@dataclass(frozen=True)
class Mismatch:
    subject: str
    subject_id: int
    stored: tuple[int, int]  # reported, verified
    ledger: tuple[int, int]

    def __str__(self) -> str:
        return (
            f"{self.subject} {self.subject_id}: sparat {self.stored[0]}/{self.stored[1]} öre, "
            f"i huvudboken {self.ledger[0]}/{self.ledger[1]} öre (rapporterat/verifierat)"
        )


def _ledger_sums(column) -> dict[int, tuple[int, int]]:
    reported = func.sum(
        case((LedgerEntry.status.in_(("pending", "verified")), LedgerEntry.amount_ore), else_=0)
    )
    verified = func.sum(
        case((LedgerEntry.status == "verified", LedgerEntry.amount_ore), else_=0)
    )
    rows = db.session.execute(db.select(column, reported, verified).group_by(column))
    return {key: (int(r or 0), int(v or 0)) for key, r, v in rows}


def mismatches() -> list[Mismatch]:
    """Teams, workplaces and goals (all time) whose stored totals differ from the ledger."""
    problems = []
    for subject, column in (
        ("team", LedgerEntry.team_id),
        ("company", LedgerEntry.company_id),
        ("goal", LedgerEntry.goal_id),
    ):
        sums = _ledger_sums(column)
        stored = {
            row.subject_id: (row.reported_ore, row.verified_ore)
            for row in db.session.execute(
                db.select(Tally).where(Tally.subject == subject, Tally.period == PERIOD_ALL)
            ).scalars()
        }
        for key in sorted(set(sums) | set(stored)):
            have, want = stored.get(key, (0, 0)), sums.get(key, (0, 0))
            if have != want:
                problems.append(Mismatch(subject, key, have, want))
    return problems


def checked_subjects() -> int:
    """How many stored team, workplace and goal totals there are (for the command's report)."""
    return db.session.execute(
        db.select(func.count(Tally.id)).where(
            Tally.subject.in_(("team", "company", "goal")), Tally.period == PERIOD_ALL
        )
    ).scalar_one()
