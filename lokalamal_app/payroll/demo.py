"""Demo payroll giving: Kopparlunden Teknik runs payroll giving with employer matching,
with a few confirmed months behind it."""

from .. import settings
from ..models import Membership
from . import matching, months, services


def load(world) -> None:
    """Payroll giving and matching at the first demo workplace, three months confirmed."""
    settings.put("tax_reduction_approved", "1")
    company = world.companies[0]
    services.save_scheme(company, enabled=True, allow_fixed=True, allow_permille=True,
                         min_monthly_ore=5_000, closing_day=25, uses_employee_numbers=True,
                         actor=world.admin)
    this_month = months.month_of(world.today)
    first = this_month
    for _ in range(3):
        first = months.previous_month(first)
    matching.add_rule(company, 50, 100_000, "payroll", months.pay_day(first, 1), None,
                      world.admin)
    givers = [world.employee, world.captain, world.admin]
    colleagues = [u for t in world.teams if t.company_id == company.id
                  for u in world.people_by_team[t.id] if u not in givers]
    givers += colleagues[:2]
    # Pledges made before the first demo month, straight in the model's terms.
    from ..extensions import db
    from ..models import Pledge

    plans = [("fixed", 20_000, None), ("fixed", 10_000, None), ("permille", None, 10),
             ("fixed", 25_000, None), ("permille", None, 5)]
    pledges = []
    for n, (user, (kind, amount, tenths)) in enumerate(zip(givers, plans, strict=False), 1):
        if db.session.execute(db.select(Membership.id).where(
                Membership.user_id == user.id, Membership.company_id == company.id)).first() is None:
            continue
        pledge = Pledge(company_id=company.id, user_id=user.id, kind=kind, amount_ore=amount,
                        permille_tenths=tenths, employee_number=f"K{1000 + n}",
                        start_month=first)
        db.session.add(pledge)
        pledges.append(pledge)
    db.session.flush()
    month = first
    for _ in range(3):
        amounts = {p.id: (world.rng.randint(30, 45) * 1_000) for p in pledges
                   if p.kind == "permille"}
        services.confirm_month(company, month, amounts, world.admin, world.today)
        month = months.next_month(month)
