"""A team's colour and emblem: a fixed palette and a small set of symbols.

Every colour carries white text at 4.5:1 or more (WCAG AA), so the emblem on the badge is
readable; the symbols are in DejaVu Sans, which Debian's browsers have. A team that has
not chosen gets a pair derived from its id, the same on every page and every day.
"""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

# key -> (hex, name). The keys are stored; the CSS has a class for each (team-colour-<key>).
COLOURS = {
    "bla": ("#1d4ed8", _l("Blå")),
    "gron": ("#166534", _l("Grön")),
    "rod": ("#b91c1c", _l("Röd")),
    "lila": ("#6d28d9", _l("Lila")),
    "orange": ("#b45309", _l("Orange")),
    "turkos": ("#0f766e", _l("Turkos")),
    "rosa": ("#be185d", _l("Rosa")),
    "gra": ("#4b5563", _l("Grå")),
}

# key -> (symbol, name)
EMBLEMS = {
    "stjarna": ("★", _l("Stjärna")),
    "hjarta": ("♥", _l("Hjärta")),
    "klover": ("♣", _l("Klöver")),
    "ruter": ("♦", _l("Ruter")),
    "sol": ("☀", _l("Sol")),
    "blomma": ("✿", _l("Blomma")),
    "not": ("♪", _l("Not")),
    "flagga": ("⚑", _l("Flagga")),
    "ankare": ("⚓", _l("Ankare")),
    "triangel": ("▲", _l("Triangel")),
}

_COLOUR_KEYS = list(COLOURS)
_EMBLEM_KEYS = list(EMBLEMS)


@dataclass(frozen=True)
class Look:
    colour: str  # a key of COLOURS
    emblem: str  # a key of EMBLEMS

    @property
    def symbol(self) -> str:
        return EMBLEMS[self.emblem][0]

    @property
    def label(self) -> str:
        """"Blå stjärna": what the badge shows, in words, for a screen reader's title."""
        return f"{COLOURS[self.colour][1]} {str(EMBLEMS[self.emblem][1]).lower()}"


def derived(team_id: int) -> Look:
    """The look of a team that has not chosen one: from its id, so neighbours differ."""
    colour = _COLOUR_KEYS[team_id % len(_COLOUR_KEYS)]
    emblem = _EMBLEM_KEYS[(team_id // len(_COLOUR_KEYS) + team_id) % len(_EMBLEM_KEYS)]
    return Look(colour, emblem)


def look(team_id: int, colour: str | None = None, emblem: str | None = None) -> Look:
    """The team's chosen colour and emblem, each falling back to the derived one."""
    fallback = derived(team_id)
    return Look(colour if colour in COLOURS else fallback.colour,
                emblem if emblem in EMBLEMS else fallback.emblem)


def team_look(team) -> Look:
    """The look of a Team object."""
    return look(team.id, team.colour, team.emblem)
