"""When the database (or Redis, when REDIS_URL is set) is away: a friendly 503 page that
needs no database, and recovery by itself (a connection that failed takes the pool's others
with it, and an idle one is checked before use, so requests after the database returns get
fresh ones; redis-py reconnects)."""

from flask import Flask, g, jsonify, render_template, request
from flask_babel import gettext as _
from flask_login import AnonymousUserMixin, current_user
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeout
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from ..extensions import db

RETRY_AFTER_SECONDS = 30
# PostgreSQL's deadlock, serialization failure and lock not available: two requests met.
LOST_RACE_STATES = {"40P01", "40001", "55P03"}
NO_DATABASE_ENDPOINTS = {"static", "main.healthz"}


def init_app(app: Flask) -> None:
    def database_unavailable(error):
        """Answer 503; nothing on the page (header, footer, who is logged in) asks the database.
        A deadlock or a lock that could not be had is no outage but a lost race: 409."""
        try:
            db.session.rollback()
        except Exception:  # noqa: BLE001 - the connection may already be gone
            pass
        if getattr(getattr(error, "orig", None), "sqlstate", None) in LOST_RACE_STATES:
            app.logger.warning("Lost race on %s %s: %s", request.method, request.path,
                               type(error.orig).__name__)
            message = _("Någon annan ändrade samma sak i samma stund. Ingenting du skickade "
                        "har sparats; ladda om sidan och försök igen.")
            if request.path.startswith("/api/"):
                return jsonify(error=message), 409
            return render_template("ledger/problem.html", message=message), 409
        # From here on the page treats the visitor as logged out instead of asking the
        # database who they are.
        g._login_user = AnonymousUserMixin()
        app.logger.warning("Database unavailable on %s %s: %s", request.method, request.path,
                           type(getattr(error, "orig", error)).__name__)
        if request.path.startswith("/api/"):
            response = jsonify(error=_("Tjänsten är tillfälligt otillgänglig"))
        else:
            response = app.make_response(render_template("errors/503.html"))
        response.status_code = 503
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        response.headers["Cache-Control"] = "no-store"
        return response

    @app.before_request
    def _load_user_first():
        """Look up who is logged in before anything else, so that a database outage shows
        up here (answered by the 503 page) and not later inside another error page."""
        if request.endpoint not in NO_DATABASE_ENDPOINTS:
            current_user._get_current_object()

    for error in (OperationalError, InterfaceError, PoolTimeout, RedisConnectionError,
                  RedisTimeout):
        app.register_error_handler(error, database_unavailable)
