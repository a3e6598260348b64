from flask import Blueprint

bp = Blueprint("leaderboards", __name__)

from . import routes  # noqa: E402,F401
