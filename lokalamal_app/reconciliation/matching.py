"""What a bank payment pays: the rules, apart from the database so they can be tested alone.

In order: a payment already recorded is not booked again; a deduction (or zero) is no gift;
a payroll run's reference with exactly the run's sum pays the run; a team's reference pays a
reported or attested entry of that team with the same amount within MATCH_DAYS (the closest),
or else becomes a new received entry for the team; anything else waits for a person.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _

from ..money import format_ore
from . import references

MATCH_DAYS = 14
# Ids beyond a 32-bit integer name no row; asking the database for one would be an error.
MAX_ID = 2**31 - 1


@dataclass
class RunInfo:
    """A payroll run as matching sees it: what the employer should transfer and whether it has."""

    run: object
    label: str  # "Kopparlunden Teknik AB, oktober 2026"
    total_ore: int
    paid: bool


@dataclass
class Known:
    """What the database holds that the rules need (loaded in a few queries by the caller)."""

    teams: dict[int, object] = field(default_factory=dict)
    candidates: list = field(default_factory=list)
    runs: dict[int, RunInfo] = field(default_factory=dict)
    recorded: set[str] = field(default_factory=set)
    max_ore: int = 0


@dataclass
class Proposal:
    payment: object  # bgmax.BgMaxPayment
    action: str  # "receive", "create", "payroll", "booked", "waiting", "refused"
    reason: str = ""
    team: object | None = None
    entry: object | None = None
    run: RunInfo | None = None

    @property
    def can_book(self) -> bool:
        return self.action in ("receive", "create", "payroll")


def team_ids(payment) -> list[int]:
    """Teams the payment names: its OCR references first, then its information text."""
    found: list[int] = []
    for ident in [references.team_id_for(r) for r in payment.references]:
        if ident is not None and ident not in found:
            found.append(ident)
    for ident in references.team_ids_in(payment.message):
        if ident not in found:
            found.append(ident)
    return [i for i in found if i <= MAX_ID]


def run_ids(payment) -> list[int]:
    """Payroll runs the payment names, by reference or in its text."""
    found: list[int] = []
    for ident in [references.payroll_run_id_for(r) for r in payment.references]:
        if ident is not None and ident not in found:
            found.append(ident)
    for ident in references.payroll_run_ids_in(payment.message):
        if ident not in found:
            found.append(ident)
    return [i for i in found if i <= MAX_ID]


def closest(candidates, taken: set[int], team_id: int, amount_ore: int, paid_on):
    """The waiting entry of the team with this amount nearest the day, within MATCH_DAYS."""
    best, best_distance = None, None
    for entry in candidates:
        if entry.id in taken or entry.team_id != team_id or entry.amount_ore != amount_ore:
            continue
        distance = abs((entry.collected_on - paid_on).days)
        if distance > MATCH_DAYS:
            continue
        if best is None or distance < best_distance:
            best, best_distance = entry, distance
    return best


def decide(payment, known: Known, taken: set[int]) -> Proposal:
    """What one payment would become; `taken` holds entries earlier rows of the file took."""
    if payment.serial in known.recorded:
        return Proposal(payment, "booked", _("Redan inläst: betalningen finns från en tidigare "
                                             "import och bokförs inte igen."))
    if payment.amount_ore <= 0:
        return Proposal(payment, "refused", _("Ett avdrag eller noll kronor, ingen gåva."))
    runs = run_ids(payment)
    if runs:
        return _payroll(payment, known, runs)
    teams = team_ids(payment)
    if not teams:
        if not payment.references and not payment.message:
            return Proposal(payment, "waiting", _("Betalningen har ingen referens och inget "
                                                  "meddelande."))
        return Proposal(payment, "waiting", _("Referensen eller meddelandet pekar inte ut "
                                              "något lag."))
    if len(teams) > 1:
        return Proposal(payment, "waiting", _("Betalningen nämner flera lag (%(refs)s).",
                                              refs=", ".join(references.payment_reference(t)
                                                             for t in teams)))
    team = known.teams.get(teams[0])
    if team is None:
        return Proposal(payment, "waiting", _("Referensen %(ref)s hör inte till något lag.",
                                              ref=references.payment_reference(teams[0])))
    entry = closest(known.candidates, taken, team.id, payment.amount_ore, payment.date)
    if entry is not None:
        taken.add(entry.id)
        return Proposal(payment, "receive", _("Stämmer med laget rapporterade %(date)s.",
                                              date=entry.collected_on.isoformat()),
                        team=team, entry=entry)
    if payment.amount_ore > known.max_ore:
        return Proposal(payment, "waiting", _("Beloppet är större än en insamling får vara; "
                                              "dela upp det för hand."), team=team)
    return Proposal(payment, "create", _("Ingen rapporterad insamling med samma belopp; blir "
                                         "en ny mottagen post."), team=team)


def _payroll(payment, known: Known, runs: list[int]) -> Proposal:
    if len(runs) > 1:
        return Proposal(payment, "waiting", _("Betalningen nämner flera lönekörningar."))
    info = known.runs.get(runs[0])
    if info is None:
        return Proposal(payment, "waiting", _("Lönereferensen %(ref)s hör inte till någon "
                                              "bekräftad lönemånad.",
                                              ref=references.payroll_reference(runs[0])))
    if info.paid:
        return Proposal(payment, "waiting", _("Löneavdragen för %(run)s är redan betalda.",
                                              run=info.label), run=info)
    if payment.amount_ore != info.total_ore:
        return Proposal(payment, "waiting", _("Fel summa för löneavdragen för %(run)s: de ska "
                                              "betalas med %(expected)s, men betalningen är "
                                              "%(amount)s.", run=info.label,
                                              expected=format_ore(info.total_ore),
                                              amount=format_ore(payment.amount_ore)), run=info)
    return Proposal(payment, "payroll", _("Löneavdragen för %(run)s.", run=info.label), run=info)
