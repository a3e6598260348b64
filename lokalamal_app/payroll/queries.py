"""Reads for the payroll pages: a few queries each, no N+1."""

import json

from sqlalchemy.orm import joinedload

from ..extensions import db
from ..goals.queries import all_goals as goals  # noqa: F401  (used by the routes)
from ..ledger import totals
from ..models import (
    AuditEvent,
    BankPayment,
    Company,
    LedgerEntry,
    Membership,
    PayrollDeduction,
    PayrollRun,
    PayrollScheme,
    Pledge,
)


def runs(company: Company) -> list[tuple[PayrollRun, int, int]]:
    """Confirmed months, newest first, with number of deductions and their sum."""
    rows = db.session.execute(
        db.select(PayrollRun, db.func.count(PayrollDeduction.id),
                  db.func.coalesce(db.func.sum(PayrollDeduction.amount_ore), 0))
        .outerjoin(PayrollDeduction, PayrollDeduction.run_id == PayrollRun.id)
        .where(PayrollRun.company_id == company.id)
        .group_by(PayrollRun.id).order_by(PayrollRun.month.desc())
    ).all()
    return [(run, count, total) for run, count, total in rows]


def transfer_totals(run_ids) -> dict[int, int]:
    """What the employer transfers for each run: its payroll gifts still standing (attested
    or received; rejected and reversed gifts are not paid)."""
    run_ids = list(run_ids)
    if not run_ids:
        return {}
    reversed_ids = db.select(LedgerEntry.reverses_id).where(LedgerEntry.reverses_id.is_not(None))
    rows = db.session.execute(
        db.select(PayrollDeduction.run_id, db.func.coalesce(db.func.sum(LedgerEntry.amount_ore), 0))
        .join(LedgerEntry, LedgerEntry.id == PayrollDeduction.entry_id)
        .where(PayrollDeduction.run_id.in_(run_ids),
               LedgerEntry.status.in_(("attested", "received")),
               LedgerEntry.id.not_in(reversed_ids))
        .group_by(PayrollDeduction.run_id)
    ).all()
    totals = dict.fromkeys(run_ids, 0)
    totals.update({run_id: int(total) for run_id, total in rows})
    return totals


def paid_runs(run_ids) -> dict[int, BankPayment]:
    """The runs whose transfer a booked bank payment received, with that payment."""
    run_ids = list(run_ids)
    if not run_ids:
        return {}
    rows = db.session.execute(
        db.select(BankPayment).where(BankPayment.payroll_run_id.in_(run_ids),
                                     BankPayment.status == "booked")
    ).scalars()
    return {p.payroll_run_id: p for p in rows}


def run_for(company: Company, month: str) -> PayrollRun | None:
    return db.session.execute(db.select(PayrollRun).where(
        PayrollRun.company_id == company.id, PayrollRun.month == month)).scalar_one_or_none()


def deductions_by_pledge(company: Company, month: str) -> dict[int, PayrollDeduction]:
    """A confirmed month's deductions keyed by pledge."""
    rows = db.session.execute(
        db.select(PayrollDeduction).join(PayrollRun, PayrollRun.id == PayrollDeduction.run_id)
        .where(PayrollRun.company_id == company.id, PayrollDeduction.month == month)
    ).scalars()
    return {d.pledge_id: d for d in rows}


def not_booked(company: Company, month: str) -> set[int]:
    """The pledges a confirmed month could not book (no team and no goal), from its event."""
    events = db.session.execute(
        db.select(AuditEvent.after).where(
            AuditEvent.action == "payroll.confirm", AuditEvent.subject_type == "company",
            AuditEvent.subject_id == company.id)
    ).scalars()
    found: set[int] = set()
    for text in events:
        after = json.loads(text) if text else {}
        if isinstance(after, dict) and after.get("month") == month:
            found.update(after.get("not_booked", []))
    return found


def current_pledges(company: Company, from_month: str) -> list[Pledge]:
    """Pledges running in `from_month` or later, with their people, in name order."""
    from ..models import User

    return list(db.session.execute(
        db.select(Pledge).join(User, User.id == Pledge.user_id)
        .options(joinedload(Pledge.user), joinedload(Pledge.goal))
        .where(Pledge.company_id == company.id,
               (Pledge.end_month.is_(None)) | (Pledge.end_month >= from_month))
        .order_by(User.display_name, Pledge.id)
    ).scalars())


def match_figures(company: Company):
    """The workplace's totals, for showing matched money apart from employees' own."""
    return totals.figures("company", company.id)


def user_companies_with_payroll(user) -> list[tuple[Company, PayrollScheme | None]]:
    """The workplaces a person belongs to, with their payroll scheme if any."""
    return list(db.session.execute(
        db.select(Company, PayrollScheme)
        .join(Membership, Membership.company_id == Company.id)
        .outerjoin(PayrollScheme, PayrollScheme.company_id == Company.id)
        .where(Membership.user_id == user.id).order_by(Company.name)
    ).all())


def user_pledges(user) -> list[Pledge]:
    """Every pledge a person has made, newest first."""
    return list(db.session.execute(
        db.select(Pledge).options(joinedload(Pledge.company), joinedload(Pledge.goal))
        .where(Pledge.user_id == user.id).order_by(Pledge.start_month.desc(), Pledge.id.desc())
    ).scalars())


def user_deductions(user, year: int | None = None) -> list[tuple[PayrollDeduction, str, bool, int]]:
    """A person's payroll gifts (newest first): workplace name, whether the gift no longer
    counts, and what it counts with.

    The ledger never changes an amount: a corrected gift's entry is reversed and a new entry
    (`corrects_id` pointing at the old one) takes its place. So each gift follows its chain
    of corrections to the entry that stands now: the gift counts with that entry's amount,
    and does not count if that entry was reversed without a correction (withdrawn).
    """
    query = (
        db.select(PayrollDeduction, Company.name)
        .join(PayrollRun, PayrollRun.id == PayrollDeduction.run_id)
        .join(Company, Company.id == PayrollRun.company_id)
        .where(PayrollDeduction.user_id == user.id)
        .order_by(PayrollDeduction.month.desc(), PayrollDeduction.id.desc())
    )
    if year is not None:
        query = query.where(PayrollDeduction.month.like(f"{year:04d}-%"))
    rows = db.session.execute(query).all()
    standing = _standing_entries([d.entry_id for d, _ in rows])
    return [(d, name, standing[d.entry_id][1], standing[d.entry_id][0]) for d, name in rows]


def _standing_entries(entry_ids: list[int]) -> dict[int, tuple[int, bool]]:
    """For each entry id: the amount of the entry that stands for it now (following
    corrections) and whether that one is reversed. One query per link of the longest chain."""
    latest = {entry_id: entry_id for entry_id in entry_ids}
    ends = set(latest.values())
    while ends:
        newer = dict(db.session.execute(
            db.select(LedgerEntry.corrects_id, LedgerEntry.id)
            .where(LedgerEntry.corrects_id.in_(ends))
        ).all())
        if not newer:
            break
        latest = {start: newer.get(end, end) for start, end in latest.items()}
        ends = set(newer.values())
    finals = set(latest.values())
    amounts = dict(db.session.execute(
        db.select(LedgerEntry.id, LedgerEntry.amount_ore).where(LedgerEntry.id.in_(finals))
    ).all()) if finals else {}
    reversed_ids = set(db.session.execute(
        db.select(LedgerEntry.reverses_id).where(LedgerEntry.reverses_id.in_(finals))
    ).scalars()) if finals else set()
    return {start: (amounts[end], end in reversed_ids) for start, end in latest.items()}


def year_total(rows) -> int:
    """What counts of a person's payroll gifts: the standing amounts, withdrawn ones not."""
    return sum(amount for _, _, reversed_, amount in rows if not reversed_)
