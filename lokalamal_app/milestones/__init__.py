"""Milestones with promises: "vid 10 000 kr bjuder chefen på tårta"."""

from flask import Blueprint

bp = Blueprint("milestones", __name__)

from . import routes, templating  # noqa: E402,F401
