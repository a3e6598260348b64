"""Sharing: share links, Open Graph preview images, QR codes and the team Swish QR."""

from flask import Blueprint

bp = Blueprint("sharing", __name__)

from . import routes  # noqa: E402,F401
