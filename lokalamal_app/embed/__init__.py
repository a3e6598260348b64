"""For workplaces' intranets, e-mail signatures and wikis: a framable widget and badges."""

from flask import Blueprint

bp = Blueprint("embed", __name__)

from . import routes  # noqa: E402,F401
