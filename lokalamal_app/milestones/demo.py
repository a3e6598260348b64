"""Demo step for milestones: promises on the first teams and workplaces, the lower ones
already reached, the higher ones still ahead."""

from ..ledger import totals
from . import queries, services

TEAM_PROMISES = ("Vi bjuder hela kontoret på fika", "Chefen bakar kladdkaka",
                 "Chefen cyklar till jobbet en vecka")
WORKPLACE_PROMISES = ("Tårta i personalrummet", "Vd:n springer Vårruset i tomtedräkt")


def _round_up(ore: int, step: int = 1_000_00) -> int:
    return max((ore // step + 1) * step, step)


def load(world) -> None:
    """Three teams and two workplaces with a reached and an open promise each."""
    period = queries._period(queries._current_campaign_id())
    for team, promise in zip(world.teams[:3], TEAM_PROMISES, strict=False):
        figures = totals.figures("team", team.id, period)
        raised = figures.reported_ore if figures else 0
        actor = team.captain or world.staff
        if raised >= 200_00:
            services.add_milestone(team.company_id, team.id, (raised // 2) // 100_00 * 100_00
                                   or 100_00, "Fredagsfika med hembakat", actor)
        services.add_milestone(team.company_id, team.id, _round_up(raised + 2_000_00), promise,
                               actor)
    for company, promise in zip(world.companies[:2], WORKPLACE_PROMISES, strict=False):
        figures = totals.figures("company", company.id, period)
        raised = figures.reported_ore if figures else 0
        if raised >= 200_00:
            services.add_milestone(company.id, None, (raised // 2) // 100_00 * 100_00 or 100_00,
                                   "Glass till alla i lunchrummet", world.admin)
        services.add_milestone(company.id, None, _round_up(raised + 5_000_00), promise,
                               world.admin)
