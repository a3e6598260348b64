"""What a hostile request cannot do: start production with a weak secret, poison the
address in a reset link, redirect away from the site, exhaust a worker with a huge body,
reuse a CSRF token from before the login, or time the forgot-password form."""

import io
import re
import uuid
from urllib.parse import urlencode, urlsplit

import pytest
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import EnvironBuilder, encode_multipart, run_wsgi_app

from config import ConfigurationError, ProductionConfig
from lokalamal_app import clock, create_app
from lokalamal_app.auth import passwords
from lokalamal_app.auth import services as auth_services
from lokalamal_app.extensions import db
from lokalamal_app.models import LedgerEntry, OutboxMessage
from lokalamal_app.notifications import notify
from lokalamal_app.redirects import safe_next
from lokalamal_app.urls import external_url
from tests import factories
from tests.conftest import _Config, _end_requests_cleanly, dispose

PUBLIC_URL = "https://lokalamal.example.se"
GOOD_KEY = "0123456789abcdef" * 4


def _production_config(**overrides):
    values = {
        "SQLALCHEMY_DATABASE_URI": _Config.SQLALCHEMY_DATABASE_URI,
        "SECRET_KEY": GOOD_KEY,
        "PUBLIC_URL": PUBLIC_URL,
        "EXTRA_TRUSTED_HOSTS": ["intern.lokalamal"],
        "TESTING": True,
        "WTF_CSRF_ENABLED": False,
        "REDIS_URL": None,
        "LOGIN_SLOW_SECONDS": 0.0,
        "ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 1024, "ARGON2_PARALLELISM": 1,
    }
    values.update(overrides)
    return type("Production", (ProductionConfig,), values)


@pytest.fixture
def production_app(app):
    made = _end_requests_cleanly(create_app(_production_config()))
    yield made
    # Production sends mail from a background thread: let it finish before the tables are
    # emptied, or on SQLite it may hold the write lock the emptying needs.
    sender = made.extensions.get("outbox_sender")
    if sender is not None:
        assert sender.wait_idle(timeout=20)
    dispose(made)


def _outbox() -> list[OutboxMessage]:
    return db.session.execute(db.select(OutboxMessage).order_by(OutboxMessage.id)).scalars().all()


# --- production configuration --------------------------------------------------------------

def test_production_starts_with_a_long_random_secret_and_a_public_address(app):
    _production_config().check()


@pytest.mark.parametrize("key", ["", "dev-only-not-secret", "x" * 31])
def test_production_refuses_a_missing_default_or_short_secret(app, key):
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        create_app(_production_config(SECRET_KEY=key))


@pytest.mark.parametrize("public_url", [None, "", "lokalamal.example.se", "http://lokalamal.example.se"])
def test_production_refuses_to_start_without_an_https_public_address(app, public_url):
    with pytest.raises(ConfigurationError, match="PUBLIC_URL"):
        create_app(_production_config(PUBLIC_URL=public_url))


# --- reset links and other addresses come from PUBLIC_URL ---------------------------------

def test_a_request_for_another_host_is_refused_and_sends_no_mail(production_app, app_ctx):
    factories.make_user(email="offer@example.se")
    factories.commit()
    client = production_app.test_client()
    response = client.post("/password/forgot", data={"email": "offer@example.se"},
                           base_url="https://evil.example")
    assert response.status_code == 400
    assert "Okänd adress" in response.get_data(as_text=True)
    assert _outbox() == []


def test_reset_link_points_at_the_public_address_whatever_host_asked(production_app, app_ctx):
    factories.make_user(email="offer@example.se")
    factories.commit()
    client = production_app.test_client()
    for host in ("https://lokalamal.example.se", "http://intern.lokalamal:8000"):
        response = client.post("/password/forgot", data={"email": "offer@example.se"},
                               base_url=host)
        assert response.status_code == 302, host
    links = [re.search(r"\S+/password/reset/\S+", m.body).group(0) for m in _outbox()]
    assert len(links) == 2
    assert all(link.startswith(PUBLIC_URL + "/password/reset/") for link in links)


def test_addresses_in_mail_and_qr_codes_come_from_the_public_address(
        production_app, app_ctx, monkeypatch):
    user = factories.make_user(email="mottagare@example.se")
    factories.commit()
    with production_app.test_request_context("/", base_url="http://intern.lokalamal"):
        assert external_url("companies.join", code="abc").startswith(PUBLIC_URL + "/")
        notify(user, "Er insamling har kommit in till stadsmissionen.", link="/ledger/mine", email_subject="Tack")
        db.session.commit()
    assert f"{PUBLIC_URL}/ledger/mine" in _outbox()[-1].body

    from lokalamal_app.sharing import routes as sharing_routes

    encoded = []
    monkeypatch.setattr(sharing_routes.qr, "svg", lambda data: encoded.append(data) or "<svg/>")
    response = production_app.test_client().get("/share/qr.svg?path=/goals/x",
                                                base_url="http://intern.lokalamal")
    assert response.status_code == 200
    assert encoded == [f"{PUBLIC_URL}/goals/x"]


# --- the next parameter never leaves the site -----------------------------------------------

BYPASSES = [
    "//evil.example", "///evil.example", "////evil.example", "/\\evil.example",
    "\\\\evil.example", "\\/evil.example", "/\t/evil.example", "\t//evil.example",
    "/\n/evil.example", "/\r\n/evil.example", "/\r/evil.example", "\r\nLocation: //evil.example",
    "/%0d%0aSet-Cookie: a=b".replace("%0d%0a", "\r\n"), " //evil.example", "/\x00/evil.example",
    "/\x0b/evil.example", "/\x0c/evil.example", "https:evil.example", "https://evil.example",
    "http:/evil.example", "https:\\\\evil.example", "javascript:alert(1)", "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>", "%2F%2Fevil.example", "%2F%09%2Fevil.example",
    "/%09/evil.example", "/%2F/evil.example", "\uff0f\uff0fevil.example", "/\uff0fevil.example",
    "/\u2215evil.example", "\u2215\u2215evil.example", "/\u3000/evil.example", "evil.example",
    "//evil.example@localhost", "/goals//evil.example", "/" + "a" * 5000,
]


def _is_local(location: str) -> bool:
    parts = urlsplit(location)
    return (not parts.scheme and not parts.netloc and location.startswith("/")
            and not location.startswith("//")
            and not re.search(r"[\x00-\x20\x7f\\]", location))


@pytest.mark.parametrize("target", BYPASSES)
def test_safe_next_keeps_only_local_paths(target):
    assert _is_local(safe_next(target, "/"))
    assert safe_next(target, "/ledger/queue", under="/ledger/").startswith("/ledger/")


def test_safe_next_keeps_a_local_path_as_it_is():
    assert safe_next("/goals/ingen-ensamhet?visa=alla", "/") == "/goals/ingen-ensamhet?visa=alla"
    assert safe_next("/ledger/queue?page=2", "/x", under="/ledger/") == "/ledger/queue?page=2"
    assert safe_next("/goals/x", "/ledger/queue", under="/ledger/") == "/ledger/queue"
    assert safe_next("/goals/x?from=https://a.example", "/") == "/goals/x?from=https://a.example"


@pytest.mark.parametrize("target", BYPASSES)
def test_language_switch_lands_on_a_local_page(client, target):
    for response in (client.get("/lang/en", query_string={"next": target}),
                     client.post("/lang/en", data={"next": target})):
        if "\x00" in target and response.status_code == 400:
            continue  # a NUL byte in the address is refused before any view reads it
        assert response.status_code in (302, 303)
        assert _is_local(response.headers["Location"]), response.headers["Location"]


def test_encoded_tab_and_newline_in_the_address_are_not_followed(client):
    for query in ("next=%2F%09%2Fevil.example", "next=%0d%0a%2F%2Fevil.example",
                  "next=%2F%5Cevil.example", "next=%5C%5Cevil.example"):
        response = client.get(f"/lang/en?{query}")
        assert response.status_code == 302, query
        assert response.headers["Location"] == "/", query


@pytest.mark.parametrize("target", BYPASSES)
def test_login_lands_on_a_local_page(app, app_ctx, target):
    user = factories.make_user()
    factories.commit()
    response = app.test_client().post("/login", query_string={"next": target},
                                      data={"email": user.email, "password": factories.PASSWORD})
    if "\x00" in target:
        # A NUL byte in the address is refused before any view reads it: nobody is sent on.
        assert response.status_code == 400
        return
    assert response.status_code == 302
    assert _is_local(response.headers["Location"]), response.headers["Location"]


def test_login_follows_a_local_next(app, app_ctx):
    user = factories.make_user()
    factories.commit()
    response = app.test_client().post("/login?next=%2Faccount%2Fpassword",
                                      data={"email": user.email, "password": factories.PASSWORD})
    assert response.headers["Location"] == "/account/password"


# --- request size ----------------------------------------------------------------------------

def test_a_large_anonymous_form_is_refused_with_a_friendly_page(client):
    response = client.post("/login", data={"email": "a@example.se", "password": "x" * 300_000})
    assert response.status_code == 413
    assert "för stort" in response.get_data(as_text=True)


def _multipart(client, url: str, fields: dict, name: str, content: bytes):
    """Post a form with one file, encoded in memory (the test client would spool a large
    body to a temporary file that it never closes)."""
    files = MultiDict(fields)
    files.add(name, FileStorage(io.BytesIO(content), filename="fil.bin"))
    boundary, body = encode_multipart(files)
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def test_a_large_file_sent_to_an_ordinary_form_is_refused(client):
    response = _multipart(client, "/login", {"email": "a@example.se", "password": "x"},
                          "f", b"x" * 1_000_000)
    assert response.status_code == 413


def test_upload_forms_take_files_of_a_few_megabytes_but_not_more(app, app_ctx, login):
    staff = factories.make_user(is_staff=True)
    factories.commit()
    client = login(staff)
    form = {"goal": str(factories.goal().id), "name": "Partner AB", "level": "partner",
            "url": "", "position": "0"}
    fits = _multipart(client, "/staff/partners/new", form, "logo", b"\x89PNG" + b"0" * 2_000_000)
    assert fits.status_code == 422  # read, and refused by the logo's own 512 kB rule
    assert "512 kB" in fits.get_data(as_text=True)
    too_big = _multipart(client, "/staff/partners/new", form, "logo", b"0" * 6_000_000)
    assert too_big.status_code == 413


def test_a_very_long_password_is_refused_at_the_field_before_hashing(client, monkeypatch):
    checked = []
    monkeypatch.setattr(auth_services, "verify_password",
                        lambda *args: checked.append(args) or False)
    response = client.post("/login", data={"email": "a@example.se", "password": "x" * 2000})
    assert response.status_code == 422
    assert "högst 1024 tecken" in response.get_data(as_text=True)
    assert checked == []


def test_verifying_an_over_long_password_does_not_hash_it(monkeypatch):
    stored = passwords.hash_password("ett bra lösenord")
    monkeypatch.setattr(passwords, "_hasher", None)  # any hashing would fail here
    assert passwords.verify_password(stored, "x" * (passwords.CHECK_MAX_LENGTH + 1)) is False


# --- CSRF token and language cookie ---------------------------------------------------------

def _token(client, path: str = "/login") -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def test_logging_in_and_out_renews_the_csrf_token(make_app, app_ctx):
    csrf_app = make_app(WTF_CSRF_ENABLED=True)
    user = factories.make_user()
    factories.commit()
    client = csrf_app.test_client()
    before = _token(client)
    response = client.post("/login", data={"email": user.email, "password": factories.PASSWORD,
                                           "csrf_token": before})
    assert response.status_code == 302
    # The token an attacker could have planted before the login no longer works.
    assert client.post("/logout", data={"csrf_token": before}).status_code == 400
    during = _token(client, "/account/password")
    assert during != before
    assert client.post("/logout", data={"csrf_token": during}).status_code == 302
    assert client.post("/login", data={"email": user.email, "password": factories.PASSWORD,
                                       "csrf_token": during}).status_code == 400


def test_the_language_cookie_is_secure_in_production(production_app, client):
    secure = production_app.test_client().get("/lang/en", base_url=PUBLIC_URL)
    assert "Secure" in secure.headers["Set-Cookie"]
    assert "HttpOnly" in secure.headers["Set-Cookie"]
    assert "Secure" not in client.get("/lang/en").headers["Set-Cookie"]


# --- forgot password: the same work for every address ---------------------------------------

def test_forgot_password_does_the_same_work_for_known_and_unknown_addresses(
        client, app_ctx, count_queries, monkeypatch):
    factories.make_user(email="finns@example.se")
    factories.make_user(email="avstangd@example.se", disabled=True)
    factories.commit()
    signed = []
    real = auth_services._serializer

    def counting_serializer():
        serializer = real()
        original = serializer.dumps
        serializer.dumps = lambda data: signed.append(data) or original(data)
        return serializer

    monkeypatch.setattr(auth_services, "_serializer", counting_serializer)
    work = {}
    for email in ("finns@example.se", "ingen@example.se", "avstangd@example.se"):
        signed.clear()
        with count_queries() as counter:
            response = client.post("/password/forgot", data={"email": email})
        work[email] = (response.status_code, response.headers["Location"], counter.count,
                       len(signed))
    assert len(set(work.values())) == 1, work
    messages = _outbox()
    assert [m.to for m in messages] == ["finns@example.se", "ingen@example.se",
                                        "avstangd@example.se"]
    assert "/password/reset/" in messages[0].body
    assert "/password/reset/" not in messages[1].body + messages[2].body


@pytest.mark.parametrize("host", ["xn--", "xn--a", "a" * 64, "a" * 64 + ".se:8000"])
@pytest.mark.parametrize("path", ["/", "/healthz", "/leaderboards/teams?fragment=1", "/login"])
def test_a_host_no_address_can_be_built_from_is_a_plain_400(app, host, path):
    # Straight to the app: the test client itself cannot build an address from such a host.
    environ = EnvironBuilder(path=path, headers={"Host": host}).get_environ()
    body, status, _headers = run_wsgi_app(app, environ, buffered=True)
    assert status.startswith("400")
    assert "Okänd adress" in b"".join(body).decode()


def _chunked_log(team_id: int, padding: int):
    """A log posted with its body sent in chunks: no Content-Length, as a client may."""
    body = urlencode({"amount": "25", "collected_on": clock.today().isoformat(),
                      "method": "swish", "note": "x" * padding,
                      "idempotency_key": uuid.uuid4().hex}).encode()
    environ = EnvironBuilder(path=f"/teams/{team_id}/collections", method="POST",
                             input_stream=io.BytesIO(body),
                             headers={"Content-Type": "application/x-www-form-urlencoded",
                                      "Transfer-Encoding": "chunked"}).get_environ()
    environ.pop("CONTENT_LENGTH", None)
    environ["wsgi.input_terminated"] = True  # the server ends the stream (gunicorn does)
    return environ


def test_a_chunked_body_over_the_form_limit_is_refused_not_cut_off(app, app_ctx, login):
    member = factories.make_user()
    team = factories.make_team(factories.make_company(), captain=member)
    factories.commit()
    cookie = login(member).get_cookie("session").value
    for padding, expected in ((50, "303"), (300_000, "413")):
        environ = _chunked_log(team.id, padding)
        environ["HTTP_COOKIE"] = f"session={cookie}"
        _body, status, _headers = run_wsgi_app(app, environ, buffered=True)
        assert status.startswith(expected), (padding, status)
    assert db.session.execute(db.select(db.func.count(LedgerEntry.id))).scalar_one() == 1
