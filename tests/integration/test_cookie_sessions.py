"""Session cookies: one this process has verified is read from memory the next time, and
that changes nothing about what a session is or how long it lasts."""

import time
from datetime import timedelta

from flask import request

from tests import factories


def _open(app, value: str):
    with app.test_request_context("/", headers={"Cookie": f"session={value}"}):
        return app.session_interface.open_session(app, request)


def _signed(app, data: dict) -> str:
    return app.session_interface.get_signing_serializer(app).dumps(data)


def test_a_cookie_read_again_gives_the_same_session(app):
    value = _signed(app, {"csrf_token": "abc", "_flashes": [["info", "Hej"]]})
    assert dict(_open(app, value)) == dict(_open(app, value)) == {
        "csrf_token": "abc", "_flashes": [["info", "Hej"]]}


def test_what_a_request_changes_in_its_session_is_not_what_the_next_one_gets(app):
    value = _signed(app, {"_flashes": [["info", "Hej"]]})
    first = _open(app, value)
    first["_flashes"].append(["info", "Igen"])
    first["_user_id"] = "1:token"
    assert dict(_open(app, value)) == {"_flashes": [["info", "Hej"]]}


def test_a_changed_or_foreign_cookie_is_no_session(app, make_app):
    value = _signed(app, {"_user_id": "1:token"})
    assert _open(app, value)["_user_id"] == "1:token"
    assert dict(_open(app, value[:-2] + ("AA" if not value.endswith("AA") else "BB"))) == {}
    other = make_app(SECRET_KEY="a different secret key of the same length, for the test")
    assert dict(_open(other, value)) == {}  # another key never finds this one's cookie


def test_a_session_ends_when_its_time_is_up_though_its_cookie_was_read_before(
        app, app_ctx, login, monkeypatch):
    user = factories.make_user(email="erik@example.se")
    factories.commit()
    client = login(user)
    assert client.get("/account/password").status_code == 200
    assert client.get("/account/password").status_code == 200  # from memory
    later = time.time() + app.permanent_session_lifetime.total_seconds() + 60
    monkeypatch.setattr(time, "time", lambda: later)
    assert client.get("/account/password").status_code == 302  # to the login page


def test_a_short_lifetime_is_kept_too(app, app_ctx, login, monkeypatch):
    app.permanent_session_lifetime = timedelta(minutes=5)
    user = factories.make_user(email="eva@example.se")
    factories.commit()
    client = login(user)
    assert client.get("/account/password").status_code == 200
    soon = time.time() + 6 * 60
    monkeypatch.setattr(time, "time", lambda: soon)
    assert client.get("/account/password").status_code == 302
