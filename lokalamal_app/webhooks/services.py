"""Writes for webhooks: add and remove a workplace's addresses, and queue messages to
them in the caller's transaction (posted after commit by `sender`)."""

import json

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from .. import audit
from ..extensions import db
from ..models import User, WebhookDelivery, WebhookEndpoint
from ..models.base import utcnow
from ..urls import absolute

MAX_PER_COMPANY = 5


class WebhookError(ValueError):
    """A webhook breaks a rule; the message is translated."""


def add_endpoint(company_id: int, url: str, kind: str, actor: User) -> WebhookEndpoint:
    """Save a checked webhook address for the workplace; flushes."""
    existing = db.session.execute(
        select(WebhookEndpoint.url).where(WebhookEndpoint.company_id == company_id)
    ).scalars().all()
    if url in existing:
        raise WebhookError(_("Den adressen finns redan."))
    if len(existing) >= MAX_PER_COMPANY:
        raise WebhookError(_("En arbetsplats kan ha högst %(max)s webhookar.",
                             max=MAX_PER_COMPANY))
    endpoint = WebhookEndpoint(company_id=company_id, url=url, kind=kind,
                               created_by_id=actor.id)
    db.session.add(endpoint)
    db.session.flush()
    audit.record("webhook.added", "company", company_id, actor=actor,
                 after={"kind": kind, "host": url.split("/")[2]})
    return endpoint


def remove_endpoint(endpoint: WebhookEndpoint, actor: User) -> None:
    """Remove a webhook address; messages already queued to it are not sent. Flushes."""
    audit.record("webhook.removed", "company", endpoint.company_id, actor=actor,
                 before={"kind": endpoint.kind, "host": endpoint.url.split("/")[2]})
    db.session.execute(
        db.update(WebhookDelivery)
        .where(WebhookDelivery.endpoint_id == endpoint.id, WebhookDelivery.sent_at.is_(None),
               WebhookDelivery.failed_at.is_(None))
        .values(failed_at=utcnow(), last_error="endpoint removed")
        .execution_options(synchronize_session=False)
    )
    db.session.delete(endpoint)
    db.session.flush()


def message_body(kind: str, text: str, link: str) -> dict:
    """What Slack or Teams is sent: plain text with a link, in each service's format."""
    url = absolute(link) if link else ""
    if kind == "slack":
        return {"text": f"{text} <{url}|Lokala mål>" if url else text}
    body = [{"type": "TextBlock", "text": text, "wrap": True}]
    if url:
        body.append({"type": "TextBlock", "text": f"[Lokala mål]({url})", "wrap": True})
    return {
        "type": "message",
        "text": text,
        "attachments": [{
            "contentType": "application/vnd.microsoft.card.adaptive",
            "content": {"$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                        "type": "AdaptiveCard", "version": "1.4", "body": body},
        }],
    }


def queue_event(company_id: int, event: str, data: dict) -> list[WebhookDelivery]:
    """Queue `event` for every webhook of the workplace, in the caller's transaction."""
    endpoints = db.session.execute(
        select(WebhookEndpoint).where(WebhookEndpoint.company_id == company_id)
    ).scalars().all()
    deliveries = []
    for endpoint in endpoints:
        body = message_body(endpoint.kind, data["text"], data.get("link", ""))
        body["lokalamal"] = {"event": event, **{k: v for k, v in data.items() if k != "text"}}
        delivery = WebhookDelivery(endpoint_id=endpoint.id, url=endpoint.url, event=event,
                                   payload=json.dumps(body, ensure_ascii=False))
        db.session.add(delivery)
        deliveries.append(delivery)
    if deliveries:
        current_app.logger.info("Webhook %s köad till %s adresser", event, len(deliveries))
    return deliveries
