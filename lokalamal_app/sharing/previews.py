"""Preview images for link cards (Open Graph / Twitter): a PNG with title and progress.

Each kind of page registers how to describe one of its objects; other features add theirs
with `register("challenge", loader)` where `loader(ident: str) -> Card | None`.
"""

import io
from collections.abc import Callable
from dataclasses import dataclass

from PIL import Image, ImageDraw

from ..extensions import db
from ..inputs import small_int
from ..ledger import totals
from ..models import Company, Goal, Team
from ..money import format_ore
from ..qr import _font

WIDTH, HEIGHT = 1200, 630
GOAL_COLOURS = {1: "#8c2f39", 2: "#1f5f8b", 3: "#6b4c9a", 4: "#2f7d62", 5: "#a0522d"}
BRAND = "#7a1f3d"


@dataclass
class Card:
    title: str
    subtitle: str
    reported_ore: int
    target_ore: int | None = None
    colour: str = BRAND


_loaders: dict[str, Callable[[str], Card | None]] = {}


def register(kind: str, loader: Callable[[str], Card | None]) -> None:
    _loaders[kind] = loader


def card(kind: str, ident: str) -> Card | None:
    loader = _loaders.get(kind)
    return loader(ident) if loader else None


def _reported(subject: str, subject_id: int) -> int:
    tally = totals.figures(subject, subject_id)
    return tally.reported_ore if tally else 0


def _goal(ident: str) -> Card | None:
    goal = db.session.execute(db.select(Goal).where(Goal.slug == ident)).scalar_one_or_none()
    if goal is None:
        return None
    return Card(goal.title, f"{goal.label} · Västerås stadsmission",
                _reported("goal", goal.id), None, GOAL_COLOURS.get(goal.number, BRAND))


def _team(ident: str) -> Card | None:
    number = small_int(ident)
    team = db.session.get(Team, number) if number is not None else None
    if team is None:
        return None
    return Card(team.name, f"{team.company.name} · {team.goal.title}",
                _reported("team", team.id), team.target_ore,
                GOAL_COLOURS.get(team.goal.number, BRAND))


def _company(ident: str) -> Card | None:
    company = db.session.execute(
        db.select(Company).where(Company.slug == ident)
    ).scalar_one_or_none()
    if company is None:
        return None
    return Card(company.name, "Samlar till Västerås stadsmissions lokala mål",
                _reported("company", company.id))


register("goal", _goal)
register("team", _team)
register("company", _company)


def _fit(draw, text: str, font_px: int, max_width: int):
    """The largest font up to font_px that fits the text on one line (cut with … if not)."""
    for px in range(font_px, 30, -6):
        font = _font(px)
        if draw.textlength(text, font=font) <= max_width:
            return text, font
    font = _font(30)
    while text and draw.textlength(text + "…", font=font) > max_width:
        text = text[:-1]
    return text + "…", font


def render(c: Card) -> bytes:
    """A 1200 × 630 PNG: colour band, title, subtitle, amount and a progress bar."""
    image = Image.new("RGB", (WIDTH, HEIGHT), "#fbfaf7")
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 0, WIDTH, 24], fill=c.colour)
    draw.text((70, 70), "Lokala mål · Västerås stadsmission", fill="#5b5b68", font=_font(34))
    title, font = _fit(draw, c.title, 84, WIDTH - 140)
    draw.text((70, 140), title, fill="#1d1d24", font=font)
    subtitle, font = _fit(draw, c.subtitle, 38, WIDTH - 140)
    draw.text((70, 260), subtitle, fill="#5b5b68", font=font)
    amount = format_ore(c.reported_ore, decimals=False).replace("\u00a0", " ")
    label = f"{amount} insamlat"
    if c.target_ore:
        label += f" av {format_ore(c.target_ore, decimals=False).replace(chr(160), ' ')}"
    label, font = _fit(draw, label, 64, WIDTH - 140)
    draw.text((70, 360), label, fill=c.colour, font=font)
    bar_top, bar_left, bar_right = 480, 70, WIDTH - 70
    draw.rounded_rectangle([bar_left, bar_top, bar_right, bar_top + 36], 18, fill="#ece8df")
    if c.target_ore:
        share = max(0.0, min(1.0, c.reported_ore / c.target_ore))
        if share > 0:
            right = bar_left + max(36, int((bar_right - bar_left) * share))
            draw.rounded_rectangle([bar_left, bar_top, right, bar_top + 36], 18, fill=c.colour)
    else:
        draw.rounded_rectangle([bar_left, bar_top, bar_right, bar_top + 36], 18, fill=c.colour)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
