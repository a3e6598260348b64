"""The security log: logins and refused authorisations as JSON lines.

One line per event with UTC time, event, outcome, account, client address, method and
the route's pattern (never the raw path, which may carry a reset token), and never
passwords, tokens or cookies. Written to stderr, or to SECURITY_LOG_FILE when set.
"""

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

from flask import Flask, request
from flask_login import current_user

LOGGER_NAME = "lokalamal.security"
logger = logging.getLogger(LOGGER_NAME)

LOGIN_OUTCOMES = {302: "success", 303: "success", 401: "failure", 422: "invalid",
                  429: "locked"}


class JsonLineFormatter(logging.Formatter):
    """A log record as one JSON object on one line."""

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname.lower(),
            "event": record.getMessage(),
        }
        data.update(getattr(record, "fields", {}))
        return json.dumps(data, ensure_ascii=False, default=str)


def _handler(app: Flask) -> logging.Handler:
    path = app.config.get("SECURITY_LOG_FILE")
    handler = logging.FileHandler(path, encoding="utf-8") if path else logging.StreamHandler(
        sys.stderr)
    handler.setFormatter(JsonLineFormatter())
    handler.set_name("lokalamal-security")
    return handler


def _account() -> dict[str, Any]:
    """Who is logged in, if anyone; never fails (the database may be away)."""
    try:
        if current_user.is_authenticated:
            return {"account": current_user.email, "user_id": current_user.id}
    except Exception:  # noqa: BLE001 - logging must not turn a refusal into a 500
        pass
    return {"account": None, "user_id": None}


def log_event(event: str, outcome: str, level: int = logging.INFO, **fields: Any) -> None:
    """Write one security event; fields must never hold secrets."""
    record = {
        "outcome": outcome,
        "client": request.remote_addr,
        "method": request.method,
        "route": request.url_rule.rule if request.url_rule else request.path,
        **fields,
    }
    logger.log(level, event, extra={"fields": record})


def _after_request(response):
    status = response.status_code
    if request.endpoint == "auth.login" and request.method == "POST":
        # A body refused as too large (413) is not read, not even for the log.
        form = request.form if status != 413 else {}
        email = (form.get("email") or "").strip().casefold()[:254]
        outcome = LOGIN_OUTCOMES.get(status, f"status-{status}")
        fields = {"account": email or None, "status": status}
        if outcome == "success":
            fields.update({k: v for k, v in _account().items() if v is not None})
        log_event("login", outcome, logging.INFO if outcome == "success" else logging.WARNING,
                  **fields)
    elif status in (401, 403, 429):
        log_event("authorisation", "refused", logging.WARNING, status=status, **_account())
    return response


def init_app(app: Flask) -> None:
    """Attach the JSON handler once per process and log every refusal."""
    if not any(h.get_name() == "lokalamal-security" for h in logger.handlers):
        logger.addHandler(_handler(app))
    logger.setLevel(logging.INFO)
    logger.propagate = False  # JSON lines only, not again through the root handler
    app.after_request(_after_request)
