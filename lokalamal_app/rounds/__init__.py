"""Rounds: a campaign split into stretches (e.g. months), boards per round, streaks, and
the honours of every ended round."""

from flask import Blueprint

bp = Blueprint("rounds", __name__)

from . import routes, templating  # noqa: E402,F401
