"""Reads for the leaderboards: standings from the stored totals (Tally), never the ledger.

Every board is one SQL statement (a window function gives the shared ranks) plus, for a
logged-in viewer, one statement for the viewer's own teams and workplaces, plus the
cheap board version. However many rows a board has, the count stays the same.
"""

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, literal, or_, select, union_all

from .. import campaigns, clock, shared_state
from ..companies.queries import company_by_slug
from ..database import bind_key
from ..extensions import db
from ..formatting import swedish_date
from ..goals.queries import all_goals, goal_by_slug  # noqa: F401  (used by the routes too)
from ..inputs import small_int
from ..ledger import totals
from ..models import Company, Goal, Membership, Tally, Team, TeamMember
from ..models.base import utcnow

SCOPES = ("companies", "teams", "company_teams", "goal_teams", "goal_companies")
METRICS = {"total": _l("Totalt"), "per_employee": _l("Per anställd")}
PERIODS = {"month": _l("Den här månaden"), "campaign": _l("Den här kampanjen"),
           "all": _l("Sedan start")}
DEFAULT_LIMIT = 50
MAX_LIMIT = 1000
# Scopes whose rows are workplaces: only they can rank per employee.
COMPANY_SCOPES = ("companies", "goal_companies")


class BoardParamError(ValueError):
    """A board was asked for with parameters it does not have; the message is translated."""


@dataclass(frozen=True)
class BoardParams:
    metric: str = "total"
    period: str = "all"
    received: bool = False
    limit: int = DEFAULT_LIMIT
    # Leave out employer matching: only what the employees themselves gave.
    employees_only: bool = False

    def query_args(self) -> dict:
        """The parameters as they appear in a URL (defaults left out)."""
        args = {}
        if self.metric != "total":
            args["metric"] = self.metric
        if self.period != "all":
            args["period"] = self.period
        if self.received:
            args["received"] = "1"
        if self.employees_only:
            args["employees"] = "1"
        return args


def parse_params(args, scope: str) -> BoardParams:
    """Read metric, period, received and limit from query arguments, or say what is wrong."""
    metric = args.get("metric", "total") or "total"
    period = args.get("period", "all") or "all"
    # "verified" is the parameter's name from before money was attested and received apart.
    received = args.get("received", args.get("verified", "0")) or "0"
    limit = args.get("limit", str(DEFAULT_LIMIT)) or str(DEFAULT_LIMIT)
    employees = args.get("employees", "0") or "0"
    if metric not in METRICS:
        raise BoardParamError(_("metric ska vara total eller per_employee."))
    if metric == "per_employee" and scope not in COMPANY_SCOPES:
        raise BoardParamError(_("Per anställd går bara att räkna för arbetsplatser."))
    if period not in PERIODS:
        raise BoardParamError(_("period ska vara month, campaign eller all."))
    if received not in ("0", "1"):
        raise BoardParamError(_("received ska vara 0 eller 1."))
    if small_int(limit) is None or not 1 <= small_int(limit) <= MAX_LIMIT:
        raise BoardParamError(_("limit ska vara ett heltal mellan 1 och %(max)s.", max=MAX_LIMIT))
    if employees not in ("0", "1"):
        raise BoardParamError(_("employees ska vara 0 eller 1."))
    return BoardParams(metric, period, received == "1", int(limit), employees == "1")


def _money_columns(params: BoardParams, outer: bool = False):
    """Reported, attested and received money as the board counts it (without matching if
    asked)."""
    reported, attested, received = Tally.reported_ore, Tally.attested_ore, Tally.received_ore
    if params.employees_only:
        reported = reported - Tally.match_reported_ore
        attested = attested - Tally.match_attested_ore
        received = received - Tally.match_received_ore
    if outer:  # teams with no totals yet still stand on the board, with zero
        reported, attested, received = (func.coalesce(reported, 0), func.coalesce(attested, 0),
                                        func.coalesce(received, 0))
    return reported, attested, received


def period_key(period: str, today: date | None = None) -> str:
    """The Tally period for a board period: 'all', this month ('2026-11') or the running
    campaign's ('c2'; 'c0', which holds nothing, when no campaign is running)."""
    if period == "month":
        return totals.month_key(today or clock.today())
    if period == "campaign":
        running = campaigns.current()
        return running.period if running else totals.campaign_key(0)
    return totals.PERIOD_ALL


@dataclass
class Row:
    rank: int
    position: int
    kind: str  # "team" or "company"
    id: int
    name: str
    url: str
    reported_ore: int
    received_ore: int
    attested_ore: int = 0
    per_employee_ore: int | None = None
    target_ore: int | None = None
    company_name: str | None = None
    mine: bool = False
    colleague: bool = False  # a team at the viewer's own workplace
    move: str | None = None  # "up", "down" or None
    colour: str | None = None  # a team's chosen colour and emblem (teams.looks)
    emblem: str | None = None

    @property
    def amount_ore(self) -> int:
        return self.reported_ore

    @property
    def progress_pct(self) -> int | None:
        """Share of the target reached, in whole per cent; past 100 when the team has
        collected more than its target (the team page says the same)."""
        if not self.target_ore:
            return None
        return max(0, self.reported_ore * 100 // self.target_ore)

    @property
    def progress_bar(self) -> int | None:
        """The bar's fill: full at the target."""
        pct = self.progress_pct
        return None if pct is None else min(100, pct)


@dataclass
class Board:
    scope: str
    key: str  # "companies", "goals/<slug>/teams", ...
    title: str
    params: BoardParams
    version: int
    rows: list[Row] = field(default_factory=list)
    subject: Company | Goal | None = None
    rendered_at: datetime = field(default_factory=utcnow)
    # The running campaign, for a board of "this campaign".
    campaign: campaigns.CampaignInfo | None = None

    @property
    def period_label(self) -> str:
        if self.params.period == "campaign":
            return campaign_label(self.campaign)
        return str(PERIODS[self.params.period])

    @property
    def empty_text(self) -> str:
        return str(EMPTY_TEXTS[self.scope])

    @property
    def dom_id(self) -> str:
        return "board-" + self.key.replace("/", "-")

    @property
    def per_employee(self) -> bool:
        return self.scope in COMPANY_SCOPES

    @property
    def state(self) -> str:
        """What the client shows, sent back on its next poll to mark who moved."""
        return ",".join(f"{row.id}:{row.rank}" for row in self.rows)


def campaign_label(campaign: campaigns.CampaignInfo | None) -> str:
    """The running campaign by name and dates ("Lokala mål 2026, från 1 sep. 2026")."""
    if campaign is None:
        return _("Ingen kampanj pågår just nu")
    if campaign.ends_on is None:
        return _("%(name)s, från %(start)s", name=campaign.name,
                 start=swedish_date(campaign.starts_on))
    return _("%(name)s, %(start)s–%(end)s", name=campaign.name,
             start=swedish_date(campaign.starts_on),
             end=swedish_date(campaign.ends_on))


def team_url(team_slug: str) -> str:
    return f"/teams/{team_slug}"


def company_url(company_slug: str) -> str:
    return f"/companies/{company_slug}"


def viewer_companies(user) -> list[Company]:
    """The workplaces the viewer belongs to (for links to their own boards)."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(db.session.execute(
        select(Company).join(Membership, Membership.company_id == Company.id)
        .where(Membership.user_id == user.id).order_by(Company.name)
    ).scalars())


def viewer_ids(user) -> tuple[set[int], set[int]]:
    """The viewer's own team ids and workplace ids (one query; none for visitors)."""
    if not getattr(user, "is_authenticated", False):
        return set(), set()
    rows = db.session.execute(
        union_all(
            select(literal("team").label("kind"), TeamMember.team_id.label("id")).where(
                TeamMember.user_id == user.id
            ),
            select(literal("company").label("kind"), Membership.company_id.label("id")).where(
                Membership.user_id == user.id
            ),
        )
    ).all()
    return (
        {ident for kind, ident in rows if kind == "team"},
        {ident for kind, ident in rows if kind == "company"},
    )


def parse_state(text: str | None) -> dict[int, int]:
    """The ranks a client says it showed ("12:1,15:2"), ignoring anything malformed."""
    shown: dict[int, int] = {}
    for part in (text or "").split(",")[:MAX_LIMIT]:
        ident, _, rank = part.partition(":")
        if small_int(ident) is not None and small_int(rank) is not None:
            shown[small_int(ident)] = small_int(rank)
    return shown


def _ranked(stmt_columns, amount, changed_at, ident, from_, where, params, mine_ids):
    """Rank rows by amount (ties share a rank), order them amount desc, then who got
    there first, then id; keep the top `limit` and the viewer's own rows."""
    order = [amount.desc(), changed_at.asc().nulls_last(), ident.asc()]
    inner = (
        select(
            *stmt_columns,
            func.rank().over(order_by=amount.desc()).label("rank"),
            func.row_number().over(order_by=order).label("position"),
        )
        .select_from(from_)
        .where(*where)
        .subquery()
    )
    keep = inner.c.position <= params.limit
    if mine_ids:
        keep = or_(keep, inner.c.id.in_(sorted(mine_ids)))
    return db.session.execute(select(inner).where(keep).order_by(inner.c.position)).mappings()


def _team_rows(where, period, params, my_teams, my_companies, outer, subject="team",
               goal_id=None):
    """Teams ranked on their `subject` totals: all they raised ('team') or what they raised
    for one goal ('tg:<goal>', with `goal_id`; a team's target shows only on its own goal)."""
    tally = and_(Tally.subject == subject, Tally.subject_id == Team.id, Tally.period == period)
    reported, attested, received = _money_columns(params, outer=True)
    amount = received if params.received else reported
    from_ = Team.__table__.join(Company.__table__, Company.id == Team.company_id).join(
        Tally.__table__, tally, isouter=outer
    )
    columns = [
        Team.id.label("id"), Team.name.label("name"), Team.slug.label("slug"),
        Team.target_ore.label("target_ore"), Company.name.label("company_name"),
        Company.id.label("company_id"), Team.goal_id.label("goal_id"),
        Team.colour.label("colour"), Team.emblem.label("emblem"),
        reported.label("reported_ore"), attested.label("attested_ore"),
        received.label("received_ore"),
    ]
    result = _ranked(columns, amount, Tally.changed_at, Team.id, from_, where, params, my_teams)
    return [
        Row(
            rank=r["rank"], position=r["position"], kind="team", id=r["id"], name=r["name"],
            url=team_url(r["slug"]), reported_ore=r["reported_ore"],
            received_ore=r["received_ore"], attested_ore=r["attested_ore"],
            target_ore=r["target_ore"] if goal_id in (None, r["goal_id"]) else None,
            company_name=r["company_name"], mine=r["id"] in my_teams,
            colleague=r["company_id"] in my_companies,
            colour=r["colour"], emblem=r["emblem"],
        )
        for r in result
    ]


def _company_rows(subject, where, period, params, my_companies):
    tally = and_(Tally.subject == subject, Tally.subject_id == Company.id, Tally.period == period)
    reported, attested, received = _money_columns(params)
    amount = received if params.received else reported
    headcount = func.coalesce(func.nullif(Company.headcount, 0), 1)
    if params.metric == "per_employee":
        amount = amount / headcount
    from_ = Company.__table__.join(Tally.__table__, tally)
    columns = [
        Company.id.label("id"), Company.name.label("name"), Company.slug.label("slug"),
        headcount.label("headcount"), reported.label("reported_ore"),
        attested.label("attested_ore"), received.label("received_ore"),
    ]
    result = _ranked(columns, amount, Tally.changed_at, Company.id, from_, where, params,
                     my_companies)
    rows = []
    for r in result:
        shown = r["received_ore"] if params.received else r["reported_ore"]
        rows.append(Row(
            rank=r["rank"], position=r["position"], kind="company", id=r["id"], name=r["name"],
            url=company_url(r["slug"]), reported_ore=r["reported_ore"],
            received_ore=r["received_ore"], attested_ore=r["attested_ore"],
            per_employee_ore=shown // r["headcount"],
            mine=r["id"] in my_companies,
        ))
    return rows


EMPTY_TEXTS = {
    "companies": _l("Ingen arbetsplats har samlat något under perioden än."),
    "teams": _l("Inga lag har samlat något under perioden än."),
    "company_teams": _l("Arbetsplatsen har inga lag än. Starta det första!"),
    "goal_teams": _l("Inga lag har samlat till det här målet än. Bli först!"),
    "goal_companies": _l("Ingen arbetsplats har samlat till det här målet än."),
}

# Lazy titles; standings() fills in the workplace's or goal's name with %-formatting.
TITLES = {
    "companies": _l("Alla arbetsplatser"),
    "teams": _l("Alla lag"),
    "company_teams": _l("Lagen på %(name)s"),
    "goal_teams": _l("Lagen som samlar till %(name)s"),
    "goal_companies": _l("Arbetsplatserna som samlar till %(name)s"),
}


def resolve_key(key: str) -> tuple[str, Company | Goal | None] | None:
    """The scope and subject of a board path ("companies/<slug>/teams"), or None."""
    parts = key.strip("/").split("/")
    if parts in (["companies"], ["teams"]):
        return parts[0], None
    if len(parts) == 3 and parts[0] == "companies" and parts[2] == "teams":
        company = company_by_slug(parts[1])
        return ("company_teams", company) if company else None
    if len(parts) == 3 and parts[0] == "goals" and parts[2] in ("teams", "companies"):
        goal = goal_by_slug(parts[1])
        return (f"goal_{parts[2]}", goal) if goal else None
    return None


def board_key(scope: str, subject=None) -> str:
    """The board's path below /leaderboards/ ("goals/ingen-ensamhet/teams")."""
    if scope == "company_teams":
        return f"companies/{subject.slug}/teams"
    if scope == "goal_teams":
        return f"goals/{subject.slug}/teams"
    if scope == "goal_companies":
        return f"goals/{subject.slug}/companies"
    return scope


class _BoardCache:
    """Computed rows by board, parameters and board version, in this process.

    The version moves with every change to the totals, never before the change is visible
    (in its transaction on SQLite, just after its commit elsewhere), so an entry can never
    be stale: a new version simply misses. Small and bounded (least recently
    used out), it saves the board query while nothing changes, which is most of the time.
    """

    def __init__(self, size: int = 512):
        self.size = size
        self.rows: OrderedDict = OrderedDict()
        self.versions: dict[str, tuple[float, int]] = {}
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            rows = self.rows.get(key)
            if rows is not None:
                self.rows.move_to_end(key)
            return rows

    def put(self, key, rows) -> None:
        with self.lock:
            self.rows[key] = rows
            self.rows.move_to_end(key)
            while len(self.rows) > self.size:
                self.rows.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.rows.clear()
            self.versions.clear()


board_cache = _BoardCache()


def database_key() -> str:
    """Which database (and board version counter) the cached figures belong to: tests run
    several apps in a process, and a Redis counter numbers versions apart from the row."""
    key = bind_key()
    if shared_state.redis_client() is not None:
        key += f" {current_app.config['REDIS_URL']} {shared_state.key('')}"
    return key


def current_version() -> int:
    """The board version, remembered for LEADERBOARD_VERSION_TTL seconds in this process
    (default 1 s; 0 under test), so that most polls need no database at all."""
    ttl = float(current_app.config.get("LEADERBOARD_VERSION_TTL",
                                       0.0 if current_app.testing else 1.0))
    if ttl <= 0:
        return totals.board_version()
    key = database_key()
    now = time.monotonic()
    seen = board_cache.versions.get(key)
    if seen is not None and now - seen[0] < ttl:
        return seen[1]
    version = totals.board_version()
    board_cache.versions[key] = (now, version)
    return version


def _compute_rows(scope, subject, params, period, my_teams, my_companies) -> list[Row]:
    nonzero = [Tally.reported_ore != 0]
    if scope == "companies":
        return _company_rows("company", nonzero, period, params, my_companies)
    if scope == "goal_companies":
        subject_name = totals.company_goal_subject(subject.id)
        return _company_rows(subject_name, nonzero, period, params, my_companies)
    if scope == "teams":
        return _team_rows(nonzero, period, params, my_teams, my_companies, outer=False)
    if scope == "goal_teams":
        # What each team raised for this goal: a team that changed goal keeps its old
        # goal's money on the old goal's board and brings none of it to the new one.
        return _team_rows(nonzero, period, params, my_teams, my_companies, outer=False,
                          subject=totals.team_goal_subject(subject.id), goal_id=subject.id)
    if scope == "company_teams":
        # A workplace's own board lists all its teams, also those yet to log anything.
        return _team_rows([Team.company_id == subject.id], period, params, my_teams,
                          my_companies, outer=True)
    raise BoardParamError(_("Den topplistan finns inte."))


def standings(
    scope: str,
    subject: Company | Goal | None = None,
    params: BoardParams | None = None,
    viewer=None,
    shown_state: str | None = None,
    version: int | None = None,
) -> Board:
    """One board: its rows ranked from the stored totals, the viewer's own rows marked
    and, when the client sent the ranks it showed, who moved up or down since then."""
    params = params or BoardParams()
    if version is None:
        version = totals.board_version()
    period = period_key(params.period)
    my_teams, my_companies = viewer_ids(viewer)
    key = (database_key(), scope, getattr(subject, "id", None), params, period, version,
           frozenset(my_teams), frozenset(my_companies))
    cached = board_cache.get(key)
    if cached is None:
        cached = _compute_rows(scope, subject, params, period, my_teams, my_companies)
        board_cache.put(key, cached)
    rows = [replace(row) for row in cached]  # copies: the marks below are per request
    shown = parse_state(shown_state)
    for row in rows:
        before = shown.get(row.id)
        if before is not None and before != row.rank:
            row.move = "up" if row.rank < before else "down"
    name = getattr(subject, "name", None) or getattr(subject, "shown_title", "")
    title = str(TITLES[scope]) % {"name": name}
    running = campaigns.current() if params.period == "campaign" else None
    return Board(scope, board_key(scope, subject), title, params, version, rows, subject,
                 campaign=running)


def as_json(board: Board) -> dict:
    """The API's answer for a board: the same standings the page shows."""
    return {
        "scope": board.key,
        "version": board.version,
        "metric": board.params.metric,
        "period": board.params.period,
        "received": board.params.received,
        "employees_only": board.params.employees_only,
        "campaign": (
            {"name": board.campaign.name, "starts_on": board.campaign.starts_on.isoformat(),
             "ends_on": board.campaign.ends_on and board.campaign.ends_on.isoformat()}
            if board.campaign else None
        ),
        "entries": [
            {
                "rank": row.rank,
                "name": row.name,
                "url": row.url,
                "reported_ore": row.reported_ore,
                "attested_ore": row.attested_ore,
                "received_ore": row.received_ore,
                "per_employee_ore": row.per_employee_ore,
            }
            for row in board.rows
        ],
    }

