"""Leaderboard pages, their live fragments, the TV mode and the JSON API.

A poll carries the board version the client shows (`v`); when nothing changed anywhere
the answer is 204 with no body, after one cheap query and before any template.
"""

from functools import lru_cache
from urllib.parse import urlencode

from flask import abort, current_app, g, jsonify, make_response, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import clock, page_cache
from ..extensions import csrf
from ..formatting import _locale_code
from ..inputs import small_int
from ..models.base import utcnow
from ..money import format_ore
from . import bp, events, queries

TV_DEFAULT_SECONDS = 20


def _poll_seconds() -> int:
    return int(current_app.config.get("LEADERBOARD_POLL_SECONDS", 4))


def _unchanged(sent: str | None) -> int | None:
    """The current version, or None when the client already shows it (then answer 204)."""
    version = queries.current_version()
    if sent is not None and sent == str(version):
        return None
    return version


def _no_change():
    response = make_response("", 204)
    response.headers["Cache-Control"] = "no-store"
    return response


def _is_fragment() -> bool:
    return request.headers.get("HX-Request") == "true" or request.args.get("fragment") == "1"


def _params(scope: str) -> queries.BoardParams:
    try:
        return queries.parse_params(request.args, scope)
    except queries.BoardParamError as error:
        abort(400, str(error))


def _resolve_or_404(key: str):
    resolved = queries.resolve_key(key)
    if resolved is None:
        abort(404)
    return resolved


@lru_cache(maxsize=8192)
def _kronor(ore: int, locale: str) -> str:
    return format_ore(ore, decimals=False, locale=locale)


def board_page_url(board: queries.Board, **overrides) -> str:
    """The page of a board with its parameters (overrides change one of them)."""
    args = board.params.query_args()
    args.update(overrides)
    return url_for("leaderboards.page", key=board.key) + _query(args)


def _query(args: dict) -> str:
    clean = {k: v for k, v in args.items() if v not in (None, "")}
    return "?" + urlencode(clean) if clean else ""


@bp.app_template_filter("board_kronor")
def board_kronor(ore: int | None) -> str:
    """Whole kronor, Swedish style, remembered: boards show the same figures again and again."""
    return _kronor(ore or 0, _locale_code())


@bp.app_template_filter("board_time")
def board_time(moment) -> str:
    """hh:mm in the app's time zone (Stockholm)."""
    return clock.local(moment).strftime("%H:%M")


def _render_fragment(board):
    """Only the board: no page context (no footer goals, no login lookup) is needed."""
    template = current_app.jinja_env.get_template("leaderboards/_board.html")
    return template.render(board=board, live=True, leaderboard_poll_seconds=_poll_seconds())


@bp.app_template_global()
def company_teams_board(company, viewer=None):
    """The board of a workplace's teams, for the workplace and team pages to include."""
    return queries.standings("company_teams", company, viewer=viewer or current_user)


@bp.app_template_global()
def goal_boards(goal, viewer=None):
    """The goal's team and workplace boards, for the goal page."""
    version = queries.current_version()
    return [
        queries.standings(scope, goal, viewer=viewer or current_user, version=version)
        for scope in ("goal_teams", "goal_companies")
    ]


@bp.app_context_processor
def _board_settings():
    return {"leaderboard_poll_seconds": _poll_seconds(), "board_page_url": board_page_url}


@bp.get("/leaderboards")
@page_cache.cached
def index():
    """All the boards, with the all-workplaces and all-teams boards shown at once."""
    version = queries.current_version()
    boards = [
        queries.standings(scope, viewer=current_user, version=version,
                          params=queries.BoardParams(limit=10))
        for scope in ("companies", "teams")
    ]
    return render_template(
        "leaderboards/index.html", boards=boards, goals=queries.all_goals(),
        companies=queries.viewer_companies(current_user),
    )


@bp.get("/leaderboards/<path:key>")
def page(key: str):
    """One board as a page, or (for htmx and `fragment=1`) only the board, or 204 when the
    poller already shows the current version: answered before the page cache, since a poll
    that finds nothing new is most of what a board's page asks for."""
    sent = request.args.get("v")
    if sent is not None and _is_fragment():
        g.board_version = _unchanged(sent)
        if g.board_version is None:
            return _no_change()
    return _board(key)


@page_cache.cached
def _board(key: str):
    fragment = _is_fragment()
    version = g.pop("board_version", None)
    if version is None:
        version = queries.current_version()
    # A visitor's fragment is the same for everyone who shows the same thing: remember it
    # for this version (and this minute, for the "updated at" time).
    html_key = None
    if fragment and not current_user.is_authenticated:
        args = frozenset((k, v) for k, v in request.args.items(multi=True) if k != "v")
        html_key = ("html", queries.database_key(), key, args, version,
                    board_time(utcnow()), _locale_code())
        html = queries.board_cache.get(html_key)
        if html is not None:
            return _fragment_response(html)
    scope, subject = _resolve_or_404(key)
    if request.args.get("round"):
        board = _round_board(scope, version)
    else:
        board = queries.standings(
            scope, subject, _params(scope), viewer=current_user,
            shown_state=request.args.get("prev"), version=version,
        )
    if fragment:
        html = _render_fragment(board)
        if html_key is not None:
            queries.board_cache.put(html_key, html)
        return _fragment_response(html)
    else:
        response = make_response(render_template("leaderboards/board.html", board=board))
    response.headers["Vary"] = "HX-Request"
    response.headers["Cache-Control"] = "no-store"
    return response


def _round_board(scope: str, version: int):
    """The team or workplace board for one round (`round=<id>`), from the ledger."""
    from ..rounds import queries as round_queries

    if scope not in round_queries.ROUND_SCOPES:
        abort(400, _("Bara lagens och arbetsplatsernas topplistor kan visas per omgång."))
    found = round_queries.round_or_none(request.args.get("round"))
    if found is None:
        abort(404)
    return round_queries.round_board(scope, found, _params(scope), viewer=current_user,
                                     shown_state=request.args.get("prev"), version=version)


def _fragment_response(html: str):
    response = make_response(html)
    response.headers["Vary"] = "HX-Request"
    response.headers["Cache-Control"] = "no-store"
    return response


def _tv(keys: list[str]):
    try:
        seconds = int(request.args.get("seconds", TV_DEFAULT_SECONDS))
    except ValueError:
        abort(400, _("seconds ska vara ett heltal."))
    if not 5 <= seconds <= 3600:
        abort(400, _("seconds ska vara mellan 5 och 3600."))
    version = queries.current_version()
    boards = []
    for key in keys:
        scope, subject = _resolve_or_404(key)
        args = request.args.to_dict()
        if scope not in queries.COMPANY_SCOPES:
            args.pop("metric", None)  # per employee applies to the workplace boards only
        boards.append(queries.standings(scope, subject, queries.parse_params(args, scope),
                                        viewer=current_user, version=version))
    return render_template("leaderboards/tv.html", boards=boards, seconds=seconds)


def _tv_keys(default: list[str]) -> list[str]:
    chosen = [k for k in request.args.get("boards", "").split(",") if k.strip()]
    if len(chosen) > 12:
        abort(400, _("Välj högst tolv topplistor."))
    return chosen or default


@bp.app_template_global()
def tv_feed_state(challenge=None) -> dict:
    """What a TV page shows when it opens: the ticker, no celebration yet (only what happens
    from now on is celebrated), and the cursor and version its first poll sends back."""
    company_ids = _challenge_companies(challenge)
    return {"events": [], "cursor": events.latest_entry_id(),
            "ticker": events.ticker(company_ids), "version": queries.current_version(),
            "challenge_id": challenge.id if challenge is not None else None}


def _challenge_companies(challenge) -> list[int] | None:
    if challenge is None:
        return None
    return [p.company_id for p in challenge.participants if p.status == "accepted"]


@bp.get("/leaderboards/tv/feed")
def tv_feed():
    """A TV's ticker and the events since the cursor it sends (`since`); 204 when nothing
    changed since its version (`v`). `challenge` keeps the ticker to one challenge's
    workplaces."""
    version = _unchanged(request.args.get("v"))
    if version is None:
        return _no_change()
    since = request.args.get("since", "")
    if small_int(since) is None:
        abort(400, _("since ska vara ett heltal."))
    challenge = None
    if request.args.get("challenge"):
        from ..challenges.queries import challenge_by_id, is_public

        ident = small_int(request.args["challenge"])
        challenge = challenge_by_id(ident) if ident is not None else None
        if challenge is None or not is_public(challenge):
            abort(404)
    found, cursor = events.events_since(small_int(since))
    feed = {"events": found, "cursor": cursor, "version": version,
            "ticker": events.ticker(_challenge_companies(challenge)),
            "challenge_id": challenge.id if challenge is not None else None}
    return _fragment_response(render_template("leaderboards/_tv_feed.html", feed=feed))


@bp.get("/leaderboards/tv")
@page_cache.cached
def tv():
    """The office-screen mode: full screen, rotating boards (`boards=`, `seconds=`)."""
    try:
        return _tv(_tv_keys(["companies", "teams"]))
    except queries.BoardParamError as error:
        abort(400, str(error))


@bp.get("/leaderboards/<path:key>/tv")
@page_cache.cached
def board_tv(key: str):
    """TV mode for one board, or for a goal (`goals/<slug>`): its teams and workplaces."""
    parts = key.strip("/").split("/")
    if len(parts) == 2 and parts[0] == "goals":
        default = [f"{key}/teams", f"{key}/companies"]
    else:
        default = [key]
    try:
        return _tv(_tv_keys(default))
    except queries.BoardParamError as error:
        abort(400, str(error))


# The API is read-only: no form, no CSRF token.
@bp.get("/api/leaderboards/<path:key>")
@csrf.exempt
def api(key: str):
    """JSON of the standings a board page shows; ETag by board version, 304 when unchanged."""
    scope, subject = _resolve_or_404(key)
    params = _params(scope)
    version = queries.current_version()
    etag = f'{version}-{params.metric}-{params.period}-{int(params.received)}-{params.limit}'
    if etag in request.if_none_match:
        response = make_response("", 304)
        response.set_etag(etag)
        return response
    board = queries.standings(scope, subject, params, viewer=None, version=version)
    response = jsonify(queries.as_json(board))
    response.set_etag(etag)
    response.headers["Cache-Control"] = "no-cache"
    return response
