"""Logins and refused authorisations are logged as JSON lines, without secrets."""

import io
import json
import logging

import pytest

from lokalamal_app.ops.seclog import LOGGER_NAME, JsonLineFormatter
from tests import factories as f


@pytest.fixture
def security_log():
    """The security log's lines as parsed JSON (read_lines()) and as raw text (raw())."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonLineFormatter())
    logger = logging.getLogger(LOGGER_NAME)
    logger.addHandler(handler)

    class Log:
        @staticmethod
        def raw() -> str:
            return stream.getvalue()

        @staticmethod
        def read_lines() -> list[dict]:
            return [json.loads(line) for line in stream.getvalue().splitlines()]

    yield Log
    logger.removeHandler(handler)


def test_failed_and_successful_logins_are_logged(app_ctx, client, security_log):
    user = f.make_user(email="lena@example.se")
    f.commit()

    client.post("/login", data={"email": "Lena@example.se", "password": "hemligt-fel-1"})
    client.post("/login", data={"email": "lena@example.se", "password": f.PASSWORD})

    failed, success = security_log.read_lines()
    assert failed["event"] == success["event"] == "login"
    assert (failed["outcome"], failed["status"]) == ("failure", 401)
    assert failed["account"] == "lena@example.se"
    assert failed["client"] == "127.0.0.1"
    assert failed["time"].endswith("Z")
    assert success["outcome"] == "success"
    assert success["user_id"] == user.id
    text = security_log.raw()
    assert "hemligt-fel-1" not in text and f.PASSWORD not in text
    assert "session" not in text and "csrf" not in text.lower()


def test_locked_login_is_logged_with_429(app_ctx, make_app, security_log):
    f.make_user(email="lasse@example.se")
    f.commit()
    app = make_app(LOGIN_LOCK_AFTER=2)
    c = app.test_client()
    statuses = [
        c.post("/login", data={"email": "lasse@example.se", "password": "fel"}).status_code
        for _ in range(3)
    ]
    assert statuses == [401, 401, 429]
    outcomes = [line["outcome"] for line in security_log.read_lines()]
    assert outcomes == ["failure", "failure", "locked"]


def test_every_403_is_logged_with_the_account(app_ctx, login, security_log):
    person = f.make_user(email="olle@example.se")
    f.commit()
    c = login(person)

    response = c.get("/privacy/staff/anonymise")

    assert response.status_code == 403
    refusal = security_log.read_lines()[-1]
    assert refusal["event"] == "authorisation"
    assert refusal["outcome"] == "refused"
    assert refusal["status"] == 403
    assert refusal["account"] == "olle@example.se"
    assert refusal["user_id"] == person.id
    assert refusal["route"] == "/privacy/staff/anonymise"


def test_client_address_comes_from_the_proxy_only_when_configured(app_ctx, make_app,
                                                                  security_log):
    headers = {"X-Forwarded-For": "203.0.113.7"}
    data = {"email": "ingen@example.se", "password": "fel"}
    make_app().test_client().post("/login", data=data, headers=headers)
    make_app(PROXY_FIX_X_FOR=1).test_client().post("/login", data=data, headers=headers)

    direct, proxied = security_log.read_lines()
    assert direct["client"] == "127.0.0.1"
    assert proxied["client"] == "203.0.113.7"


def test_reset_tokens_never_reach_the_log(app_ctx, login, security_log):
    person = f.make_user()
    f.commit()
    login(person).get("/privacy/staff/anonymise?token=abc123secret")
    assert "abc123secret" not in security_log.raw()
