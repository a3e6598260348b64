"""Privacy: the privacy page, a person's own data, deleting and anonymising accounts."""

from flask import Blueprint

# cli_group=None: the commands are `flask anonymise` and `flask anonymise-inactive`.
bp = Blueprint("privacy", __name__, cli_group=None)

from . import cli, routes  # noqa: E402,F401
