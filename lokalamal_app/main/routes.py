"""Home page, language choice and health checks."""

from flask import jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import text

from .. import shared_state
from ..auth.services import remember_language
from ..extensions import db
from ..goals.queries import goals_with_totals
from ..models.user import LOCALES
from . import bp


@bp.get("/")
def index():
    return render_template("main/index.html", goals=goals_with_totals())


@bp.get("/lang/<code>")
def set_language(code: str):
    """Remember the visitor's language choice in a cookie, and for someone logged in also
    on the account, so that notifications and e-mail to them come in that language."""
    target = request.args.get("next", "")
    if not target.startswith("/") or target.startswith("//"):
        target = url_for("main.index")
    response = redirect(target)
    if code in LOCALES:
        response.set_cookie("lang", code, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
        if current_user.is_authenticated and current_user.locale != code:
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
