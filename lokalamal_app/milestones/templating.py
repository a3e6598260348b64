"""Template helpers: milestones beside the teams on a board, and on a challenge's page."""

from . import bp, queries


@bp.app_template_global("milestone_marks")
def milestone_marks(board) -> dict:
    """Per team row of a team board: milestones reached of how many, and the next promise."""
    if board.scope not in ("teams", "company_teams", "goal_teams"):
        return {}
    return queries.marks_for_teams([row.id for row in board.rows])


@bp.app_template_global("challenge_milestones")
def challenge_milestones(challenge) -> list:
    """The milestones of a challenge's workplaces and their teams."""
    return queries.for_companies([p.company_id for p in challenge.participants])


@bp.app_template_global("team_milestone_progress")
def team_milestone_progress(team):
    """The team's milestones with what is left, for its page."""
    return queries.for_team(team)


@bp.app_template_global("company_milestone_progress")
def company_milestone_progress(company):
    """The workplace's own milestones with what is left, for its page."""
    return queries.for_company(company)
