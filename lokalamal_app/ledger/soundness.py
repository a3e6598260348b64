"""Is the ledger itself sound? Rules that every entry and every link between entries keep.

Totals recomputed from a broken ledger agree with it: a withdrawn entry that was also
rejected, or a gift received after its reversal was written, nets to the wrong figure and
`ledger-check`'s sums would still match. These checks look at the entries and the figures
kept about them elsewhere (employer match usage, payroll deductions) instead. Each returns
one line in plain Swedish per problem; an empty list is a sound ledger.
"""

from collections import defaultdict

from sqlalchemy.orm import aliased

from ..extensions import db
from ..models import LedgerEntry, MatchUsage, PayrollDeduction
from ..models.ledger import ATTESTED

STATUSES = ("pending", "attested", "received", "rejected")


def entry_problems() -> list[str]:
    """Reversals, corrections and statuses that contradict each other."""
    original = aliased(LedgerEntry)
    problems: list[str] = []
    rows = db.session.execute(
        db.select(LedgerEntry, original)
        .join(original, original.id == LedgerEntry.reverses_id)
        .order_by(LedgerEntry.id)
    ).all()
    for reversal, entry in rows:
        where = f"post {entry.id} (återförd av {reversal.id})"
        if entry.reverses_id is not None:
            problems.append(f"{where}: en återföring är återförd")
        if entry.status == "rejected":
            problems.append(f"{where}: posten är både avvisad och återförd")
        if reversal.status != entry.status:
            problems.append(f"{where}: posten är {entry.status} men återföringen "
                            f"{reversal.status}")
        if reversal.amount_ore != -entry.amount_ore:
            problems.append(f"{where}: återföringen är {reversal.amount_ore} öre, "
                            f"posten {entry.amount_ore} öre")
        same = ("team_id", "company_id", "goal_id", "collected_on", "method", "giver_id")
        for field in same:
            if getattr(reversal, field) != getattr(entry, field):
                problems.append(f"{where}: {field} skiljer sig mellan post och återföring")
    for entry in db.session.execute(
        db.select(LedgerEntry).where(
            (LedgerEntry.status.not_in(STATUSES))
            | ((LedgerEntry.reverses_id.is_(None)) & (LedgerEntry.amount_ore <= 0))
            | ((LedgerEntry.reverses_id.is_not(None)) & (LedgerEntry.amount_ore >= 0))
        ).order_by(LedgerEntry.id)
    ).scalars():
        problems.append(f"post {entry.id}: status {entry.status!r} och belopp "
                        f"{entry.amount_ore} går inte ihop")
    # Received money is on the mission's account: the day and the receipt or bank row say so.
    for entry_id in db.session.execute(
        db.select(LedgerEntry.id).where(
            LedgerEntry.status == "received", LedgerEntry.reverses_id.is_(None),
            (LedgerEntry.received_on.is_(None)) | (LedgerEntry.received_reference == ""),
        ).order_by(LedgerEntry.id)
    ).scalars():
        problems.append(f"post {entry_id}: mottagen utan datum eller referens")
    reversed_ids = _reversed_ids()
    for entry_id, corrects_id in db.session.execute(
        db.select(LedgerEntry.id, LedgerEntry.corrects_id)
        .where(LedgerEntry.corrects_id.is_not(None)).order_by(LedgerEntry.id)
    ):
        if corrects_id not in reversed_ids:
            problems.append(f"post {entry_id} rättar post {corrects_id}, som inte är återförd")
    return problems


def _reversed_ids() -> set[int]:
    return set(db.session.execute(
        db.select(LedgerEntry.reverses_id).where(LedgerEntry.reverses_id.is_not(None))
    ).scalars())


def match_problems() -> list[str]:
    """Every live employer match follows a live, attested (or received) gift of the same
    giver, once;
    each giver's yearly match usage equals the matches the ledger holds."""
    problems: list[str] = []
    reversed_ids = _reversed_ids()
    gift = aliased(LedgerEntry)
    live_per_gift: dict[int, int] = defaultdict(int)
    for match, matched in db.session.execute(
        db.select(LedgerEntry, gift)
        .outerjoin(gift, gift.id == LedgerEntry.matches_id)
        .where(LedgerEntry.method == "match", LedgerEntry.reverses_id.is_(None))
        .order_by(LedgerEntry.id)
    ).all():
        where = f"matchning {match.id}"
        if matched is None:
            problems.append(f"{where}: matchar ingen gåva")
            continue
        if match.giver_id != matched.giver_id:
            problems.append(f"{where}: räknas för en annan person än gåvan {matched.id}")
        if match.id in reversed_ids:
            continue
        live_per_gift[matched.id] += 1
        if matched.id in reversed_ids or matched.status not in ATTESTED:
            problems.append(f"{where}: gåvan {matched.id} räknas inte längre "
                            f"men matchningen gör det")
    for gift_id, count in sorted(live_per_gift.items()):
        if count > 1:
            problems.append(f"gåvan {gift_id} är matchad {count} gånger")
    ledger_usage = _match_usage_from_ledger()
    stored = {
        (u.company_id, u.user_id, u.year): u.matched_ore
        for u in db.session.execute(db.select(MatchUsage)).scalars()
    }
    for key in sorted(set(ledger_usage) | set(stored)):
        want, have = ledger_usage.get(key, 0), stored.get(key, 0)
        if want != have:
            company_id, user_id, y = key
            problems.append(f"matchningstak {company_id}/{user_id}/{y}: lagrat {have}, "
                            f"enligt huvudboken {want} (skillnad {have - want:+d})")
    return problems


def _match_usage_from_ledger() -> dict[tuple[int, int, int], int]:
    """(workplace, giver, year) -> the employer match the ledger holds for it (reversals
    of matches carry the match's giver and a negative sum, so they net out)."""
    year = db.func.extract("year", LedgerEntry.collected_on)
    return {
        (company_id, user_id, int(y)): int(total)
        for company_id, user_id, y, total in db.session.execute(
            db.select(LedgerEntry.company_id, LedgerEntry.giver_id, year,
                      db.func.sum(LedgerEntry.amount_ore))
            .where(LedgerEntry.method == "match", LedgerEntry.giver_id.is_not(None))
            .group_by(LedgerEntry.company_id, LedgerEntry.giver_id, year)
        )
    }


def rebuild_match_usage() -> int:
    """Write each giver's yearly match usage again from the ledger; rows changed."""
    want = _match_usage_from_ledger()
    changed = 0
    for usage in db.session.execute(db.select(MatchUsage)).scalars():
        key = (usage.company_id, usage.user_id, usage.year)
        value = want.pop(key, 0)
        if usage.matched_ore != value:
            usage.matched_ore = value
            changed += 1
    for (company_id, user_id, year), value in want.items():
        if value:
            db.session.add(MatchUsage(company_id=company_id, user_id=user_id, year=year,
                                      matched_ore=value))
            changed += 1
    db.session.flush()
    return changed


def payroll_problems() -> list[str]:
    """Each payroll deduction points at the payroll gift it booked, for the same person
    and sum."""
    problems: list[str] = []
    for deduction, entry in db.session.execute(
        db.select(PayrollDeduction, LedgerEntry)
        .join(LedgerEntry, LedgerEntry.id == PayrollDeduction.entry_id)
        .order_by(PayrollDeduction.id)
    ).all():
        where = f"löneavdrag {deduction.id} ({deduction.month})"
        if entry.method != "payroll" or entry.reverses_id is not None:
            problems.append(f"{where}: pekar på post {entry.id}, som inte är ett löneavdrag")
        if entry.amount_ore != deduction.amount_ore:
            problems.append(f"{where}: {deduction.amount_ore} öre men posten {entry.id} "
                            f"{entry.amount_ore} öre")
        if entry.giver_id != deduction.user_id:
            problems.append(f"{where}: posten {entry.id} räknas för en annan person")
    return problems


def problems() -> list[str]:
    """Everything above, in one list."""
    return entry_problems() + match_problems() + payroll_problems()
