"""Accounts: register, log in and out, change and reset the password, throttling."""

import re
import time

import pytest

from lokalamal_app.extensions import db
from lokalamal_app.models import OutboxMessage, User
from tests import factories


def _users():
    return db.session.execute(db.select(User)).scalars().all()


def register(client, **overrides):
    data = {"display_name": "Amina Hassan", "email": "amina@example.se",
            "password": "kaffe på fredag"}
    data.update(overrides)
    return client.post("/register", data=data)


def test_register_logs_in_and_stores_a_lowercased_email(client, app_ctx):
    response = register(client, email="Amina@Example.SE")
    assert response.status_code == 302
    user = db.session.execute(db.select(User)).scalar_one()
    assert user.email == "amina@example.se"
    assert user.password_hash.startswith("$argon2id$")
    assert "Amina Hassan" in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"email": "inte-en-adress"}, "email", "giltig e-postadress"),
        ({"password": "kort"}, "password", "minst 8 tecken"),
        ({"password": "password123"}, "password", "för vanligt"),
        ({"display_name": ""}, "display_name", "Skriv ditt namn"),
        ({"display_name": "x" * 10_000}, "display_name", "högst 80 tecken"),
        ({"display_name": "   "}, "display_name", "Skriv ditt namn"),
    ],
)
def test_bad_registration_says_why_at_the_field_and_keeps_what_was_typed(
    client, app_ctx, overrides, field, message
):
    response = register(client, **overrides)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html
    assert f'id="{field}-error"' in html
    if field != "email":
        assert 'value="amina@example.se"' in html
    assert 'value="kaffe på fredag"' not in html  # the password is never sent back
    assert _users() == []


def test_registering_twice_with_one_email_in_any_case_is_refused(client, app_ctx):
    factories.make_user(email="amina@example.se")
    factories.commit()
    response = register(client, email="AMINA@example.se")
    assert response.status_code == 422
    assert "Det finns redan ett konto" in response.get_data(as_text=True)
    assert len(_users()) == 1


def test_wrong_password_and_unknown_email_get_the_same_generic_message(client, app_ctx):
    factories.make_user(email="erik@example.se")
    factories.commit()
    wrong = client.post("/login", data={"email": "erik@example.se", "password": "fel fel fel"})
    unknown = client.post("/login", data={"email": "ingen@example.se", "password": "fel fel fel"})
    assert wrong.status_code == unknown.status_code == 401
    for response in (wrong, unknown):
        assert "Fel e-postadress eller lösenord." in response.get_data(as_text=True)


def test_login_with_right_password_and_any_letter_case(client, app_ctx):
    factories.make_user(email="erik@example.se")
    factories.commit()
    response = client.post("/login", data={"email": "Erik@Example.se",
                                           "password": factories.PASSWORD})
    assert response.status_code == 302


def test_next_parameter_never_leads_off_site(client, app_ctx):
    factories.make_user(email="erik@example.se")
    factories.commit()
    response = client.post("/login?next=//evil.example/x",
                           data={"email": "erik@example.se", "password": factories.PASSWORD})
    # Erik belongs to no workplace yet: his next step is finding his.
    assert response.headers["Location"] == "/companies"


def test_after_logging_in_a_member_lands_on_their_team_and_staff_on_their_overview(
        app, app_ctx):
    member = factories.make_user(email="maja@example.se")
    company = factories.make_company(name="Landning AB")
    team = factories.make_team(company, captain=member, name="Landningslaget")
    factories.make_user(email="ola@example.se")
    lonely = factories.make_company(name="Utan lag AB")
    factories.add_member(lonely, db.session.execute(
        db.select(User).where(User.email == "ola@example.se")).scalar_one())
    factories.make_user(email="stina@example.se", is_staff=True)
    factories.commit()

    def lands(email):
        return app.test_client().post("/login", data={
            "email": email, "password": factories.PASSWORD}).headers["Location"]

    assert lands("maja@example.se") == f"/teams/{team.slug}"
    assert lands("ola@example.se") == f"/companies/{lonely.slug}"
    assert lands("stina@example.se") == "/staff"


def test_login_rehashes_a_password_stored_with_old_parameters(client, app_ctx):
    from argon2 import PasswordHasher

    user = factories.make_user(email="erik@example.se")
    user.password_hash = PasswordHasher(time_cost=2, memory_cost=2048, parallelism=2).hash(
        factories.PASSWORD
    )
    factories.commit()
    old = user.password_hash
    assert client.post("/login", data={"email": "erik@example.se",
                                       "password": factories.PASSWORD}).status_code == 302
    db.session.refresh(user)
    assert user.password_hash != old
    assert "m=1024,t=1,p=1" in user.password_hash


@pytest.mark.parametrize("renewed", [False, True], ids=["current-hash", "hash-renewed"])
def test_a_password_changed_while_the_old_one_is_checked_does_not_let_the_old_one_in(
        client, app_ctx, monkeypatch, renewed):
    """A password reset lands while a login with the old password is being checked (the
    check is slow on purpose and made outside any transaction): the login is refused, and
    the new password stays (a renewed hash of the old one is never written over it)."""
    from argon2 import PasswordHasher

    from lokalamal_app.auth import services

    user = factories.make_user(email="erik@example.se")
    if renewed:  # stored with old parameters: the login would write a renewed hash back
        user.password_hash = PasswordHasher(time_cost=2, memory_cost=2048, parallelism=2).hash(
            factories.PASSWORD)
    factories.commit()
    check = services.check_password

    def reset_meanwhile(candidate, password):
        result = check(candidate, password)
        services.set_password(db.session.get(User, candidate.user_id), "Ett helt nytt lösen 42")
        db.session.flush()
        return result

    monkeypatch.setattr(services, "check_password", reset_meanwhile)
    response = client.post("/login", data={"email": "erik@example.se",
                                           "password": factories.PASSWORD})
    assert response.status_code == 401
    monkeypatch.undo()
    db.session.rollback()
    assert client.post("/login", data={"email": "erik@example.se",
                                       "password": factories.PASSWORD}).status_code == 401


def test_an_attackers_failures_lock_only_their_own_address_out_of_the_account(
    shared_app, app_ctx
):
    """Guessing from one address shuts that address out of the account; the owner, at
    their own address, still gets in with the right password."""
    app = shared_app
    factories.make_user(email="erik@example.se")
    factories.commit()
    attacker = app.test_client()
    for _ in range(app.config["LOGIN_LOCK_AFTER"]):
        attacker.post("/login", data={"email": "erik@example.se", "password": "fel fel fel"},
                      environ_base={"REMOTE_ADDR": "10.6.6.6"})
    right = {"email": "erik@example.se", "password": factories.PASSWORD}
    response = attacker.post("/login", data=right, environ_base={"REMOTE_ADDR": "10.6.6.6"})
    assert response.status_code == 429
    assert "För många misslyckade försök" in response.get_data(as_text=True)
    owner = app.test_client().post("/login", data=right,
                                   environ_base={"REMOTE_ADDR": "10.9.9.9"})
    assert owner.status_code == 302


def test_a_new_password_from_a_reset_link_ends_the_lock(shared_app, app_ctx):
    from lokalamal_app.auth import services

    app, client = shared_app, shared_app.test_client()
    user = factories.make_user(email="erik@example.se")
    factories.commit()
    for _ in range(app.config["LOGIN_LOCK_AFTER"]):
        client.post("/login", data={"email": "erik@example.se", "password": "fel fel fel"})
    new = {"email": "erik@example.se", "password": "ett helt nytt lösen"}
    assert client.post("/login", data=new).status_code == 429
    link = f"/password/reset/{services.reset_token(user)}"
    reset = client.post(link, data={"password": new["password"], "confirm": new["password"]})
    assert reset.status_code == 302
    assert client.post("/login", data=new).status_code == 302


def test_one_failure_less_than_the_limit_still_lets_the_right_password_in_and_clears_it(
    shared_app, app_ctx
):
    """A successful login forgets the account's failures, not the client address's."""
    app, client = shared_app, shared_app.test_client()
    factories.make_user(email="erik@example.se")
    factories.commit()
    wrong = {"email": "erik@example.se", "password": "fel fel fel"}
    right = {"email": "erik@example.se", "password": factories.PASSWORD}
    for _ in range(app.config["LOGIN_LOCK_AFTER"] - 1):
        assert client.post("/login", data=wrong, environ_base={"REMOTE_ADDR": "10.3.3.3"}
                           ).status_code == 401
    assert app.test_client().post("/login", data=right, environ_base={"REMOTE_ADDR": "10.4.4.4"}
                                  ).status_code == 302
    # The account starts again from nothing: one more failure from elsewhere does not lock it.
    assert client.post("/login", data=wrong, environ_base={"REMOTE_ADDR": "10.5.5.5"}
                       ).status_code == 401
    assert app.test_client().post("/login", data=right, environ_base={"REMOTE_ADDR": "10.6.6.6"}
                                  ).status_code == 302
    # The first address kept its failures on the account: one more locks it out of it.
    client.post("/login", data=wrong, environ_base={"REMOTE_ADDR": "10.3.3.3"})
    assert client.post("/login", data=right, environ_base={"REMOTE_ADDR": "10.3.3.3"}
                       ).status_code == 429


def test_one_address_guessing_many_accounts_is_refused_for_any_account(shared_app, app_ctx):
    app, client = shared_app, shared_app.test_client()
    factories.make_user(email="erik@example.se")
    factories.commit()
    app.config["LOGIN_ADDRESS_LOCK_AFTER"] = 5
    try:
        for n in range(5):
            client.post("/login", data={"email": f"gissning{n}@example.se", "password": "x" * 8},
                        environ_base={"REMOTE_ADDR": "10.1.1.1"})
        response = client.post("/login", data={"email": "erik@example.se",
                                               "password": factories.PASSWORD},
                               environ_base={"REMOTE_ADDR": "10.1.1.1"})
        assert response.status_code == 429
        elsewhere = app.test_client().post(
            "/login", data={"email": "erik@example.se", "password": factories.PASSWORD},
            environ_base={"REMOTE_ADDR": "10.2.2.2"})
        assert elsewhere.status_code == 302
    finally:
        app.config["LOGIN_ADDRESS_LOCK_AFTER"] = 100


def test_colleagues_mistakes_behind_one_office_address_do_not_lock_out_the_office(
    shared_app, app_ctx
):
    """Ten people behind the office's shared address who each mistype do not stop the
    eleventh from logging in there with the right password."""
    app = shared_app
    factories.make_user(email="erik@example.se")
    factories.commit()
    office = {"REMOTE_ADDR": "10.7.7.7"}
    for n in range(app.config["LOGIN_LOCK_AFTER"] + 2):
        app.test_client().post("/login", data={"email": f"kollega{n}@example.se",
                                               "password": "fel fel fel"}, environ_base=office)
    response = app.test_client().post(
        "/login", data={"email": "erik@example.se", "password": factories.PASSWORD},
        environ_base=office)
    assert response.status_code == 302


def test_the_lock_holds_across_server_processes_sharing_the_database(
    shared_app, app_ctx, make_app
):
    """Another app instance (another worker) sees the same failures."""
    app, client = shared_app, shared_app.test_client()
    factories.make_user(email="erik@example.se")
    factories.commit()
    for _ in range(app.config["LOGIN_LOCK_AFTER"]):
        client.post("/login", data={"email": "erik@example.se", "password": "fel fel fel"})
    second_worker = make_app(REDIS_URL=app.config["REDIS_URL"])
    response = second_worker.test_client().post(
        "/login", data={"email": "erik@example.se", "password": factories.PASSWORD}
    )
    assert response.status_code == 429


def test_the_lock_ends_with_the_window(shared_app, app_ctx, make_app):
    """LOGIN_WINDOW_SECONDS after the failures the account may try again."""
    app = make_app(REDIS_URL=shared_app.config["REDIS_URL"], LOGIN_LOCK_AFTER=2,
                   LOGIN_WINDOW_SECONDS=1)
    factories.make_user(email="erik@example.se")
    factories.commit()
    client = app.test_client()
    for _ in range(2):
        client.post("/login", data={"email": "erik@example.se", "password": "fel fel fel"})
    right = {"email": "erik@example.se", "password": factories.PASSWORD}
    assert client.post("/login", data=right).status_code == 429
    time.sleep(1.2)
    assert client.post("/login", data=right).status_code == 302


def test_failures_are_slowed_before_they_are_refused(shared_app, app_ctx, monkeypatch):
    from lokalamal_app.auth import throttle

    app, client = shared_app, shared_app.test_client()
    slept = []
    monkeypatch.setattr(throttle.time, "sleep", slept.append)
    app.config["LOGIN_SLOW_SECONDS"] = 0.5
    try:
        factories.make_user(email="erik@example.se")
        factories.commit()
        for _ in range(app.config["LOGIN_SLOW_AFTER"] + 1):
            client.post("/login", data={"email": "erik@example.se", "password": "fel fel fel"})
    finally:
        app.config["LOGIN_SLOW_SECONDS"] = 0.0
    assert slept == [0.5]


def test_logout_ends_a_copied_session_cookie(app, app_ctx, login):
    user = factories.make_user(email="erik@example.se")
    factories.commit()
    first = login(user)
    copy = app.test_client()
    copy.set_cookie("session", first.get_cookie("session").value)
    assert copy.get("/account/password").status_code == 200
    first.post("/logout")
    assert copy.get("/account/password").status_code == 302


def test_change_password_needs_the_current_one_and_ends_other_sessions(app, app_ctx, login):
    user = factories.make_user(email="erik@example.se")
    factories.commit()
    mine, other = login(user), login(user)
    wrong = mine.post("/account/password", data={"current_password": "gissat fel",
                                                 "new_password": "nytt långt lösen"})
    assert wrong.status_code == 422
    assert "stämmer inte" in wrong.get_data(as_text=True)
    ok = mine.post("/account/password", data={"current_password": factories.PASSWORD,
                                              "new_password": "nytt långt lösen"})
    assert ok.status_code == 302
    assert mine.get("/account/password").status_code == 200  # still logged in here
    assert other.get("/account/password").status_code == 302  # but not there
    fresh = app.test_client()
    assert fresh.post("/login", data={"email": "erik@example.se",
                                      "password": "nytt långt lösen"}).status_code == 302


def test_a_disabled_account_is_logged_out_and_cannot_log_in(app, app_ctx, login):
    user = factories.make_user(email="erik@example.se")
    factories.commit()
    client = login(user)
    user.disabled = True
    factories.commit()
    assert client.get("/account/password").status_code == 302
    assert app.test_client().post("/login", data={"email": "erik@example.se",
                                                  "password": factories.PASSWORD}).status_code == 401


def _reset_link() -> str:
    message = db.session.execute(
        db.select(OutboxMessage).order_by(OutboxMessage.id.desc())
    ).scalars().first()
    match = re.search(r"http://localhost(/password/reset/\S+)", message.body)
    assert match, message.body
    return match.group(1)


def test_password_reset_by_mail_link_works_once(client, app_ctx):
    factories.make_user(email="erik@example.se")
    factories.commit()
    response = client.post("/password/forgot", data={"email": "Erik@example.se"})
    assert response.status_code == 302
    link = _reset_link()
    assert client.get(link).status_code == 200
    done = client.post(link, data={"password": "ett helt nytt lösen"})
    assert done.status_code == 302
    assert client.post("/login", data={"email": "erik@example.se",
                                       "password": "ett helt nytt lösen"}).status_code == 302
    # The same link a second time: used.
    assert client.get(link).status_code == 404


def test_reset_for_an_unknown_address_sends_no_link_but_answers_the_same(client, app_ctx):
    response = client.post("/password/forgot", data={"email": "ingen@example.se"})
    assert response.status_code == 302
    message = db.session.execute(db.select(OutboxMessage)).scalar_one()
    assert message.to == "ingen@example.se"
    assert "inget aktivt konto" in message.body and "/password/reset/" not in message.body


def test_reset_link_expires(app, client, app_ctx, monkeypatch):
    factories.make_user(email="erik@example.se")
    factories.commit()
    client.post("/password/forgot", data={"email": "erik@example.se"})
    link = _reset_link()
    monkeypatch.setitem(app.config, "PASSWORD_RESET_MAX_AGE", -1)
    response = client.get(link)
    assert response.status_code == 404
    assert "har gått ut" in response.get_data(as_text=True)


def test_reset_with_a_common_password_is_refused_and_link_stays_valid(client, app_ctx):
    factories.make_user(email="erik@example.se")
    factories.commit()
    client.post("/password/forgot", data={"email": "erik@example.se"})
    link = _reset_link()
    response = client.post(link, data={"password": "qwerty123"})
    assert response.status_code == 422
    assert client.get(link).status_code == 200


def test_a_reset_mail_goes_over_smtp_after_the_request_commits(app, client, app_ctx,
                                                               monkeypatch):
    from lokalamal_app import mail

    factories.make_user(email="erik@example.se")
    factories.commit()
    sent = []
    monkeypatch.setattr(mail, "_send_smtp", lambda config, message: sent.append(message.to))
    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.example.se")
    assert client.post("/password/forgot", data={"email": "erik@example.se"}).status_code == 302
    assert sent == ["erik@example.se"]
    message = db.session.execute(db.select(OutboxMessage)).scalar_one()
    assert message.sent_at is not None and message.attempts == 1


def test_cookies_are_httponly_and_samesite_lax(client, app_ctx):
    factories.make_user(email="erik@example.se")
    factories.commit()
    response = client.post("/login", data={"email": "erik@example.se",
                                           "password": factories.PASSWORD, "remember": "y"})
    cookies = response.headers.getlist("Set-Cookie")
    assert cookies
    for cookie in cookies:
        assert "HttpOnly" in cookie
        assert "SameSite=Lax" in cookie


def test_production_cookies_are_secure():
    from config import ProductionConfig

    assert ProductionConfig.SESSION_COOKIE_SECURE and ProductionConfig.REMEMBER_COOKIE_SECURE
