"""A person's payroll giving in their data export, and what anonymising does to it.

Anonymising keeps the money: deductions of confirmed months keep their month, amount, run
and ledger entry (the employer's books and every total need them), and the used employer
match stays (it is part of the totals and the cap). They keep pointing at the person's
row, which names nobody any more, so none of it tells who gave. What identified the person
to the payroll office goes: the employee number. Their running pledges end before the next
payroll month, as if they had stopped them, so no later month deducts or books a gift for
a deleted person.
"""


from .. import clock
from ..extensions import db
from ..models import Company, Goal, MatchUsage, PayrollDeduction, PayrollRun, Pledge
from ..models.base import as_utc, utcnow
from . import months
from .services import next_payroll_month, scheme_for


def export(user) -> dict:
    """The person's pledges, payroll gifts and employer match, as plain data."""
    pledges = db.session.execute(
        db.select(Pledge, Company.name, Goal.title)
        .join(Company, Company.id == Pledge.company_id)
        .outerjoin(Goal, Goal.id == Pledge.goal_id)
        .where(Pledge.user_id == user.id).order_by(Pledge.id)
    ).all()
    deductions = db.session.execute(
        db.select(PayrollDeduction, Company.name)
        .join(PayrollRun, PayrollRun.id == PayrollDeduction.run_id)
        .join(Company, Company.id == PayrollRun.company_id)
        .where(PayrollDeduction.user_id == user.id).order_by(PayrollDeduction.id)
    ).all()
    usage = db.session.execute(
        db.select(MatchUsage, Company.name).join(Company, Company.id == MatchUsage.company_id)
        .where(MatchUsage.user_id == user.id).order_by(MatchUsage.id)
    ).all()
    return {
        "åtaganden": [
            {"arbetsplats": name, "form": p.kind, "belopp_ore": p.amount_ore,
             "promille_tiondelar": p.permille_tenths, "mål": goal,
             "anställningsnummer": p.employee_number, "från": p.start_month,
             "till": p.end_month, "skapat": as_utc(p.created_at).isoformat()}
            for p, name, goal in pledges
        ],
        "avdrag": [
            {"arbetsplats": name, "månad": d.month, "belopp_ore": d.amount_ore}
            for d, name in deductions
        ],
        "arbetsgivarens_matchning": [
            {"arbetsplats": name, "år": u.year, "matchat_ore": u.matched_ore}
            for u, name in usage
        ],
    }


def forget(user) -> dict[str, int]:
    """Blank the person's employee numbers and end their running pledges (money stays)."""
    pledges = db.session.execute(
        db.select(Pledge).where(Pledge.user_id == user.id)
    ).scalars().all()
    ended = 0
    today = clock.today()
    for pledge in pledges:
        pledge.employee_number = ""
        scheme = scheme_for(pledge.company)
        first = (next_payroll_month(pledge.company, scheme, today) if scheme
                 else months.month_of(today))
        if pledge.end_month is None or pledge.end_month >= first:
            pledge.end_month = months.previous_month(first)
            pledge.stopped_at = utcnow()
            ended += 1
    db.session.flush()
    return {"pledges_ended": ended, "pledges": len(pledges)}
