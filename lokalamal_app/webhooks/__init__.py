"""Outgoing webhooks: a workplace's news posted to its Slack or Microsoft Teams channel."""

from flask import Blueprint

bp = Blueprint("webhooks", __name__)

from . import routes  # noqa: E402,F401
