"""Home page, language choice and health checks."""

from flask import current_app, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import text

from .. import page_cache, shared_state
from ..auth.services import remember_language
from ..extensions import db
from ..goals.queries import goals_with_totals
from ..leaderboards.queries import current_version
from ..models.user import LOCALES
from ..redirects import safe_next
from . import bp, queries


@bp.get("/")
@page_cache.cached
def index():
    """What is going on: running challenges, the campaign's best teams and workplaces, the
    latest collections, the goals, and how to give or become a partner. The same for every
    visitor (nobody's own rows marked), from figures cached by board version."""
    version = current_version()
    top_teams, top_companies = queries.top_boards(version)
    return render_template(
        "main/index.html", goals=goals_with_totals(), challenges=queries.live_challenges(),
        top_teams=top_teams, top_companies=top_companies,
        latest=queries.latest_collections(version), giving=queries.giving_ways(),
    )


@bp.route("/lang/<code>", methods=["GET", "POST"])
def set_language(code: str):
    """Remember the visitor's language choice in a cookie. The switch in the footer posts
    (with its CSRF token), and then, for someone logged in, the choice is also stored on
    the account, so that notifications and e-mail to them come in that language. A plain
    link (GET) changes only the cookie: a link must never change stored data."""
    target = safe_next(request.values.get("next"), url_for("main.index"))
    response = redirect(target, code=303 if request.method == "POST" else 302)
    if code in LOCALES:
        # Like the session cookie: Secure in production.
        response.set_cookie("lang", code, max_age=365 * 24 * 3600, samesite="Lax", httponly=True,
                            secure=current_app.config["SESSION_COOKIE_SECURE"])
        if (request.method == "POST" and current_user.is_authenticated
                and current_user.locale != code):
            remember_language(current_user, code)
            db.session.commit()
    return response


@bp.get("/healthz")
def healthz():
    """Cheap liveness check: no database, no template."""
    return "ok", 200, {"Content-Type": "text/plain"}


@bp.get("/readyz")
def readyz():
    """Ready when the database answers (and Redis, when shared state lives there)."""
    try:
        db.session.execute(text("SELECT 1"))
        client = shared_state.redis_client()
        if client is not None:
            client.ping()
    except Exception:  # noqa: BLE001 - any failure means not ready
        db.session.rollback()
        return jsonify(status="unavailable"), 503
    return jsonify(status="ok")
