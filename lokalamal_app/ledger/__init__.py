"""The collection ledger: entries, the totals beside them, and their checks."""

from flask import Blueprint

# cli_group=None: `flask --app wsgi ledger-check` is a top-level command.
bp = Blueprint("ledger", __name__, cli_group=None)

from . import cli, routes  # noqa: E402,F401
