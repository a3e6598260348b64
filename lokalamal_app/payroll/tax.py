"""Tax reduction on gifts (skattereduktion för gåvor): 25 % back for gifts of at least
200 kr per occasion and 2 000 kr a year to an approved recipient, at most 3 000 kr a year."""

from dataclasses import dataclass

from ..i18n_request import _

MIN_OCCASION_ORE = 20_000
MIN_YEAR_ORE = 200_000
MAX_REDUCTION_ORE = 300_000
RATE_PERCENT = 25


@dataclass(frozen=True)
class TaxReduction:
    qualifies: bool
    reason: str
    yearly_ore: int
    reduction_ore: int
    cost_per_month_ore: int


def for_monthly_gift(monthly_ore: int, months_per_year: int = 12) -> TaxReduction:
    """What a fixed monthly gift gives back in a full year, and what it then costs."""
    yearly = monthly_ore * months_per_year
    if monthly_ore < MIN_OCCASION_ORE:
        return TaxReduction(False, _("Varje gåva behöver vara minst 200 kr för skattereduktion."),
                            yearly, 0, monthly_ore)
    if yearly < MIN_YEAR_ORE:
        return TaxReduction(False, _("Gåvorna behöver bli minst 2 000 kr på ett år."),
                            yearly, 0, monthly_ore)
    reduction = min(yearly * RATE_PERCENT // 100, MAX_REDUCTION_ORE)
    return TaxReduction(True, _("Gåvan ger skattereduktion."), yearly, reduction,
                        monthly_ore - reduction // months_per_year)
