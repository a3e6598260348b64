"""Vägg i vägg: workplaces challenge each other for a period."""

from flask import Blueprint

# cli_group=None: `flask settle-challenges` is a top-level command.
bp = Blueprint("challenges", __name__, cli_group=None)

from . import cli, routes, services, templating  # noqa: E402,F401  (routes, listener, command)
