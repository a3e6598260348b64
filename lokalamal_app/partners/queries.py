"""Reads for partner listings and impact lines on goal pages."""

from ..extensions import db
from ..goals.queries import all_goals  # noqa: F401  (the partner form lists the goals)
from ..models import Goal, ImpactLine, Partner


def partners_for_goal(goal: Goal) -> list[Partner]:
    """Main partners first, then partners, in the order staff chose."""
    return list(
        db.session.execute(
            db.select(Partner)
            .where(Partner.goal_id == goal.id)
            .order_by((Partner.level != "main"), Partner.position, Partner.name, Partner.id)
        ).scalars()
    )


def impact_lines(goal: Goal) -> list[ImpactLine]:
    """What money does for the goal, smallest amount first (staff-written)."""
    return list(
        db.session.execute(
            db.select(ImpactLine)
            .where(ImpactLine.goal_id == goal.id)
            .order_by(ImpactLine.position, ImpactLine.amount_ore, ImpactLine.id)
        ).scalars()
    )

