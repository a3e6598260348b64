"""Reads for the challenge pages, from the stored challenge figures (no ledger sums)."""

import math
from dataclasses import dataclass, field
from datetime import date, timedelta
from fractions import Fraction

from sqlalchemy import func, or_

from .. import clock, permissions
from ..extensions import db
from ..i18n_request import _
from ..inputs import small_int
from ..models import Company, Membership, Team
from ..models.challenge import Challenge, ChallengeParticipant, ChallengeTally
from .figures import company_people, headcount_of, settle_date
from .scoring import SCORINGS, SideFigures, compute, scoring_of


def challenge_by_id(challenge_id: int) -> Challenge | None:
    """The challenge with its workplaces loaded, or None."""
    return db.session.execute(
        db.select(Challenge).where(Challenge.id == challenge_id).options(
            db.selectinload(Challenge.participants).joinedload(ChallengeParticipant.company),
            db.joinedload(Challenge.challenger), db.joinedload(Challenge.goal),
        )
    ).unique().scalar_one_or_none()


def is_public(challenge: Challenge) -> bool:
    """Nothing is public before acceptance."""
    return challenge.status == "accepted"


def admin_companies(challenge: Challenge, user) -> list[Company]:
    """The challenge's workplaces that `user` may act for (staff: all of them)."""
    return [p.company for p in challenge.participants
            if permissions.is_company_admin(user, p.company)]


def can_view(challenge: Challenge, user) -> bool:
    return is_public(challenge) or bool(admin_companies(challenge, user))


def phase(challenge: Challenge, today: date | None = None) -> str:
    """proposed, declined, withdrawn, upcoming, running, reconciling or settled."""
    today = today or clock.today()
    if challenge.status != "accepted":
        return challenge.status
    if challenge.settled_at is not None:
        return "settled"
    if today < challenge.starts_on:
        return "upcoming"
    if today <= challenge.ends_on:
        return "running"
    return "reconciling"


@dataclass
class Side:
    """One workplace's figures in a challenge."""

    company: Company
    participant: ChallengeParticipant
    reported_ore: int = 0
    attested_ore: int = 0
    received_ore: int = 0
    people_reported: int = 0
    people_received: int = 0
    headcount: int = 1
    headcount_fixed: bool = False  # measured on the headcount it had when it accepted
    rank: int = 1
    score: Fraction = Fraction(0)
    score_received: Fraction = Fraction(0)
    teams: list = field(default_factory=list)  # [(Team, reported_ore)], best first


@dataclass
class Board:
    challenge: Challenge
    phase: str
    sides: list[Side]
    leader: Side | None
    margin: Fraction
    days_left: int
    settle_on: date
    chart: dict
    scoring: str = "total"  # the name in scoring.SCORINGS that decides the challenge

    @property
    def scoring_label(self) -> str:
        return str(SCORINGS[self.scoring].label)


def board(challenge: Challenge, today: date | None = None) -> Board:
    """Everything the head-to-head page shows, from stored figures (a handful of queries)."""
    today = today or clock.today()
    current = phase(challenge, today)
    settled = current == "settled"
    if challenge.status in ("accepted", "declined"):
        playing = [p for p in challenge.participants if p.status == "accepted"]
    else:
        playing = [p for p in challenge.participants if p.status != "declined"]
    tallies = db.session.execute(
        db.select(ChallengeTally).where(ChallengeTally.challenge_id == challenge.id,
                                        ChallengeTally.kind.in_(("company", "team")))
    ).scalars().all()
    people_r = company_people(challenge.id)
    people_v = company_people(challenge.id, received=True)
    team_ids = [int(t.key) for t in tallies if t.kind == "team" and t.reported_ore > 0]
    teams = {t.id: t for t in db.session.execute(
        db.select(Team).where(Team.id.in_(team_ids))).scalars()} if team_ids else {}
    sides = []
    for p in playing:
        side = Side(company=p.company, participant=p)
        for t in tallies:
            if t.company_id != p.company_id:
                continue
            if t.kind == "company":
                side.reported_ore, side.received_ore = t.reported_ore, t.received_ore
                side.attested_ore = t.attested_ore
            elif int(t.key) in teams:
                side.teams.append((teams[int(t.key)], t.reported_ore))
        side.teams.sort(key=lambda pair: (-pair[1], pair[0].id))
        side.teams = side.teams[:3]
        side.people_reported = people_r.get(p.company_id, 0)
        side.people_received = people_v.get(p.company_id, 0)
        if settled:
            side.received_ore = p.final_ore or 0
            side.people_received = p.final_people or 0
            side.headcount = p.final_headcount or 1
        else:
            side.headcount = headcount_of(p)
        side.headcount_fixed = settled or p.headcount is not None
        sides.append(side)
    scoring = scoring_of(challenge)
    _score_sides(challenge, scoring, sides)
    key = (lambda s: s.score_received) if settled else (lambda s: s.score)
    for side in sides:
        side.rank = (side.participant.final_rank if settled and side.participant.final_rank
                     else 1 + sum(1 for o in sides if key(o) > key(side)))
    sides.sort(key=lambda s: (s.rank, s.company.name))
    leader, margin = None, Fraction(0)
    if len(sides) >= 2 and key(sides[0]) > key(sides[1]):
        leader, margin = sides[0], key(sides[0]) - key(sides[1])
    days_left = max((challenge.ends_on - max(today, challenge.starts_on)).days + 1, 0)
    if today > challenge.ends_on:
        days_left = 0
    return Board(challenge, current, sides, leader, margin, days_left, settle_date(challenge),
                 chart(challenge, sides, today, received=settled), scoring)


def _score_sides(challenge: Challenge, scoring: str, sides: list[Side]) -> None:
    """Fill each side's scores (reported and received) by the challenge's scoring."""
    reported = compute(challenge, scoring, [
        SideFigures(s.company.id, s.reported_ore, s.people_reported, s.headcount) for s in sides])
    received = compute(challenge, scoring, [
        SideFigures(s.company.id, s.received_ore, s.people_received, s.headcount) for s in sides])
    for side, r, v in zip(sides, reported, received, strict=True):
        side.score, side.score_received = r, v


PALETTE = 6


def chart(challenge: Challenge, sides: list[Side], today: date, received: bool = False,
          width: int = 640, height: int = 240) -> dict:
    """Cumulative totals per workplace over the period, as SVG polylines and a table."""
    last = min(today, challenge.ends_on)
    if last < challenge.starts_on or not sides:
        return {"lines": [], "rows": [], "width": width, "height": height, "max_ore": 0}
    days = (last - challenge.starts_on).days + 1
    rows = db.session.execute(
        db.select(ChallengeTally.company_id, ChallengeTally.key,
                  ChallengeTally.received_ore if received else ChallengeTally.reported_ore)
        .where(ChallengeTally.challenge_id == challenge.id, ChallengeTally.kind == "day")
    ).all()
    per_day: dict[int, list[int]] = {s.company.id: [0] * days for s in sides}
    for company_id, key, amount in rows:
        if company_id not in per_day:
            continue
        index = (date.fromisoformat(key) - challenge.starts_on).days
        if 0 <= index < days:
            per_day[company_id][index] += amount
    cumulative = {}
    for company_id, values in per_day.items():
        running, out = 0, []
        for v in values:
            running += v
            out.append(running)
        cumulative[company_id] = out
    top = max([max(v) for v in cumulative.values()] + [1])
    pad_left, pad_right, pad_top, pad_bottom = 8, 8, 12, 24
    inner_w, inner_h = width - pad_left - pad_right, height - pad_top - pad_bottom

    def point(i: int, value: int) -> str:
        x = pad_left + inner_w * i / max(days - 1, 1)
        y = pad_top + inner_h - inner_h * max(value, 0) / top
        return f"{x:.1f},{y:.1f}"

    lines = []
    for n, side in enumerate(sides):
        values = cumulative[side.company.id]
        # One day is drawn as a flat line across the chart.
        drawn = values if days > 1 else values * 2
        pts = [point(i, v) for i, v in enumerate(drawn)]
        lines.append({"company": side.company, "points": " ".join(pts),
                      "color": n % PALETTE + 1, "total": values[-1]})
    step = max(1, math.ceil(days / 10))
    picks = list(range(0, days, step))
    if picks[-1] != days - 1:
        picks.append(days - 1)
    table = [(challenge.starts_on + timedelta(days=i),
              [cumulative[s.company.id][i] for s in sides]) for i in picks]
    return {"lines": lines, "rows": table, "width": width, "height": height, "max_ore": top,
            "baseline": height - pad_bottom, "left": pad_left, "right": width - pad_right,
            "first": challenge.starts_on, "last": last}


def running_challenges(limit: int = 50) -> list[Challenge]:
    """Accepted challenges not yet settled (upcoming, running, being reconciled)."""
    return db.session.execute(
        db.select(Challenge)
        .where(Challenge.status == "accepted", Challenge.settled_at.is_(None))
        .options(db.selectinload(Challenge.participants).joinedload(ChallengeParticipant.company))
        .order_by(Challenge.ends_on, Challenge.id)
        .limit(limit)
    ).scalars().all()


def finished_challenges(limit: int = 20) -> list[Challenge]:
    """Settled challenges, latest first."""
    return db.session.execute(
        db.select(Challenge)
        .where(Challenge.status == "accepted", Challenge.settled_at.is_not(None))
        .options(db.selectinload(Challenge.participants).joinedload(ChallengeParticipant.company),
                 db.joinedload(Challenge.winner))
        .order_by(Challenge.settled_at.desc(), Challenge.id.desc())
        .limit(limit)
    ).scalars().all()


def company_challenges(company: Company, user=None) -> dict[str, list[Challenge]]:
    """A workplace's running challenges (public) and, for its admins, open proposals."""
    rows = db.session.execute(
        db.select(Challenge)
        .join(ChallengeParticipant, ChallengeParticipant.challenge_id == Challenge.id)
        .where(ChallengeParticipant.company_id == company.id,
               ChallengeParticipant.status != "declined",
               or_(Challenge.status == "proposed",
                   (Challenge.status == "accepted") & Challenge.settled_at.is_(None)))
        .options(db.selectinload(Challenge.participants).joinedload(ChallengeParticipant.company))
        .order_by(Challenge.starts_on, Challenge.id)
    ).scalars().all()
    admin = user is not None and permissions.is_company_admin(user, company)
    return {
        "running": [c for c in rows if c.status == "accepted"],
        "proposed": [c for c in rows if c.status == "proposed"] if admin else [],
        "can_challenge": admin,
    }


def admin_companies_of(user) -> list[Company]:
    """Workplaces `user` administers (staff: all), by name."""
    if not getattr(user, "is_authenticated", False):
        return []
    query = db.select(Company).order_by(Company.name)
    if not permissions.is_staff(user):
        query = query.join(Membership, Membership.company_id == Company.id).where(
            Membership.user_id == user.id, Membership.role == "admin")
    return db.session.execute(query).scalars().all()


def company_by_name(name: str) -> Company | None:
    """Find a workplace by its name, ignoring case and spacing."""
    from ..models.company import name_key

    key = name_key(name or "")
    if not key:
        return None
    return db.session.execute(
        db.select(Company).where(Company.name_key == key)).scalar_one_or_none()


def neighbours(company: Company, limit: int = 8) -> list[tuple[Company, str]]:
    """Suggested opponents: same street address first, then same postcode, then same city."""
    def norm(value: str) -> str:
        return " ".join((value or "").split()).casefold()

    candidates = db.session.execute(
        db.select(Company).where(
            Company.id != company.id,
            or_(func.lower(Company.city) == norm(company.city),
                Company.postcode == company.postcode),
        ).order_by(Company.name).limit(200)
    ).scalars().all()
    ranked = []
    for other in candidates:
        if company.street and norm(other.street) == norm(company.street) and \
                other.postcode == company.postcode:
            ranked.append((0, other, _("samma adress")))
        elif company.postcode and other.postcode == company.postcode:
            ranked.append((1, other, _("samma postnummer")))
        elif company.city and norm(other.city) == norm(company.city):
            ranked.append((2, other, _("samma ort")))
    ranked.sort(key=lambda r: (r[0], r[1].name))
    return [(other, why) for _, other, why in ranked[:limit]]


def company_names(limit: int = 1000) -> list[str]:
    """Workplace names for the opponent field's suggestions (names are public anyway)."""
    return db.session.execute(
        db.select(Company.name).order_by(Company.name).limit(limit)).scalars().all()


def preview_card(ident: str):
    """The link-card preview of a public challenge: its workplaces and what they raised."""
    from ..sharing.previews import BRAND, Card

    number = small_int(ident)
    if number is None:
        return None
    challenge = db.session.get(Challenge, number)
    if challenge is None or not is_public(challenge):
        return None
    names = " mot ".join(p.company.name for p in challenge.participants if p.status != "declined")
    raised = db.session.execute(
        db.select(db.func.coalesce(db.func.sum(ChallengeTally.reported_ore), 0)).where(
            ChallengeTally.challenge_id == challenge.id, ChallengeTally.kind == "company"
        )
    ).scalar_one()
    period = f"{challenge.starts_on:%Y-%m-%d} – {challenge.ends_on:%Y-%m-%d}"
    return Card(names, f"Vägg i vägg · {period}", int(raised), None, BRAND)
