"""Public goal pages."""

from flask import abort, render_template

from ..ledger import totals
from . import bp, queries


@bp.get("/goals/<slug>")
def show(slug: str):
    goal = queries.goal_by_slug(slug)
    if goal is None:
        abort(404)
    return render_template(
        "goals/show.html",
        goal=goal,
        figures=totals.figures("goal", goal.id),
        un_goals=[(n, queries.UN_GOALS.get(n, "")) for n in goal.un_goal_numbers],
    )
