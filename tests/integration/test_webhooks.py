"""Outgoing webhooks: admins save only Slack or Teams addresses; a reached milestone is
queued in its transaction and posted after commit by `send-webhooks`, retried on errors,
given up after a few tries."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from lokalamal_app.extensions import db
from lokalamal_app.models import WebhookDelivery, WebhookEndpoint
from lokalamal_app.webhooks import sender
from tests import factories


class _Hook(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 - http.server's name
        length = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(length)
        server = self.server
        server.received.append((self.path, self.headers.get("Content-Type"), body))
        status = server.answers.pop(0) if server.answers else 200
        self.send_response(status)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


@pytest.fixture
def hook_server():
    server = HTTPServer(("127.0.0.1", 0), _Hook)
    server.received, server.answers = [], []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def hook_app(make_app, hook_server):
    app = make_app(WEBHOOK_TEST_ALLOWED_BASE=f"http://127.0.0.1:{hook_server.server_port}",
                   WEBHOOK_MAX_ATTEMPTS=3)
    with app.app_context():
        yield app


@pytest.fixture
def world(hook_app):
    admin = factories.make_user(display_name="Admin")
    company = factories.make_company(admin=admin, name="Kopparlunden AB")
    captain = factories.make_user(display_name="Kapten")
    team = factories.make_team(company, captain=captain, name="Fikagänget")
    factories.commit()
    return type("World", (), dict(**locals()))


def _login(app, user):
    client = app.test_client()
    response = client.post("/login", data={"email": user.email, "password": factories.PASSWORD})
    assert response.status_code == 302
    return client


def _hook_url(server, path="/slack/hook"):
    return f"http://127.0.0.1:{server.server_port}{path}"


def _reach_a_milestone(world, client):
    assert client.post(f"/teams/{world.team.slug}/milestones",
                       data={"amount": "100", "promise": "Tårta på fredag"}).status_code == 302
    factories.make_collection(world.team, amount_ore=150_00, logged_by=world.captain)
    factories.commit()


def test_a_reached_milestone_is_posted_as_json_after_commit(world, hook_app, hook_server):
    admin = _login(hook_app, world.admin)
    response = admin.post(f"/companies/{world.company.slug}/webhooks",
                          data={"url": _hook_url(hook_server)})
    assert response.status_code == 302
    _reach_a_milestone(world, _login(hook_app, world.captain))
    assert hook_server.received == []  # nothing leaves inside the request
    assert sender.deliver_due() == {"sent": 1}
    path, content_type, body = hook_server.received[0]
    assert path == "/slack/hook" and content_type.startswith("application/json")
    data = json.loads(body)
    assert "Fikagänget har nått 100\u00a0kr" in data["text"]
    assert "Tårta på fredag" in data["text"]
    assert data["lokalamal"]["event"] == "milestone.reached"
    assert sender.deliver_due() == {}  # sent once


def test_an_error_answer_is_retried_and_given_up_after_the_last_try(world, hook_app,
                                                                     hook_server):
    _login(hook_app, world.admin).post(f"/companies/{world.company.slug}/webhooks",
                                       data={"url": _hook_url(hook_server, "/teams/hook")})
    _reach_a_milestone(world, _login(hook_app, world.captain))
    hook_server.answers = [500]
    assert sender.deliver_due() == {"retry": 1}
    assert sender.deliver_due() == {"sent": 1}  # the testing delay is zero
    assert len(hook_server.received) == 2
    teams_body = json.loads(hook_server.received[1][2])
    assert teams_body["type"] == "message" and teams_body["attachments"]

    delivery = db.session.execute(db.select(WebhookDelivery)).scalar_one()
    db.session.execute(db.update(WebhookDelivery).values(sent_at=None, attempts=0))
    factories.commit()
    hook_server.answers = [500, 500, 500]
    assert sender.deliver_due() == {"retry": 1}
    assert sender.deliver_due() == {"retry": 1}
    assert sender.deliver_due() == {"failed": 1}
    assert sender.deliver_due() == {}
    db.session.refresh(delivery)
    assert delivery.failed_at is not None and "500" in delivery.last_error


def test_send_webhooks_command_posts_what_is_due(world, hook_app, hook_server):
    _login(hook_app, world.admin).post(f"/companies/{world.company.slug}/webhooks",
                                       data={"url": _hook_url(hook_server)})
    _reach_a_milestone(world, _login(hook_app, world.captain))
    result = hook_app.test_cli_runner().invoke(args=["send-webhooks"])
    assert result.exit_code == 0, result.output
    assert "1 skickade" in result.output
    assert len(hook_server.received) == 1


def test_a_message_queued_as_its_address_was_removed_is_never_posted(
        world, hook_app, hook_server):
    """A milestone reached at the moment an admin removes the address: the message was
    queued by a transaction that still saw the address, too late for the removal to mark
    it. Its address row is gone, and nothing is posted there."""
    from lokalamal_app.models import WebhookDelivery, WebhookEndpoint

    _login(hook_app, world.admin).post(f"/companies/{world.company.slug}/webhooks",
                                       data={"url": _hook_url(hook_server)})
    _reach_a_milestone(world, _login(hook_app, world.captain))
    # The removal as the race leaves it: the address deleted, the queued message unmarked.
    db.session.execute(db.delete(WebhookEndpoint).where(
        WebhookEndpoint.company_id == world.company.id))
    factories.commit()
    result = hook_app.test_cli_runner().invoke(args=["send-webhooks"])
    assert result.exit_code == 0, result.output
    assert hook_server.received == []
    db.session.expire_all()
    delivery = db.session.execute(db.select(WebhookDelivery)).scalar_one()
    assert delivery.sent_at is None and delivery.last_error == "endpoint removed"
    assert delivery.failed_at is not None


@pytest.mark.parametrize("url, message", [
    ("http://hooks.slack.com/services/T/B/X", "Adressen måste börja med https://."),
    ("https://intern.example.se/services/T/B/X", "Bara webhookadresser från Slack"),
    ("https://192.168.1.10/hook", "Adressen får inte vara en IP-adress."),
    ("https://hooks.slack.com:444/services/T/B/X", "Adressen får inte ange någon port."),
])
def test_other_addresses_are_refused_at_the_form_in_swedish(world, hook_app, url, message):
    response = _login(hook_app, world.admin).post(
        f"/companies/{world.company.slug}/webhooks", data={"url": url})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.execute(db.select(db.func.count(WebhookEndpoint.id))).scalar_one() == 0


def test_only_the_workplaces_admins_set_and_remove_webhooks(world, hook_app):
    url = f"/companies/{world.company.slug}/webhooks"
    slack = "https://hooks.slack.com/services/T0/B0/secret"
    assert _login(hook_app, world.captain).post(url, data={"url": slack}).status_code == 403
    assert hook_app.test_client().get(url).status_code == 302
    admin = _login(hook_app, world.admin)
    assert admin.post(url, data={"url": slack}).status_code == 302
    assert "hooks.slack.com" in admin.get(url).get_data(as_text=True)
    assert "secret" not in admin.get(url).get_data(as_text=True)
    endpoint = db.session.execute(db.select(WebhookEndpoint)).scalar_one()
    remove = f"{url}/{endpoint.id}/remove"
    assert _login(hook_app, world.captain).post(remove).status_code == 403
    assert admin.post(remove).status_code == 302
    assert db.session.execute(db.select(db.func.count(WebhookEndpoint.id))).scalar_one() == 0


def test_a_lead_change_in_a_challenge_is_posted_to_both_workplaces_once(
        hook_app, hook_server, freeze_clock):
    from datetime import UTC, datetime

    from tests import challenge_helpers

    freeze_clock(datetime(2026, 11, 18, 11, 0, tzinfo=UTC))
    ours, admin = challenge_helpers.workplace(name="Mälarhamnen AB")
    theirs = challenge_helpers.workplace(name="Kopparlunden AB")
    challenge = challenge_helpers.running(ours, admin, [theirs])
    for company, path in ((ours, "/ours"), (theirs[0], "/theirs")):
        db.session.add(WebhookEndpoint(company_id=company.id, kind="slack",
                                       url=_hook_url(hook_server, path),
                                       created_by_id=admin.id))
    our_team = factories.make_team(ours, target_ore=None)
    their_team = factories.make_team(theirs[0], target_ore=None)
    factories.commit()
    runner = hook_app.test_cli_runner()
    # The first run only marks where it starts: what happened before is old news.
    assert runner.invoke(args=["send-webhooks"]).exit_code == 0
    assert hook_server.received == []

    factories.make_collection(their_team, amount_ore=100_00)
    factories.make_collection(our_team, amount_ore=150_00)  # we overtake
    factories.commit()
    assert runner.invoke(args=["send-webhooks"]).exit_code == 0
    texts = sorted((path, json.loads(body)["text"]) for path, _type, body in hook_server.received)
    assert [path for path, _text in texts] == ["/ours", "/ours", "/theirs", "/theirs"]
    assert any("Mälarhamnen AB tar ledningen mot Kopparlunden AB!" in text for _p, text in texts)
    assert all(f"/challenges/{challenge.id}" in text for _p, text in texts)

    # Run again with nothing new: nothing is told twice.
    hook_server.received.clear()
    assert runner.invoke(args=["send-webhooks"]).exit_code == 0
    assert hook_server.received == []


def test_a_rounds_result_reaches_the_channels_when_the_round_has_ended(
        world, hook_app, hook_server, freeze_clock):
    from datetime import date, datetime, time

    from lokalamal_app import clock
    from lokalamal_app.rounds import services as rounds

    freeze_clock(datetime.combine(date(2026, 10, 20), time(12), tzinfo=clock.zone()))
    rounds.generate_monthly_rounds(1, None)  # the seeded campaign, from 1 September
    db.session.add(WebhookEndpoint(company_id=world.company.id, kind="slack",
                                   url=_hook_url(hook_server), created_by_id=world.admin.id))
    factories.make_collection(world.team, amount_ore=500_00, collected_on=date(2026, 10, 5))
    factories.commit()
    runner = hook_app.test_cli_runner()
    assert runner.invoke(args=["send-webhooks"]).exit_code == 0
    # September (no money) is told; October is still running.
    texts = [json.loads(body)["text"] for _path, _type, body in hook_server.received]
    assert not any("Oktober 2026" in text for text in texts)

    hook_server.received.clear()
    freeze_clock(datetime.combine(date(2026, 11, 2), time(12), tzinfo=clock.zone()))
    assert runner.invoke(args=["send-webhooks"]).exit_code == 0
    texts = [json.loads(body)["text"] for _path, _type, body in hook_server.received]
    assert len(texts) == 1
    assert "Omgången Oktober 2026 är avgjord: 1. Fikagänget (500\u00a0kr)" in texts[0]
    assert "bästa arbetsplats: Kopparlunden AB (500\u00a0kr)" in texts[0]
    assert "/leaderboards/honours" in texts[0]
    # Told once: the next run finds nothing new.
    hook_server.received.clear()
    assert runner.invoke(args=["send-webhooks"]).exit_code == 0
    assert hook_server.received == []


def test_the_same_address_sent_twice_at_once_is_saved_once_and_never_a_500(
        world, hook_app, hook_server):
    """A double click: two requests add the same address at the same moment. The unique
    rule keeps one; the other answers 409 (or 422 when it saw the first), never a 500."""
    import threading

    path = f"/companies/{world.company.slug}/webhooks"
    clients = [_login(hook_app, world.admin), _login(hook_app, world.admin)]
    for round_number in range(3):
        url = _hook_url(hook_server, f"/slack/hook{round_number}")
        barrier, answers = threading.Barrier(2), []

        def add(client, url=url, barrier=barrier, answers=answers):
            barrier.wait()
            answers.append(client.post(path, data={"url": url}).status_code)

        threads = [threading.Thread(target=add, args=(client,)) for client in clients]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert sorted(answers)[0] == 302 and sorted(answers)[1] in (302, 409, 422), answers
        db.session.rollback()
        saved = db.session.execute(db.select(db.func.count(WebhookEndpoint.id)).where(
            WebhookEndpoint.url == url)).scalar_one()
        assert saved == 1
