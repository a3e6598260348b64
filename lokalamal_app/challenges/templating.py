"""Template helpers so other pages can include the challenge partials."""

from flask_login import current_user

from ..i18n_request import _
from . import bp, queries
from .scoring import GIVERS_MONEY


# Globals (not a context processor) so that imported macros and included partials see them.
@bp.app_template_global("company_challenges")
def _company_challenges(company):
    """A workplace's running challenges and, for its admins, open proposals."""
    return queries.company_challenges(company, current_user)


@bp.app_template_global("running_challenges")
def _running_challenges():
    return queries.running_challenges()


@bp.app_template_global("challenge_phase")
def _challenge_phase(challenge):
    return queries.phase(challenge)


def format_score(measure: str, value) -> str:
    """A measure's figure: whole kronor (öre do not decide a standing and would stand out
    beside the whole kronor elsewhere), kronor per employee or a percentage."""
    from ..formatting import kronor

    if measure == "per_employee":
        return _("%(amount)s per anställd", amount=kronor(round(value), decimals=False))
    if measure == "participation":
        return f"{round(float(value) * 100)}\u00a0%"
    if measure == GIVERS_MONEY:
        return _("%(points)s poäng", points=round(value))
    return kronor(round(value), decimals=False)


@bp.app_template_filter("challenge_score")
def _challenge_score(value, measure: str) -> str:
    return format_score(measure, value)


@bp.app_template_filter("challenge_parts")
def _challenge_parts(value, measure: str) -> tuple[str, str]:
    """The figure and its unit apart, for large type: ("512,52 kr", "per anställd")."""
    from ..formatting import kronor

    if measure == "per_employee":
        return kronor(round(value), decimals=False), _("per anställd")
    if measure == "participation":
        return format_score(measure, value), _("av de anställda deltar")
    if measure == GIVERS_MONEY:
        return str(round(value)), _("poäng av 100")
    return format_score(measure, value), _("insamlat")
