"""Writing audit events: who did what to which figure, with before and after."""

import json
from typing import Any

from flask import has_request_context, request

from .extensions import db
from .models import AuditEvent


def record(
    action: str,
    subject_type: str,
    subject_id: int | None,
    actor=None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add an audit event to the session (the caller's transaction commits it)."""
    addr = request.remote_addr or "" if has_request_context() else ""
    event = AuditEvent(
        actor_id=getattr(actor, "id", None),
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        before=json.dumps(before, default=str, ensure_ascii=False) if before else "",
        after=json.dumps(after, default=str, ensure_ascii=False) if after else "",
        client_addr=addr,
    )
    db.session.add(event)
    return event
