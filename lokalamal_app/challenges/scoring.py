"""How a challenge can be scored: a small registry of name -> label, one-sentence
explanation and the function that turns the workplaces' figures into comparable scores.

A scoring function gets every side at once, because a scoring may be relative (givers x
money is a share of 100 between the sides). Add a scoring by adding an entry to SCORINGS
(a creativity vote, say, would read its votes by challenge and workplace id); the form,
the page's explanations and the settlement follow the registry.

The three first scorings are the challenge's own measures (stored on the challenge);
any other is stored in ChallengeScoring beside it.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction

from flask_babel import lazy_gettext as _l

from ..extensions import db
from ..models.challenge import MEASURES, Challenge
from ..models.round import ChallengeScoring
from .figures import score as measure_score

GIVERS_MONEY = "givers_money"
SHARE = 100  # givers x money is shown as each side's share of this many points


@dataclass(frozen=True)
class SideFigures:
    """What a scoring may use of one workplace: money (öre), distinct givers, headcount."""

    company_id: int
    ore: int
    givers: int
    headcount: int


@dataclass(frozen=True)
class Scoring:
    label: object  # lazy string
    description: object  # lazy string: one sentence for the challenge page
    compute: Callable[[int, Sequence[SideFigures]], list[Fraction]]


def _by_measure(measure: str):
    def compute(_challenge_id: int, sides: Sequence[SideFigures]) -> list[Fraction]:
        return [measure_score(measure, s.ore, s.givers, s.headcount) for s in sides]
    return compute


def givers_money_shares(sides: Sequence[tuple[int, int]]) -> list[Fraction]:
    """Each side's share of 100 points of givers x money ((givers, öre) per side).

    A side with no money or no givers gets 0; when no side has anything yet, the points
    are shared equally, so the figures always add up to 100.
    """
    products = [max(g, 0) * max(m, 0) for g, m in sides]
    total = sum(products)
    if not sides:
        return []
    if total == 0:
        return [Fraction(SHARE, len(sides))] * len(sides)
    return [Fraction(SHARE * p, total) for p in products]


def _givers_money(_challenge_id: int, sides: Sequence[SideFigures]) -> list[Fraction]:
    return givers_money_shares([(s.givers, s.ore) for s in sides])


SCORINGS: dict[str, Scoring] = {
    "total": Scoring(MEASURES["total"],
                     _l("Den arbetsplats som samlar in flest kronor vinner."),
                     _by_measure("total")),
    "per_employee": Scoring(MEASURES["per_employee"],
                            _l("Kronorna delas med antalet anställda, så ett litet kontor kan slå ett stort."),
                            _by_measure("per_employee")),
    "participation": Scoring(MEASURES["participation"],
                             _l("Den arbetsplats där störst andel av de anställda har gett något vinner."),
                             _by_measure("participation")),
    GIVERS_MONEY: Scoring(_l("Givare gånger kronor"),
                          _l("Antalet olika givare gånger insamlade kronor, som andel av 100 poäng mellan arbetsplatserna: både många givare och mycket pengar lönar sig."),
                          _givers_money),
}


def scoring_of(challenge: Challenge) -> str:
    """The name of the scoring that decides the challenge."""
    chosen = db.session.execute(
        db.select(ChallengeScoring.scoring).where(ChallengeScoring.challenge_id == challenge.id)
    ).scalar_one_or_none()
    return chosen if chosen in SCORINGS else challenge.measure


def compute(challenge: Challenge, name: str, sides: Sequence[SideFigures]) -> list[Fraction]:
    """The scores of the sides by the named scoring (in the sides' order)."""
    return SCORINGS[name].compute(challenge.id, sides)


def set_scoring(challenge: Challenge, name: str) -> None:
    """Decide the challenge by `name`: a measure goes on the challenge itself, any other
    scoring beside it (the challenge keeps 'total' as its measure then). Flushes."""
    row = db.session.execute(
        db.select(ChallengeScoring).where(ChallengeScoring.challenge_id == challenge.id)
    ).scalar_one_or_none()
    if name in MEASURES:
        challenge.measure = name
        if row is not None:
            db.session.delete(row)
    else:
        challenge.measure = "total"
        if row is None:
            db.session.add(ChallengeScoring(challenge_id=challenge.id, scoring=name))
        else:
            row.scoring = name
    db.session.flush()
