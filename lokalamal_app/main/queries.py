"""Reads for the home page: what is going on, each part a fixed number of statements
however many teams, workplaces, entries and challenges there are."""

from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction

from sqlalchemy import func
from sqlalchemy.orm import aliased

from .. import clock, settings
from ..challenges.figures import headcount_of, score
from ..extensions import db
from ..leaderboards import queries as boards
from ..models import Challenge, ChallengeParticipant, ChallengeTally, LedgerEntry, Team
from ..models.ledger import REPORTED
from ..reconciliation.references import format_bankgiro

TOP = 5
LATEST = 6
LIVE_CHALLENGES = 3


@dataclass(frozen=True)
class Collected:
    """One recent collection as the home page shows it: the team and the sum, no people."""

    team_name: str
    team_slug: str
    amount_ore: int


@dataclass
class LiveSide:
    """One workplace's figures in a running challenge."""

    company_id: int
    name: str
    slug: str
    reported_ore: int = 0
    received_ore: int = 0
    score: Fraction = Fraction(0)
    rank: int = 1


@dataclass
class LiveChallenge:
    challenge: Challenge
    sides: list[LiveSide] = field(default_factory=list)

    @property
    def leader(self) -> LiveSide | None:
        """The workplace ahead, or None while it is level."""
        if len(self.sides) >= 2 and self.sides[0].score > self.sides[1].score:
            return self.sides[0]
        return None

    @property
    def margin(self) -> Fraction:
        leader = self.leader
        return leader.score - self.sides[1].score if leader else Fraction(0)

    @property
    def days_left(self) -> int:
        return max((self.challenge.ends_on - clock.today()).days + 1, 0)


def top_boards(version: int) -> tuple[boards.Board, boards.Board]:
    """The best teams and workplaces of the running campaign: the boards' own cached
    standings (one statement each when the version moved, none otherwise). Nobody's own
    rows are marked, so every visitor shares the cached rows."""
    params = boards.BoardParams(period="campaign", limit=TOP)
    return (boards.standings("teams", params=params, version=version),
            boards.standings("companies", params=params, version=version))


def latest_collections(version: int, limit: int = LATEST) -> list[Collected]:
    """The newest collections that count on the boards, team and sum only (one statement,
    none while the board version stands still: every ledger change moves it)."""
    key = (boards.database_key(), "home-latest", limit, version)
    cached = boards.board_cache.get(key)
    if cached is not None:
        return cached
    reversal = aliased(LedgerEntry)
    rows = db.session.execute(
        db.select(Team.name, Team.slug, LedgerEntry.amount_ore)
        .join(Team, Team.id == LedgerEntry.team_id)
        .where(
            LedgerEntry.status.in_(REPORTED),
            LedgerEntry.reverses_id.is_(None),
            ~db.select(reversal.id).where(reversal.reverses_id == LedgerEntry.id).exists(),
            # Cash that waits for a second count is not yet on the boards' side of things.
            db.or_(LedgerEntry.needs_count_confirm.is_(False),
                   LedgerEntry.count_confirmed_by_id.is_not(None)),
        )
        .order_by(LedgerEntry.id.desc())
        .limit(limit)
    ).all()
    found = [Collected(name, slug, amount) for name, slug, amount in rows]
    boards.board_cache.put(key, found)
    return found


def live_challenges(limit: int = LIVE_CHALLENGES, today: date | None = None
                    ) -> list[LiveChallenge]:
    """Challenges running today (the ones ending soonest first) with each workplace's
    reported figure, received money and rank: four statements whatever their number."""
    today = today or clock.today()
    challenges = db.session.execute(
        db.select(Challenge)
        .where(Challenge.status == "accepted", Challenge.settled_at.is_(None),
               Challenge.starts_on <= today, Challenge.ends_on >= today)
        .options(db.selectinload(Challenge.participants)
                 .joinedload(ChallengeParticipant.company))
        .order_by(Challenge.ends_on, Challenge.id)
        .limit(limit)
    ).scalars().all()
    ids = [c.id for c in challenges]
    if not ids:
        return []
    money = {
        (challenge_id, company_id): (reported, received)
        for challenge_id, company_id, reported, received in db.session.execute(
            db.select(ChallengeTally.challenge_id, ChallengeTally.company_id,
                      ChallengeTally.reported_ore, ChallengeTally.received_ore)
            .where(ChallengeTally.challenge_id.in_(ids), ChallengeTally.kind == "company")
        ).all()
    }
    people = dict(
        ((challenge_id, company_id), count)
        for challenge_id, company_id, count in db.session.execute(
            db.select(ChallengeTally.challenge_id, ChallengeTally.company_id,
                      func.count(ChallengeTally.id))
            .where(ChallengeTally.challenge_id.in_(ids), ChallengeTally.kind == "person",
                   ChallengeTally.reported_count > 0)
            .group_by(ChallengeTally.challenge_id, ChallengeTally.company_id)
        ).all()
    )
    result = []
    for challenge in challenges:
        live = LiveChallenge(challenge)
        for p in challenge.participants:
            if p.status != "accepted":
                continue
            reported, received = money.get((challenge.id, p.company_id), (0, 0))
            side = LiveSide(p.company_id, p.company.name, p.company.slug, reported, received)
            side.score = score(challenge.measure, reported,
                               people.get((challenge.id, p.company_id), 0), headcount_of(p))
            live.sides.append(side)
        for side in live.sides:
            side.rank = 1 + sum(1 for other in live.sides if other.score > side.score)
        live.sides.sort(key=lambda s: (s.rank, s.name))
        result.append(live)
    return result


@dataclass(frozen=True)
class GivingWays:
    swish_number: str
    bankgiro: str
    cash: str

    def __bool__(self) -> bool:
        return bool(self.swish_number or self.bankgiro or self.cash)


def giving_ways() -> GivingWays:
    """The mission's Swish number, bankgiro number and cash instructions as staff set them
    (one statement), the cash text in the visitor's language."""
    values = settings.get_many("swish_number", "bankgiro_number", "cash_instructions",
                               "cash_instructions_en")
    return GivingWays(values["swish_number"], format_bankgiro(values["bankgiro_number"]),
                      settings.cash_instructions(values))
