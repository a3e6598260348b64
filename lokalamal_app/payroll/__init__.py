"""Payroll giving and employer matching."""

from flask import Blueprint

bp = Blueprint("payroll", __name__)

from . import routes  # noqa: E402,F401
