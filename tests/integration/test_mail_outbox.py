"""Mail leaves after commit: a mail server that is down or slow never fails or holds up a
money change, failed mail is retried later, a message goes out once however many senders
race for it, and a transaction that rolls back sends nothing."""

import logging
import threading
import time
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import text

from lokalamal_app import clock, mail
from lokalamal_app.extensions import db
from lokalamal_app.ledger import totals
from lokalamal_app.models import LedgerEntry, OutboxMessage
from lokalamal_app.models.base import as_utc, utcnow
from lokalamal_app.notifications import notify
from tests import factories
from tests.smtp_helpers import LoopbackSmtp, closed_port


@pytest.fixture
def world(app_ctx):
    admin = factories.make_user()
    company = factories.make_company(admin=admin, name="Kopparlunden AB")
    member = factories.make_user(email="maja@example.se")
    team = factories.make_team(company, captain=member, name="Fikagänget")
    staff = factories.make_user(is_staff=True)
    entry = factories.make_collection(team, amount_ore=300_00, logged_by=member)
    factories.commit()
    return type("World", (), dict(**locals()))


def smtp_config(port: int) -> dict:
    return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port, "MAIL_USE_TLS": False,
            "MAIL_USERNAME": None}


def use_mail_server(monkeypatch, app, port: int) -> None:
    for key, value in smtp_config(port).items():
        monkeypatch.setitem(app.config, key, value)


def outbox() -> list[OutboxMessage]:
    db.session.rollback()  # a fresh snapshot: the senders write on their own connections
    return db.session.execute(db.select(OutboxMessage).order_by(OutboxMessage.id)
                              ).scalars().all()


def reported(team) -> int:
    tally = totals.figures("team", team.id)
    return tally.reported_ore if tally else 0


def reject(client, entry):
    return client.post(f"/ledger/entries/{entry.id}/reject",
                       data={"reason": "Vi hittar ingen Swish den dagen"})


def later(monkeypatch, **delta) -> None:
    """Move the outbox's clock forward."""
    moved = utcnow() + timedelta(**delta)
    monkeypatch.setattr(mail, "utcnow", lambda: moved)


def queue_mail(app, count: int = 1) -> list[int]:
    """Messages in the outbox that no one has tried to send yet."""
    original = app.config["MAIL_DELIVERY"]
    app.config["MAIL_DELIVERY"] = "command"
    try:
        messages = [mail.send_mail(f"person{n}@example.se", f"Hej {n}", "Text")
                    for n in range(count)]
        db.session.commit()
    finally:
        app.config["MAIL_DELIVERY"] = original
    return [message.id for message in messages]


def test_a_rejection_with_the_mail_server_down_is_done_and_the_mail_goes_later(
        app, world, login, runner, monkeypatch):
    use_mail_server(monkeypatch, app, closed_port())
    assert reported(world.team) == 300_00

    response = reject(login(world.staff), world.entry)

    assert response.status_code == 303
    db.session.rollback()
    assert db.session.get(LedgerEntry, world.entry.id).status == "rejected"
    assert reported(world.team) == 0
    [message] = outbox()
    assert (message.to, message.subject) == ("maja@example.se", "En insamling avvisades")
    assert message.sent_at is None and message.failed_at is None
    assert message.attempts == 1 and "ConnectionRefused" in message.last_error
    assert as_utc(message.next_attempt_at) > utcnow()

    with LoopbackSmtp() as smtp:
        use_mail_server(monkeypatch, app, smtp.port)
        early = runner.invoke(args=["send-mail"])
        assert "0 skickade" in early.output and smtp.messages == []  # not due yet

        later(monkeypatch, minutes=2)
        result = runner.invoke(args=["send-mail"])

    assert result.exit_code == 0, result.output
    assert "1 skickade" in result.output
    assert smtp.subjects() == ["En insamling avvisades"]
    assert smtp.messages[0]["To"] == "maja@example.se"
    assert "Vi hittar ingen Swish den dagen" in smtp.messages[0].get_content()
    [message] = outbox()
    assert message.sent_at is not None and message.last_error is None
    assert message.attempts == 2


def test_a_slow_mail_server_neither_holds_up_the_request_nor_locks_the_workplace(
        app, make_app, world):
    with LoopbackSmtp(greet_after=4) as smtp:
        server = make_app(MAIL_DELIVERY="background", **smtp_config(smtp.port))
        staff, member = server.test_client(), server.test_client()
        for client, user in ((staff, world.staff), (member, world.member)):
            client.post("/login", data={"email": user.email, "password": factories.PASSWORD})

        started = time.monotonic()
        response = reject(staff, world.entry)
        assert response.status_code == 303
        assert time.monotonic() - started < 2

        # The sender is now connected and waiting for the server's greeting.
        assert smtp.connected.wait(5)
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect() as conn:
                conn.execute(text("SET lock_timeout = '500ms'"))
                conn.execute(text("SELECT id FROM tally FOR UPDATE NOWAIT")).all()
                conn.rollback()
        started = time.monotonic()
        logged = member.post(f"/teams/{world.team.id}/collections", data={
            "amount": "150", "collected_on": clock.today().isoformat(), "method": "swish",
            "note": "Loppis", "idempotency_key": uuid.uuid4().hex})
        assert logged.status_code == 303
        assert time.monotonic() - started < 2
        assert not smtp.delivered.is_set()  # all of that while the mail was on its way

        assert server.extensions["outbox_sender"].wait_idle(timeout=20)
    assert smtp.subjects() == ["En insamling avvisades"]
    [message] = outbox()
    assert message.sent_at is not None
    assert reported(world.team) == 150_00


def test_two_senders_racing_for_the_same_messages_send_each_once(app, app_ctx, make_app,
                                                                 monkeypatch):
    with LoopbackSmtp() as smtp:
        use_mail_server(monkeypatch, app, smtp.port)
        second_server = make_app(**smtp_config(smtp.port))
        ids = queue_mail(app, count=10)
        outcomes: list[list[str]] = [[], []]

        def sender(which: int, server, barrier: threading.Barrier, message_id: int):
            with server.app_context():
                barrier.wait(timeout=10)
                outcomes[which].append(mail.deliver_one(message_id))

        for message_id in ids:
            barrier = threading.Barrier(2)
            threads = [threading.Thread(target=sender, args=(n, server, barrier, message_id))
                       for n, server in enumerate((app, second_server))]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=30)

    assert sorted(smtp.subjects()) == sorted(f"Hej {n}" for n in range(10))
    for first, second in zip(*outcomes, strict=True):
        assert sorted((first, second)) == ["sent", "skipped"]
    assert all(message.sent_at is not None and message.attempts == 1 for message in outbox())


def test_a_rolled_back_transaction_sends_nothing(app, app_ctx, runner, monkeypatch):
    user = factories.make_user(email="maja@example.se")
    factories.commit()
    with LoopbackSmtp() as smtp:
        use_mail_server(monkeypatch, app, smtp.port)
        notify(user, "Något hände", email_subject="Hej")
        db.session.rollback()
        factories.make_user()  # a later transaction commits
        factories.commit()
        runner.invoke(args=["send-mail"])
    assert smtp.messages == []
    assert outbox() == []


def test_mail_from_a_committed_transaction_is_sent_after_the_commit(app, app_ctx, monkeypatch):
    user = factories.make_user(email="maja@example.se")
    factories.commit()
    with LoopbackSmtp() as smtp:
        use_mail_server(monkeypatch, app, smtp.port)
        notify(user, "Något hände", email_subject="Hej")
        assert smtp.messages == []  # nothing leaves inside the transaction
        db.session.commit()
    assert smtp.subjects() == ["Hej"]


def test_mail_waits_for_the_transaction_not_for_a_savepoint_in_it(app, app_ctx, monkeypatch):
    user = factories.make_user(email="maja@example.se")
    factories.commit()
    with LoopbackSmtp() as smtp:
        use_mail_server(monkeypatch, app, smtp.port)
        notify(user, "Något hände", email_subject="Hej")
        # SQLAlchemy reports a released savepoint as a commit: the mail still waits.
        with db.session.begin_nested():
            factories.make_user(email="sam@example.se")
        assert smtp.messages == []  # the transaction is still open
        db.session.commit()
    assert smtp.subjects() == ["Hej"]


def test_failed_mail_waits_longer_each_time_and_is_given_up_and_logged(
        app, app_ctx, runner, monkeypatch, caplog):
    use_mail_server(monkeypatch, app, closed_port())
    monkeypatch.setitem(app.config, "MAIL_MAX_ATTEMPTS", 3)
    [message_id] = queue_mail(app)
    waits = []
    for minutes in (0, 2, 5):
        later(monkeypatch, minutes=minutes)
        runner.invoke(args=["send-mail"])
        db.session.rollback()
        message = db.session.get(OutboxMessage, message_id)
        if message.next_attempt_at is not None:
            waits.append(as_utc(message.next_attempt_at) - mail.utcnow())
    assert [round(wait.total_seconds() / 60) for wait in waits] == [1, 2]
    assert message.attempts == 3 and message.failed_at is not None
    assert message.sent_at is None and "ConnectionRefused" in message.last_error
    assert any(record.levelno == logging.ERROR and "gavs upp efter 3 försök" in record.message
               for record in caplog.records)

    later(monkeypatch, days=1)
    result = runner.invoke(args=["send-mail"])
    assert "0 skickade" in result.output
    assert outbox()[0].attempts == 3  # never tried again


def test_a_claim_left_by_a_stopped_sender_is_taken_over_later(app, app_ctx, runner,
                                                              monkeypatch):
    [message_id] = queue_mail(app)
    message = db.session.get(OutboxMessage, message_id)
    message.claimed_at = utcnow()
    message.attempts = 1
    db.session.commit()
    assert "0 skickade" in runner.invoke(args=["send-mail"]).output

    later(monkeypatch, seconds=app.config["MAIL_CLAIM_STALE_SECONDS"] + 1)
    assert "1 skickade" in runner.invoke(args=["send-mail"]).output


def test_without_a_mail_server_the_message_is_logged_kept_and_marked_sent(
        app, app_ctx, caplog):
    user = factories.make_user(email="maja@example.se")
    factories.commit()
    with caplog.at_level(logging.INFO):
        notify(user, "Något hände", email_subject="Hej från Lokala mål")
        db.session.commit()
    [message] = outbox()
    assert message.sent_at is not None and message.attempts == 1
    assert any("Hej från Lokala mål" in record.getMessage() for record in caplog.records)
