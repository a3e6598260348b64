"""Reads for the payroll pages: a few queries each, no N+1."""

import json

from sqlalchemy.orm import aliased, joinedload

from ..extensions import db
from ..goals.queries import all_goals as goals  # noqa: F401  (used by the routes)
from ..ledger import totals
from ..models import (
    AuditEvent,
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


def user_deductions(user, year: int | None = None) -> list[tuple[PayrollDeduction, str, bool]]:
    """A person's payroll gifts (newest first) with workplace name and whether reversed."""
    reversal = aliased(LedgerEntry)
    query = (
        db.select(PayrollDeduction, Company.name, reversal.id)
        .join(PayrollRun, PayrollRun.id == PayrollDeduction.run_id)
        .join(Company, Company.id == PayrollRun.company_id)
        .outerjoin(reversal, reversal.reverses_id == PayrollDeduction.entry_id)
        .where(PayrollDeduction.user_id == user.id)
        .order_by(PayrollDeduction.month.desc(), PayrollDeduction.id.desc())
    )
    if year is not None:
        query = query.where(PayrollDeduction.month.like(f"{year:04d}-%"))
    return [(d, name, rev_id is not None) for d, name, rev_id in db.session.execute(query).all()]


def year_total(rows) -> int:
    """What counts of a person's payroll gifts: reversed ones do not."""
    return sum(d.amount_ore for d, _, reversed_ in rows if not reversed_)
