"""Vägg i vägg: workplaces challenge each other for a period."""

from flask import Blueprint

# cli_group=None: `flask settle-challenges` is a top-level command.
bp = Blueprint("challenges", __name__, cli_group=None)

from ..sharing.previews import register as _register_preview  # noqa: E402
from . import cli, routes, services, templating  # noqa: E402,F401  (routes, command)
from .queries import preview_card  # noqa: E402

_register_preview("challenge", preview_card)
