"""Operations: backups, the ledger check, the security log and behaviour when the
database is away."""

from flask import Blueprint

# cli_group=None: the commands are `flask backup`, `flask restore`.
bp = Blueprint("ops", __name__, cli_group=None)

from . import cli  # noqa: E402,F401


def init_app(app) -> None:
    """ProxyFix (when configured), the security log and the database-away page."""
    from werkzeug.middleware.proxy_fix import ProxyFix

    from . import faults, seclog

    hops = {
        name: int(app.config.get(f"PROXY_FIX_X_{name.upper()}", 0) or 0)
        for name in ("for", "proto", "host", "port", "prefix")
    }
    if any(hops.values()):
        app.wsgi_app = ProxyFix(app.wsgi_app, **{f"x_{k}": v for k, v in hops.items()})
    seclog.init_app(app)
    faults.init_app(app)
