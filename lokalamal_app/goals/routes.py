"""Public goal pages."""

from flask import abort, render_template

from .. import page_cache
from ..ledger import totals
from ..partners import queries as partner_queries
from ..urls import external_url
from . import bp, queries


@bp.get("/goals/<slug>")
@page_cache.cached
def show(slug: str):
    goal = queries.goal_by_slug(slug)
    if goal is None:
        abort(404)
    return render_template(
        "goals/show.html",
        goal=goal,
        figures=totals.figures("goal", goal.id),
        un_goals=[(n, queries.UN_GOALS.get(n, "")) for n in goal.un_goal_numbers],
        # --- mission content and sharing (issue 8) ---
        partners=partner_queries.partners_for_goal(goal),
        impact_lines=partner_queries.impact_lines(goal),
        share_url=external_url("goals.show", slug=goal.slug),
        share_title=f"{goal.label}: {goal.shown_title}",
        # --- end mission content and sharing ---
    )
