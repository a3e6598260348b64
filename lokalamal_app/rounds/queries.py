"""Reads for rounds: the rounds of a campaign, boards per round from the ledger (one
grouped statement each, on the indexed collected_on), a team's streak, the standing of a
challenge within a round, and the stored honours."""

from dataclasses import dataclass, field, replace
from datetime import date
from fractions import Fraction

from flask_babel import gettext as _
from sqlalchemy import BigInteger, case, cast, func

from .. import campaigns, clock
from ..extensions import db
from ..formatting import swedish_date
from ..inputs import small_int
from ..leaderboards import queries as boards
from ..models import Campaign, Company, LedgerEntry, Team
from ..models.challenge import Challenge
from ..models.ledger import ATTESTED, RECEIVED, REPORTED
from ..models.round import Round, RoundHonour, RoundResult
from . import rules

ROUND_SCOPES = ("teams", "companies")  # the boards that can be shown per round


def campaign_rounds(campaign_id: int) -> list[Round]:
    """A campaign's rounds, in order."""
    return db.session.execute(
        db.select(Round).where(Round.campaign_id == campaign_id).order_by(Round.starts_on)
    ).scalars().all()


def rounds_by_campaign() -> dict[int, list[Round]]:
    """Every round, grouped by campaign, in order (one query, for the staff page)."""
    found: dict[int, list[Round]] = {}
    for r in db.session.execute(db.select(Round).order_by(Round.starts_on)).scalars():
        found.setdefault(r.campaign_id, []).append(r)
    return found


def board_rounds(limit: int = 36) -> list[Round]:
    """The rounds a board can be shown for: those that have begun, latest first."""
    return db.session.execute(
        db.select(Round).where(Round.starts_on <= clock.today())
        .order_by(Round.starts_on.desc(), Round.id.desc()).limit(limit)
    ).scalars().all()


def round_or_none(value) -> Round | None:
    """The round a query argument names, or None when it names none."""
    number = small_int(str(value or ""))
    return db.session.get(Round, number) if number is not None else None


# --- Boards per round ------------------------------------------------------------------


@dataclass(frozen=True)
class RoundParams(boards.BoardParams):
    round_id: int = 0

    def query_args(self) -> dict:
        args = super().query_args()
        args.pop("period", None)  # the round is the period
        args["round"] = str(self.round_id)
        return args


@dataclass
class RoundBoard(boards.Board):
    round: Round | None = None

    @property
    def period_label(self) -> str:
        return _("%(name)s, %(start)s–%(end)s", name=self.round.name,
                 start=swedish_date(self.round.starts_on), end=swedish_date(self.round.ends_on))


def _sum(value):
    """SUM as a whole number on every database (PostgreSQL sums bigints as numeric)."""
    return cast(func.sum(value), BigInteger)


def _money(employees_only: bool):
    amount = LedgerEntry.amount_ore
    if employees_only:
        amount = case((LedgerEntry.method == "match", 0), else_=LedgerEntry.amount_ore)
    return (_sum(amount).label("reported_ore"),
            _sum(case((LedgerEntry.status.in_(ATTESTED), amount), else_=0))
            .label("attested_ore"),
            _sum(case((LedgerEntry.status.in_(RECEIVED), amount), else_=0))
            .label("received_ore"))


def _in_round(first: date, last: date):
    return (LedgerEntry.collected_on >= first, LedgerEntry.collected_on <= last,
            LedgerEntry.status.in_(REPORTED))


def team_money(first: date, last: date, employees_only: bool = False):
    """What each team raised in the days (rows: team and workplace fields, money), one
    grouped statement; teams with nothing are left out."""
    reported, attested, received = _money(employees_only)
    return db.session.execute(
        db.select(Team.id, Team.name, Team.slug, Team.target_ore,
                  Company.id.label("company_id"), Company.name.label("company_name"),
                  reported, attested, received)
        .select_from(LedgerEntry)
        .join(Team, Team.id == LedgerEntry.team_id)
        .join(Company, Company.id == Team.company_id)
        .where(*_in_round(first, last))
        .group_by(Team.id, Team.name, Team.slug, Team.target_ore, Company.id, Company.name)
        .having(func.sum(LedgerEntry.amount_ore) != 0)
    ).mappings().all()


def company_money(first: date, last: date, employees_only: bool = False):
    """What each workplace raised in the days, one grouped statement."""
    reported, attested, received = _money(employees_only)
    return db.session.execute(
        db.select(Company.id, Company.name, Company.slug, Company.headcount,
                  reported, attested, received)
        .select_from(LedgerEntry)
        .join(Company, Company.id == LedgerEntry.company_id)
        .where(*_in_round(first, last))
        .group_by(Company.id, Company.name, Company.slug, Company.headcount)
        .having(func.sum(LedgerEntry.amount_ore) != 0)
    ).mappings().all()


def _rows(scope: str, rnd: Round, params: RoundParams, my_teams, my_companies):
    shown = "received_ore" if params.received else "reported_ore"
    mine = my_teams if scope == "teams" else my_companies
    if scope == "teams":
        found = team_money(rnd.starts_on, rnd.ends_on, params.employees_only)
        amount = lambda r: r[shown]  # noqa: E731
    else:
        found = company_money(rnd.starts_on, rnd.ends_on, params.employees_only)
        if params.metric == "per_employee":
            amount = lambda r: Fraction(r[shown], max(r["headcount"] or 1, 1))  # noqa: E731
        else:
            amount = lambda r: r[shown]  # noqa: E731
    rows = []
    for rank, position, r in rules.ranked(found, amount, lambda r: r["id"]):
        if position > params.limit and r["id"] not in mine:
            continue
        if scope == "teams":
            rows.append(boards.Row(
                rank=rank, position=position, kind="team", id=r["id"], name=r["name"],
                url=boards.team_url(r["slug"]), reported_ore=r["reported_ore"],
                received_ore=r["received_ore"], attested_ore=r["attested_ore"],
                target_ore=r["target_ore"], company_name=r["company_name"],
                mine=r["id"] in my_teams, colleague=r["company_id"] in my_companies))
        else:
            rows.append(boards.Row(
                rank=rank, position=position, kind="company", id=r["id"], name=r["name"],
                url=boards.company_url(r["slug"]), reported_ore=r["reported_ore"],
                received_ore=r["received_ore"], attested_ore=r["attested_ore"],
                per_employee_ore=r[shown] // max(r["headcount"] or 1, 1),
                mine=r["id"] in my_companies))
    return rows


def round_board(scope: str, rnd: Round, params: boards.BoardParams, viewer=None,
                shown_state: str | None = None, version: int | None = None) -> RoundBoard:
    """A team or workplace board for one round, from the ledger by the round's dates:
    one grouped statement (plus the viewer's own ids), however many rows."""
    fields = {name: getattr(params, name) for name in
              ("metric", "period", "received", "limit", "employees_only")}
    params = RoundParams(**fields, round_id=rnd.id)
    version = boards.current_version() if version is None else version
    my_teams, my_companies = boards.viewer_ids(viewer)
    rows = _rows(scope, rnd, params, my_teams, my_companies)
    shown = boards.parse_state(shown_state)
    for row in rows:
        before = shown.get(row.id)
        if before is not None and before != row.rank:
            row.move = "up" if row.rank < before else "down"
    return RoundBoard(scope, boards.board_key(scope), str(boards.TITLES[scope]), params,
                      version, rows, None, round=rnd)


# --- Streaks ---------------------------------------------------------------------------


@dataclass
class Streak:
    rounds: int  # consecutive rounds with a collection, up to the current one
    begun: int  # rounds of the campaign that have begun
    current: Round | None


def team_streak(team_id: int, today: date | None = None) -> Streak | None:
    """The team's streak in the running campaign (None when it has no rounds): one
    statement, the begun rounds with the team's counted money in each."""
    today = today or clock.today()
    running = campaigns.current()
    if running is None:
        return None
    money = func.coalesce(_sum(LedgerEntry.amount_ore), 0)
    found = db.session.execute(
        db.select(Round, money)
        .outerjoin(LedgerEntry, (LedgerEntry.team_id == team_id)
                   & (LedgerEntry.collected_on >= Round.starts_on)
                   & (LedgerEntry.collected_on <= Round.ends_on)
                   & LedgerEntry.status.in_(REPORTED))
        .where(Round.campaign_id == running.id, Round.starts_on <= today)
        .group_by(Round.id)
        .order_by(Round.starts_on)
    ).all()
    if not found:
        return None
    last = found[-1][0]
    count = rules.streak([amount > 0 for _, amount in found], last_running=last.ends_on >= today)
    return Streak(count, len(found), last if last.ends_on >= today else None)


# --- Challenges per round ---------------------------------------------------------------


@dataclass
class ChallengeRoundRow:
    rank: int
    company_id: int
    name: str
    ore: int
    givers: int
    score: Fraction


@dataclass
class ChallengeRounds:
    rounds: list[Round]
    chosen: Round | None
    rows: list[ChallengeRoundRow] = field(default_factory=list)


def challenge_overlapping_rounds(challenge: Challenge) -> list[Round]:
    """The rounds that share days with the challenge, in order."""
    return db.session.execute(
        db.select(Round).where(Round.starts_on <= challenge.ends_on,
                               Round.ends_on >= challenge.starts_on)
        .order_by(Round.starts_on, Round.id)
    ).scalars().all()


def givers_and_money(challenge: Challenge, company_ids: list[int], first: date,
                     last: date) -> dict[int, tuple[int, int]]:
    """(reported öre, distinct givers) per workplace in the challenge's days within
    first..last, in one grouped statement. A giver counts while their entries there still
    count (a withdrawn gift takes its giver away); entries without a giver add none."""
    first, last = max(first, challenge.starts_on), min(last, challenge.ends_on)
    query = (
        db.select(LedgerEntry.company_id, LedgerEntry.giver_id,
                  _sum(LedgerEntry.amount_ore),
                  _sum(case((LedgerEntry.amount_ore > 0, 1),
                            (LedgerEntry.amount_ore < 0, -1), else_=0)))
        .where(LedgerEntry.company_id.in_(company_ids), *_in_round(first, last))
        .group_by(LedgerEntry.company_id, LedgerEntry.giver_id)
    )
    if challenge.goal_id is not None:
        query = query.where(LedgerEntry.goal_id == challenge.goal_id)
    out = {cid: (0, 0) for cid in company_ids}
    for company_id, giver_id, ore, count in db.session.execute(query):
        money, givers = out[company_id]
        out[company_id] = (money + ore, givers + (giver_id is not None and count > 0))
    return out


def challenge_round_rows(challenge: Challenge, scoring: str, sides, rnd: Round
                         ) -> list[ChallengeRoundRow]:
    """The challenge's standing within one round by its scoring (sides: the board's)."""
    from ..challenges.scoring import SideFigures, compute

    figures = givers_and_money(challenge, [s.company.id for s in sides], rnd.starts_on,
                               rnd.ends_on)
    scores = compute(challenge, scoring, [
        SideFigures(s.company.id, *figures[s.company.id], s.headcount) for s in sides])
    rows = [ChallengeRoundRow(0, s.company.id, s.company.name, *figures[s.company.id], score)
            for s, score in zip(sides, scores, strict=True)]
    return [replace(row, rank=rank)
            for rank, _, row in rules.ranked(rows, lambda r: r.score, lambda r: r.company_id)]


def challenge_rounds(challenge: Challenge, board, chosen_arg: str | None
                     ) -> ChallengeRounds | None:
    """The round selector of a challenge that spans several rounds, with the standing in
    the chosen round (by default the one running today), or None."""
    found = challenge_overlapping_rounds(challenge)
    if len(found) < 2 or not board.sides:
        return None
    today = clock.today()
    chosen = next((r for r in found if str(r.id) == (chosen_arg or "")), None)
    if chosen is None:
        begun = [r for r in found if r.starts_on <= today]
        chosen = next((r for r in begun if r.contains(today)), begun[-1] if begun else None)
    view = ChallengeRounds(found, chosen)
    if chosen is not None:
        view.rows = challenge_round_rows(challenge, board.scoring, board.sides, chosen)
    return view


# --- Honours ---------------------------------------------------------------------------


@dataclass
class RoundHonours:
    round: Round
    campaign_name: str
    stored_on: date
    teams: list[RoundHonour]
    companies: list[RoundHonour]
    challenges: list[RoundHonour]


def honours(limit: int = 60) -> list[RoundHonours]:
    """The stored honours of ended rounds, latest first (two queries)."""
    results = db.session.execute(
        db.select(RoundResult, Round, Campaign.name)
        .join(Round, Round.id == RoundResult.round_id)
        .join(Campaign, Campaign.id == Round.campaign_id)
        .order_by(Round.starts_on.desc(), Round.id.desc()).limit(limit)
    ).all()
    if not results:
        return []
    places = db.session.execute(
        db.select(RoundHonour).where(RoundHonour.result_id.in_([r.id for r, *_ in results]))
        .order_by(RoundHonour.kind, RoundHonour.challenge_id, RoundHonour.place)
    ).scalars().all()
    out = []
    for result, rnd, campaign_name in results:
        mine = [p for p in places if p.result_id == result.id]
        out.append(RoundHonours(
            rnd, campaign_name, result.stored_on,
            [p for p in mine if p.kind == "team"],
            [p for p in mine if p.kind == "company"],
            [p for p in mine if p.kind == "challenge"]))
    return out


def challenge_names(challenge_ids) -> dict[int, str]:
    """'A mot B' for each challenge id (one query), for the honours page."""
    from ..models.challenge import ChallengeParticipant

    if not challenge_ids:
        return {}
    rows = db.session.execute(
        db.select(ChallengeParticipant.challenge_id, Company.name)
        .join(Company, Company.id == ChallengeParticipant.company_id)
        .where(ChallengeParticipant.challenge_id.in_(sorted(set(challenge_ids))),
               ChallengeParticipant.status == "accepted")
        .order_by(ChallengeParticipant.id)
    ).all()
    names: dict[int, list[str]] = {}
    for challenge_id, name in rows:
        names.setdefault(challenge_id, []).append(name)
    return {cid: (" " + _("mot") + " ").join(n) for cid, n in names.items()}
