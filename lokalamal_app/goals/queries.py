"""Reads for the goal pages, from stored totals."""

from dataclasses import dataclass

from flask import g, has_request_context
from flask_babel import lazy_gettext as _l

from ..extensions import db
from ..ledger import totals
from ..models import Goal

UN_GOALS = {
    1: _l("Ingen fattigdom"),
    2: _l("Ingen hunger"),
    3: _l("Hälsa och välbefinnande"),
    4: _l("God utbildning för alla"),
    5: _l("Jämställdhet"),
    8: _l("Anständiga arbetsvillkor och ekonomisk tillväxt"),
    10: _l("Minskad ojämlikhet"),
    11: _l("Hållbara städer och samhällen"),
    16: _l("Fredliga och inkluderande samhällen"),
    17: _l("Genomförande och globalt partnerskap"),
}


@dataclass
class GoalSummary:
    goal: Goal
    reported_ore: int
    received_ore: int


def all_goals() -> list[Goal]:
    """The five goals in order; in a request, read once and shared with the footer's list."""
    if has_request_context() and g.get("nav_goals"):
        return list(g.nav_goals)
    goals = list(db.session.execute(db.select(Goal).order_by(Goal.number)).scalars())
    if has_request_context():
        g.nav_goals = goals
    return goals


def goals_with_totals() -> list[GoalSummary]:
    """All five goals in order with what has been raised for each (two queries)."""
    goals = all_goals()
    figures = totals.figures_by_id("goal", [g.id for g in goals])
    return [
        GoalSummary(
            g,
            figures[g.id].reported_ore if g.id in figures else 0,
            figures[g.id].received_ore if g.id in figures else 0,
        )
        for g in goals
    ]


def goal_by_slug(slug: str) -> Goal | None:
    """The goal at /goals/<slug>: from the five already read for the footer."""
    return next((goal for goal in all_goals() if goal.slug == slug), None)
