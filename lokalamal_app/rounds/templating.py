"""Template globals so the staff, board and team pages can show rounds."""

from . import bp, queries


@bp.app_template_global("campaign_rounds_map")
def _campaign_rounds_map():
    """Every round by campaign id, for the staff campaign page."""
    return queries.rounds_by_campaign()


@bp.app_template_global("board_rounds")
def _board_rounds():
    """The rounds a board can be shown for, latest first."""
    return queries.board_rounds()


@bp.app_template_global("team_streak")
def _team_streak(team):
    """The team's streak in the running campaign, or None."""
    return queries.team_streak(team.id)


@bp.app_template_global("scoring_label")
def _scoring_label(name: str) -> str:
    """A challenge scoring's name, for the honours page."""
    from ..challenges.scoring import SCORINGS

    found = SCORINGS.get(name)
    return str(found.label) if found else name
