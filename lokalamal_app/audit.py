"""Writing audit events: who did what to which figure, with before and after."""

import json
from collections.abc import Callable
from typing import Any

from flask import has_request_context, request
from sqlalchemy import ColumnElement, or_

from .database import insert_as_loaded
from .extensions import db
from .models import AuditEvent

# What stands where personal data was taken out of an event (or a ledger note).
REMOVED = "(borttagen vid anonymisering)"


def _dump(data: Any) -> str:
    return json.dumps(data, default=str, ensure_ascii=False)


def record(
    action: str,
    subject_type: str,
    subject_id: int | None,
    actor=None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    *,
    at_once: bool = False,
) -> AuditEvent:
    """Add an audit event to the session (the caller's transaction commits it); `at_once`
    writes it straight away with one plain INSERT (every logged collection writes one)."""
    fields = {
        "actor_id": getattr(actor, "id", None),
        "action": action,
        "subject_type": subject_type,
        "subject_id": subject_id,
        "before": _dump(before) if before else "",
        "after": _dump(after) if after else "",
        "client_addr": request.remote_addr or "" if has_request_context() else "",
    }
    if at_once:
        return insert_as_loaded(AuditEvent, **fields)
    event = AuditEvent(**fields)
    db.session.add(event)
    return event


def mentions(text: str) -> ColumnElement[bool]:
    """SQL: the event's before or after holds `text` in a JSON string, in any letter case.

    A cheap first sieve for `scrub`: it lets through events that need no change (the
    Python pass decides). It misses the text written with other spacing, and on SQLite,
    whose lower() folds ASCII only, in another case of a non-ASCII letter.
    """
    needle = _dump(text)[1:-1]
    return or_(AuditEvent.before.icontains(needle, autoescape=True),
               AuditEvent.after.icontains(needle, autoescape=True))


# Keys whose values are the app's own codes and dates (a status, a payment method, a
# month), never personal data: `scrub` leaves them alone, so a person who called
# themselves "swish" cannot take the method out of everyone's ledger events.
CODE_KEYS = frozenset({
    "status", "method", "action", "kind", "scope", "measure", "role", "collected_on",
    "paid_on", "starts_on", "ends_on", "month", "start_month", "end_month",
})

# `clean(event, key, value, parent)` gets every string in an event's data with the key it
# sits under (None in a list) and the dict around it, and returns what should stand there.
Cleaner = Callable[[AuditEvent, str | None, str, dict | None], str]


def _clean(event: AuditEvent, data: Any, clean: Cleaner, key: str | None = None,
           parent: dict | None = None) -> Any:
    if isinstance(data, dict):
        return {k: _clean(event, v, clean, k, data) for k, v in data.items()}
    if isinstance(data, list):
        return [_clean(event, v, clean) for v in data]
    if isinstance(data, str) and key not in CODE_KEYS:
        return clean(event, key, data, parent)
    return data


def scrub(where: list[ColumnElement[bool]], clean: Cleaner) -> int:
    """Pass every string in the before/after of the events matching `where` through `clean`.

    Only string values can change, and not those under CODE_KEYS: keys, numbers (ids,
    amounts), codes, actions, subjects, actors and times stay, and no event is deleted.
    Returns how many events changed. Flush, never commit.
    """
    events = db.session.execute(
        db.select(AuditEvent)
        .where(or_(AuditEvent.before != "", AuditEvent.after != ""), *where)
        .order_by(AuditEvent.id)
    ).scalars()
    changed = 0
    for event in events:
        touched = False
        for column in ("before", "after"):
            text = getattr(event, column)
            if not text:
                continue
            try:
                data = json.loads(text)
            except ValueError:
                # Not written by record(); treat the whole text as one value.
                new_text = clean(event, None, text, None)
            else:
                cleaned = _clean(event, data, clean)
                new_text = _dump(cleaned) if cleaned != data else text
            if new_text != text:
                setattr(event, column, new_text)
                touched = True
        changed += touched
    db.session.flush()
    return changed
