"""Posting queued webhook messages, after the transaction that wrote them has committed.

Run by `flask --app wsgi send-webhooks` (schedule it every minute, like `send-mail`); a
request never waits for Slack or Teams. Each message is first claimed with a conditional
UPDATE whose claim is committed, so two runs never post it twice; then posted with no
transaction open; then marked sent, or retried later with a doubling delay until
WEBHOOK_MAX_ATTEMPTS, after which it is marked failed and logged. The address is checked
again before every post, and redirects are not followed (a redirect could lead anywhere).
"""

import urllib.error
import urllib.request
from collections import Counter
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import or_, select, update

from ..extensions import db
from ..models import WebhookDelivery
from ..models.base import utcnow
from .urls import WebhookUrlError, check_url

_table = WebhookDelivery.__table__


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: D102
        raise urllib.error.HTTPError(req.full_url, code, f"redirect refused ({code})", headers,
                                     fp)


_opener = urllib.request.build_opener(_NoRedirects)


def _waiting(now: datetime):
    return (_table.c.sent_at.is_(None) & _table.c.failed_at.is_(None)
            & or_(_table.c.next_attempt_at.is_(None), _table.c.next_attempt_at <= now))


def _due(now: datetime):
    """Waiting, and its address still there (see `deliver_due`)."""
    return _waiting(now) & _table.c.endpoint_id.is_not(None)


def _unclaimed(now: datetime):
    stale = now - timedelta(seconds=current_app.config["WEBHOOK_CLAIM_STALE_SECONDS"])
    return or_(_table.c.claimed_at.is_(None), _table.c.claimed_at < stale)


def deliver_due(limit: int = 200) -> Counter:
    """Post every message that is due now, oldest first, at most `limit`; counts of outcomes."""
    now = utcnow()
    with db.engine.begin() as conn:
        # Queued by a transaction that read the address just before it was removed: the
        # removal could not mark it (it was not committed yet), and the address's row is
        # gone (its link set to NULL). Never posted to an address an admin took away.
        conn.execute(update(_table).where(_table.c.endpoint_id.is_(None), _waiting(now))
                     .values(failed_at=now, last_error="endpoint removed"))
    with db.engine.connect() as conn:
        ids = conn.execute(
            select(_table.c.id).where(_due(now), _unclaimed(now)).order_by(_table.c.id)
            .limit(limit)
        ).scalars().all()
    return Counter(deliver_one(delivery_id) for delivery_id in ids)


def deliver_one(delivery_id: int) -> str:
    """Claim, post and record one message: "sent", "retry", "failed" or "skipped"."""
    now = utcnow()
    with db.engine.begin() as conn:
        claimed = conn.execute(
            update(_table).where(_table.c.id == delivery_id, _due(now), _unclaimed(now))
            .values(claimed_at=now, attempts=_table.c.attempts + 1)
        ).rowcount
        if claimed != 1:
            return "skipped"
        row = conn.execute(select(_table.c.url, _table.c.payload, _table.c.attempts)
                           .where(_table.c.id == delivery_id)).one()
    try:
        check_url(row.url)
        _post(row.url, row.payload)
    except WebhookUrlError as exc:
        return _record_failure(delivery_id, row.attempts, exc, give_up=True)
    except Exception as exc:  # noqa: BLE001 - every failure is recorded and retried
        return _record_failure(delivery_id, row.attempts, exc)
    with db.engine.begin() as conn:
        conn.execute(update(_table).where(_table.c.id == delivery_id).values(
            sent_at=utcnow(), claimed_at=None, next_attempt_at=None, last_error=None))
    return "sent"


def _post(url: str, payload: str) -> None:
    request = urllib.request.Request(
        url, data=payload.encode("utf-8"), method="POST",
        headers={"Content-Type": "application/json; charset=utf-8",
                 "User-Agent": "Lokala mal webhooks"})
    timeout = current_app.config["WEBHOOK_TIMEOUT_SECONDS"]
    with _opener.open(request, timeout=timeout) as response:
        response.read(4096)


def retry_delay(attempts: int, config) -> timedelta:
    """How long to wait after the `attempts`-th failure: doubling, with a ceiling."""
    seconds = config["WEBHOOK_RETRY_SECONDS"] * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, config["WEBHOOK_RETRY_MAX_SECONDS"]))


def _record_failure(delivery_id: int, attempts: int, exc: Exception,
                    give_up: bool = False) -> str:
    config = current_app.config
    now = utcnow()
    error = f"{type(exc).__name__}: {exc}"[:1000]
    values: dict = {"claimed_at": None, "last_error": error}
    if give_up or attempts >= config["WEBHOOK_MAX_ATTEMPTS"]:
        outcome = "failed"
        values.update(failed_at=now, next_attempt_at=None)
        current_app.logger.error("Webhook %s gavs upp efter %s försök: %s", delivery_id,
                                 attempts, error)
    else:
        outcome = "retry"
        values["next_attempt_at"] = now + retry_delay(attempts, config)
        current_app.logger.warning("Webhook %s misslyckades (försök %s): %s", delivery_id,
                                   attempts, error)
    with db.engine.begin() as conn:
        conn.execute(update(_table).where(_table.c.id == delivery_id).values(**values))
    return outcome
