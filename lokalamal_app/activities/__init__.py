"""Activities: what teams do besides collecting money, reactions, volunteering hours and the
creativity vote of challenges."""

from flask import Blueprint

bp = Blueprint("activities", __name__)

from . import routes  # noqa: E402,F401
