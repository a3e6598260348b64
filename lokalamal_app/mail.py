"""E-mail through the outbox: written in the caller's transaction, delivered after commit.

`send_mail` only adds an `OutboxMessage` row, so a service that changes money never talks
to a mail server while it holds row locks, and a transaction that rolls back sends nothing.
A session hook notes the ids of the messages a flush wrote; once the transaction commits
they are handed on according to MAIL_DELIVERY:

- "background" (the default): a daemon thread in this process sends them; the request
  that wrote them does not wait.
- "inline": sent at once after the commit, in the committing thread (tests: deterministic).
- "command": left for `flask --app wsgi send-mail`, which production runs every minute
  anyway to retry failures and pick up what a stopped process left behind.

Each delivery first claims its message with a conditional UPDATE and commits the claim, so
two threads, workers or servers never send the same message twice; then it talks to the
mail server with no transaction open; then it records `sent_at`, or the error and the time
of the next attempt (exponential back-off) until MAIL_MAX_ATTEMPTS, after which the
message is marked failed and logged. A claim older than MAIL_CLAIM_STALE_SECONDS belongs to
a sender that died and may be taken over (the one case where a mail can go out twice).
Without MAIL_SERVER a delivery writes the message to the app's log and marks it sent.
"""

import atexit
import os
import smtplib
import threading
from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timedelta
from email.message import EmailMessage
from queue import Queue

from flask import Flask, current_app
from sqlalchemy import event, or_, select, update

from .extensions import db
from .models import OutboxMessage
from .models.base import utcnow

_PENDING = "outbox_pending_ids"
_outbox = OutboxMessage.__table__


def send_mail(to: str, subject: str, body: str) -> OutboxMessage:
    """Queue a message in the caller's transaction; it leaves after the commit."""
    message = OutboxMessage(to=to, subject=subject, body=body)
    db.session.add(message)
    return message


def init_app(app: Flask) -> None:
    """Deliver what a transaction queued once it commits (the session is shared by apps)."""
    app.extensions["outbox_sender"] = BackgroundSender(app)
    for name, listener in (("after_flush", _note_queued), ("after_commit", _after_commit),
                           ("after_transaction_end", _forget_queued)):
        if not event.contains(db.session, name, listener):
            event.listen(db.session, name, listener)


def _note_queued(session, _flush_context) -> None:
    ids = [obj.id for obj in session.new if isinstance(obj, OutboxMessage)]
    if ids:
        session.info.setdefault(_PENDING, set()).update(ids)


def _forget_queued(session, transaction) -> None:
    # A rollback (or a close without commit) ends the outermost transaction: its messages
    # are gone with it. After a commit `_after_commit` has taken them already.
    if transaction.parent is None:
        session.info.pop(_PENDING, None)


def _after_commit(session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint was released: the transaction itself has not committed yet
    ids = session.info.pop(_PENDING, None)
    if not ids:
        return
    app = current_app._get_current_object()
    mode = app.config.get("MAIL_DELIVERY", "background")
    try:
        if mode == "inline":
            deliver(sorted(ids))
        elif mode == "background":
            app.extensions["outbox_sender"].put(sorted(ids))
        # "command": the scheduled `send-mail` finds them due.
    except Exception:  # noqa: BLE001 - the commit stands; `send-mail` retries the rest
        app.logger.exception("E-post i kön kunde inte lämnas över efter commit: %s",
                             sorted(ids))


def deliver(message_ids: Iterable[int]) -> Counter:
    """Deliver these messages if they are still due; counts of each outcome."""
    return Counter(deliver_one(message_id) for message_id in message_ids)


def deliver_due(limit: int = 500) -> Counter:
    """Deliver every message that is due now (oldest first, at most `limit`)."""
    now = utcnow()
    with db.engine.connect() as conn:
        ids = conn.execute(
            select(_outbox.c.id).where(_due(now), _unclaimed(now))
            .order_by(_outbox.c.id).limit(limit)
        ).scalars().all()
    return deliver(ids)


def _due(now: datetime):
    return (_outbox.c.sent_at.is_(None) & _outbox.c.failed_at.is_(None)
            & or_(_outbox.c.next_attempt_at.is_(None), _outbox.c.next_attempt_at <= now))


def _unclaimed(now: datetime):
    stale = now - timedelta(seconds=current_app.config["MAIL_CLAIM_STALE_SECONDS"])
    return or_(_outbox.c.claimed_at.is_(None), _outbox.c.claimed_at < stale)


def deliver_one(message_id: int) -> str:
    """Claim, send and record one message: "sent", "retry", "failed" or "skipped" (not due,
    or another sender has it)."""
    config = current_app.config
    now = utcnow()
    # Own connections, each transaction short: never the caller's session, never a
    # transaction open while the mail server is talked to.
    with db.engine.begin() as conn:
        claimed = conn.execute(
            update(_outbox)
            .where(_outbox.c.id == message_id, _due(now), _unclaimed(now))
            .values(claimed_at=now, attempts=_outbox.c.attempts + 1)
        ).rowcount
        if claimed != 1:
            return "skipped"
        message = conn.execute(
            select(_outbox.c.to, _outbox.c.subject, _outbox.c.body, _outbox.c.attempts)
            .where(_outbox.c.id == message_id)
        ).one()
    try:
        if config.get("MAIL_SERVER"):
            _send_smtp(config, message)
        else:
            current_app.logger.info("E-post till %s: %s\n%s", message.to, message.subject,
                                    message.body)
    except Exception as exc:  # noqa: BLE001 - every failure is recorded and retried
        return _record_failure(message_id, message.attempts, exc)
    with db.engine.begin() as conn:
        conn.execute(update(_outbox).where(_outbox.c.id == message_id).values(
            sent_at=utcnow(), claimed_at=None, next_attempt_at=None, last_error=None))
    return "sent"


def retry_delay(attempts: int, config) -> timedelta:
    """How long to wait after the `attempts`-th failed attempt: doubling, with a ceiling."""
    seconds = config["MAIL_RETRY_SECONDS"] * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, config["MAIL_RETRY_MAX_SECONDS"]))


def _record_failure(message_id: int, attempts: int, exc: Exception) -> str:
    config = current_app.config
    now = utcnow()
    error = f"{type(exc).__name__}: {exc}"[:1000]
    values: dict = {"claimed_at": None, "last_error": error}
    if attempts >= config["MAIL_MAX_ATTEMPTS"]:
        outcome = "failed"
        values.update(failed_at=now, next_attempt_at=None)
    else:
        outcome = "retry"
        values["next_attempt_at"] = now + retry_delay(attempts, config)
    with db.engine.begin() as conn:
        conn.execute(update(_outbox).where(_outbox.c.id == message_id).values(**values))
    fields = {"event": "mail", "outcome": outcome, "message_id": message_id,
              "attempts": attempts, "error": error,
              "next_attempt_at": values.get("next_attempt_at")}
    if outcome == "failed":
        current_app.logger.error("E-post %s gavs upp efter %s försök: %s", message_id,
                                 attempts, error, extra={"fields": fields})
    else:
        current_app.logger.warning("E-post %s kunde inte skickas (försök %s), nytt försök %s: %s",
                                   message_id, attempts, values["next_attempt_at"].isoformat(),
                                   error, extra={"fields": fields})
    return outcome


def _send_smtp(config, message) -> None:
    email = EmailMessage()
    email["From"] = config["MAIL_FROM"]
    email["To"] = message.to
    email["Subject"] = message.subject
    email.set_content(message.body)
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"],
                      timeout=config.get("MAIL_TIMEOUT_SECONDS", 10)) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(email)


class BackgroundSender:
    """A daemon thread per process that delivers the ids handed to it after each commit.

    What it has not sent when the process stops stays due in the outbox for `send-mail`.
    """

    def __init__(self, app: Flask):
        self.app = app
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._unfinished = 0
        self._queue: Queue | None = None
        self._thread: threading.Thread | None = None
        self._pid: int | None = None

    def put(self, message_ids: list[int]) -> None:
        """Hand over ids to deliver; returns at once."""
        with self._lock:
            if self._pid != os.getpid() or self._thread is None or not self._thread.is_alive():
                # First use, or a forked worker: threads do not survive a fork.
                if self._pid != os.getpid():
                    self._queue, self._unfinished = Queue(), 0
                self._pid = os.getpid()
                self._thread = threading.Thread(target=self._run, name="outbox-sender",
                                                daemon=True)
                self._thread.start()
                # A command or a worker that ends right after its commit still sends what
                # it queued, up to one mail timeout; the rest waits for `send-mail`.
                atexit.register(self.wait_idle, self.app.config["MAIL_TIMEOUT_SECONDS"])
            self._unfinished += 1
            self._queue.put(message_ids)

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Wait until everything handed over is handled; False on timeout."""
        with self._idle:
            return self._idle.wait_for(lambda: self._unfinished == 0, timeout)

    def _run(self) -> None:
        queue = self._queue
        while True:
            message_ids = queue.get()
            try:
                with self.app.app_context():
                    deliver(message_ids)
            except Exception:  # noqa: BLE001 - keep the thread alive; `send-mail` retries
                self.app.logger.exception("E-post kunde inte skickas i bakgrunden: %s",
                                          message_ids)
            finally:
                with self._idle:
                    self._unfinished -= 1
                    self._idle.notify_all()
