"""Collection boxes (insamlingsbössor): registered, handed over and counted by two."""

from flask import Blueprint

bp = Blueprint("cashboxes", __name__)

from . import routes  # noqa: E402,F401
