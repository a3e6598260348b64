"""Lokala mål: the application factory."""

import logging
import os

from flask import Flask, g, has_request_context, request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from . import assets, clock, formatting, inputs, names, security, shared_state
from .auth import passwords
from .cookie_sessions import SessionInterface
from .database import configure_sqlite, get_before_transaction, ping_idle_connections
from .extensions import babel, csrf, db, htmx, login_manager, migrate


def select_locale() -> str:
    """The language the visitor chose with the switch (a cookie), else the one stored on
    their account when logged in (so a choice follows them to a new phone), else the
    browser's preference between Swedish and English, else Swedish.

    Outside a request (CLI commands, scripts) there is no visitor: Swedish.
    """
    if not has_request_context():
        return "sv"
    chosen = request.cookies.get("lang")
    if chosen in ("sv", "en"):
        return chosen
    # Only a user already looked up for this request: choosing a language never queries.
    stored = getattr(g.get("_login_user"), "locale", None)
    if stored in ("sv", "en"):
        return stored
    return request.accept_languages.best_match(["sv", "en"], default="sv") or "sv"


def create_app(config_class: type | str | None = None) -> Flask:
    """Build the app; `config_class` or FLASK_CONFIG picks the configuration."""
    from config import CONFIGS, ProductionConfig

    if config_class is None:
        config_class = os.environ.get("FLASK_CONFIG", "development")
    if isinstance(config_class, str):
        config_class = CONFIGS[config_class]
    production = issubclass(config_class, ProductionConfig)
    if production:
        config_class.check()

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    app = Flask(
        __name__,
        template_folder=os.path.join(root, "templates"),
        static_folder=os.path.join(root, "static"),
        instance_path=os.path.join(root, "instance"),
    )
    app.config.from_object(config_class)
    app.session_interface = SessionInterface()
    if production:
        # Links in mail come from PUBLIC_URL; refusing other hosts also keeps a forged
        # Host header out of everything else that reads the request's address.
        app.config["TRUSTED_HOSTS"] = config_class.trusted_hosts()
    logging.basicConfig(level=logging.INFO)

    assets.init_app(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(root, "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    htmx.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    # Translations are extracted with whitespace trimmed; render {% trans %} blocks the same way.
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    formatting.init_app(app)
    names.init_app(app)
    clock.init_app(app)
    passwords.configure(app.config)
    shared_state.init_app(app)
    with app.app_context():
        configure_sqlite(db.engine)
        ping_idle_connections(db.engine, app.config["DATABASE_PING_IDLE_SECONDS"])

    from . import models  # noqa: F401  (the whole schema, for Alembic)

    inputs.init_app(app)  # before the blueprints: their `<int:...>` rules use its converter
    _init_login(app)
    _register_blueprints(app)
    from .activities import routes as activity_routes

    activity_routes.init_app(app)  # the feeds and the vote on team, workplace, challenge pages
    _follow_the_ledger()

    from .privacy import hooks as privacy_hooks

    # Which features export and anonymise personal data: one explicit list.
    privacy_hooks.install()

    from . import cli, errors, mail, ops, page_cache, redirects

    mail.init_app(app)  # outbox messages leave after their transaction commits
    errors.init_app(app)
    ops.init_app(app)
    security.init_app(app)
    page_cache.init_app(app)  # a person's own change makes their cached pages old
    redirects.init_app(app)
    cli.init_app(app)
    _register_derived_figures()

    @app.context_processor
    def _globals():
        from .models import Goal

        return {
            "current_user": current_user,
            "nav_goals": _nav_goals(Goal),
            "get_locale": get_locale,
            "app_time_zone": clock.zone_name(),
        }

    return app


def _register_derived_figures() -> None:
    """Every figure kept beside the ledger, for `ledger-check` and `ledger-rebuild`: each
    feature with stored figures of its own adds one line here."""
    from .challenges import figures as challenge_figures
    from .ledger import check, soundness
    from .reconciliation import checks as reconciliation_checks

    check.register("tally", check.tally_differences, check.rebuild_tallies)
    # The ledger's own rules: a broken ledger cannot be rebuilt, only reported.
    check.register("entries", soundness.entry_problems)
    check.register("match usage", soundness.match_problems, soundness.rebuild_match_usage)
    check.register("payroll deductions", soundness.payroll_problems)
    check.register("challenges", challenge_figures.challenge_differences,
                   challenge_figures.rebuild_challenge_figures)
    check.register("swish rows", reconciliation_checks.swish_row_problems)
    check.register("bank payments", reconciliation_checks.bank_payment_problems)


def _nav_goals(goal_model):
    """The five goals for the footer, loaded once per request at most.

    With the database away the footer goes without them rather than fail the page.
    """
    if "nav_goals" not in g:
        try:
            from .goals.queries import all_goals

            g.nav_goals = all_goals()  # shared with a page that lists the goals too
        except SQLAlchemyError:
            db.session.rollback()
            g.nav_goals = []
    return g.nav_goals


def _init_login(app: Flask) -> None:
    from .models import User

    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Logga in för att fortsätta.")
    # Flask-Login flashes the message into the session, which stores only plain strings.
    login_manager.localize_callback = str
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(user_id: str):
        """The cookie carries id and session token; a changed token ends the session."""
        ident, _, token = user_id.partition(":")
        number = inputs.small_int(ident)
        if number is None or not token:
            return None
        user = get_before_transaction(User, number)
        if user is None or user.session_token != token or user.disabled:
            return None
        return user


def _follow_the_ledger() -> None:
    """Wire what moves with every ledger change, in its transaction (idempotent: tests
    build several apps in one process)."""
    from .challenges import figures as challenge_figures
    from .challenges import services as challenge_services
    from .ledger import totals
    from .milestones import services as milestone_services
    from .payroll import matching

    # Ledger listeners, in the order they are added (ledger.totals.apply calls them).
    for listener in (
        challenge_figures.on_ledger_change,  # challenge figures (ChallengeTally)
        matching.follow_the_ledger,  # employer matches of attested gifts, and their reversal
        milestone_services.on_ledger_change,  # milestones reached, checked before commit
    ):
        totals.on_change(listener)
    challenge_figures.init_events()
    challenge_services.init_events()
    milestone_services.init_events()


def _register_blueprints(app: Flask) -> None:
    from .account import bp as account_bp
    from .activities import bp as activities_bp
    from .auth import bp as auth_bp
    from .cashboxes import bp as cashboxes_bp
    from .challenges import bp as challenges_bp
    from .companies import bp as companies_bp
    from .embed import bp as embed_bp
    from .goals import bp as goals_bp
    from .leaderboards import bp as leaderboards_bp
    from .ledger import bp as ledger_bp
    from .main import bp as main_bp
    from .milestones import bp as milestones_bp
    from .ops import bp as ops_bp
    from .partners import bp as partners_bp
    from .payroll import bp as payroll_bp
    from .privacy import bp as privacy_bp
    from .rounds import bp as rounds_bp
    from .sharing import bp as sharing_bp
    from .staff import bp as staff_bp
    from .teams import bp as teams_bp
    from .webhooks import bp as webhooks_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(goals_bp)
    app.register_blueprint(privacy_bp)
    app.register_blueprint(ops_bp)
    app.register_blueprint(partners_bp)
    app.register_blueprint(sharing_bp)
    app.register_blueprint(staff_bp)
    app.register_blueprint(companies_bp)
    app.register_blueprint(teams_bp)
    app.register_blueprint(account_bp)
    app.register_blueprint(challenges_bp)
    app.register_blueprint(payroll_bp)
    app.register_blueprint(ledger_bp)
    app.register_blueprint(cashboxes_bp)
    app.register_blueprint(rounds_bp)
    app.register_blueprint(leaderboards_bp)
    app.register_blueprint(milestones_bp)
    app.register_blueprint(embed_bp)
    app.register_blueprint(webhooks_bp)
    app.register_blueprint(activities_bp)
