"""Two app servers (gunicorn, each its own process) on one PostgreSQL: a login rate
limit and a logout hold across both; and with both on one Redis too (REDIS_URL), a login
lock and a live-board version change are seen by both."""

import http.client
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest

from lokalamal_app.extensions import db
from lokalamal_app.ledger import totals
from lokalamal_app.models import LoginThrottle, Team, User
from tests import factories as f

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """One gunicorn server; `request()` speaks plain HTTP to it with a given cookie."""

    def __init__(self, database_url: str, redis_url: str | None = None):
        self.port = _free_port()
        env = dict(os.environ)
        env.update(
            FLASK_CONFIG="testing",
            TEST_DATABASE_URL=database_url,
            DATABASE_URL=database_url,
            GUNICORN_BIND=f"127.0.0.1:{self.port}",
            GUNICORN_WORKERS="1",
            LOGIN_LOCK_AFTER="3",
            SECURITY_LOG_FILE=os.devnull,
            # Shared state in the database unless this server is given the test Redis.
            TEST_SHARED_STATE="redis" if redis_url else "database",
            TEST_REDIS_URL=redis_url or "",
        )
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )

    def wait_ready(self, seconds: float = 30) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(self.process.stderr.read().decode()[-2000:])
            try:
                if self.request("GET", "/readyz")[0] == 200:
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("gunicorn did not start")

    def request(self, method: str, path: str, form: dict | None = None, cookie: str = "",
                headers: dict | None = None):
        """(status, Location, the new session cookie or the given one)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)
        headers = dict(headers or {})
        if cookie:
            headers["Cookie"] = cookie
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            for name, value in response.getheaders():
                if name.lower() == "set-cookie" and value.startswith("session="):
                    cookie = value.split(";", 1)[0]
            return response.status, response.getheader("Location", ""), cookie
        finally:
            conn.close()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process.stderr.close()


def _postgresql_dsn(app) -> str:
    with app.app_context():
        url = db.engine.url
    if url.get_backend_name() != "postgresql":
        pytest.skip("Several app servers share one PostgreSQL; SQLite is for one machine "
                    "(set TEST_DATABASE_URL to a PostgreSQL database to run this)")
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _started(*servers):
    try:
        for server in servers:
            server.wait_ready()
        yield list(servers)
    finally:
        for server in servers:
            server.stop()


@pytest.fixture
def two_servers(app):
    dsn = _postgresql_dsn(app)
    yield from _started(Server(dsn), Server(dsn))


@pytest.fixture
def two_servers_on_redis(app, redis_app):
    """Two servers on one PostgreSQL and one Redis (`redis_app` is a third, in this process,
    with the same Redis: it makes changes the way a server does)."""
    dsn = _postgresql_dsn(app)
    url = redis_app.config["REDIS_URL"]
    yield from _started(Server(dsn, url), Server(dsn, url))


def test_logout_and_login_limit_hold_across_two_servers(app_ctx, two_servers):
    a, b = two_servers
    user = f.make_user(email="tva@example.se")
    f.commit()
    right = {"email": "tva@example.se", "password": f.PASSWORD}
    wrong = {"email": "tva@example.se", "password": "fel lösenord"}

    # Logged in on A, the same cookie works on B ...
    status, _, cookie = a.request("POST", "/login", right)
    assert status == 302 and cookie
    assert b.request("GET", "/account/data.json", cookie=cookie)[0] == 200
    # ... and logging out on A ends it on B too.
    assert a.request("POST", "/logout", {}, cookie=cookie)[0] == 302
    status, location, _ = b.request("GET", "/account/data.json", cookie=cookie)
    assert status == 302 and "/login" in location

    # Three wrong passwords spread over both servers lock the account on both.
    assert [s.request("POST", "/login", wrong)[0] for s in (a, b, a)] == [401, 401, 401]
    assert b.request("POST", "/login", right)[0] == 429
    assert a.request("POST", "/login", right)[0] == 429
    db.session.expire_all()
    assert user.last_login_at is not None  # only the first login got through


def test_login_lock_and_board_version_hold_across_two_servers_on_one_redis(
    redis_app, two_servers_on_redis
):
    a, b = two_servers_on_redis
    with redis_app.app_context():
        user = f.make_user(email="tva@example.se")
        team = f.make_team(f.make_company())
        f.make_collection(team, amount_ore=100_00)
        f.commit()
        user_id, team_id = user.id, team.id
        version = totals.board_version()
        db.session.remove()
    assert version >= 1
    right = {"email": "tva@example.se", "password": f.PASSWORD}
    wrong = {"email": "tva@example.se", "password": "fel lösenord"}

    # Three wrong passwords spread over both servers lock the account on both, in Redis.
    assert [s.request("POST", "/login", wrong)[0] for s in (a, b, a)] == [401, 401, 401]
    assert b.request("POST", "/login", right)[0] == 429
    assert a.request("POST", "/login", right)[0] == 429
    with redis_app.app_context():
        assert db.session.scalars(db.select(LoginThrottle)).all() == []
        db.session.expire_all()
        assert db.session.get(User, user_id).last_login_at is None
        db.session.remove()

    # Both servers answer a live board's poll at the current version with 204 ...
    poll = {"HX-Request": "true"}
    path = f"/leaderboards/teams?v={version}"
    assert [s.request("GET", path, headers=poll)[0] for s in (a, b)] == [204, 204]
    # ... and both see the version move when a collection is committed.
    with redis_app.app_context():
        f.make_collection(db.session.get(Team, team_id), amount_ore=200_00)
        f.commit()
        assert totals.board_version() == version + 1
        db.session.remove()
    # (The testing configuration trusts a version for LEADERBOARD_VERSION_TTL = 0 seconds.)
    assert [s.request("GET", path, headers=poll)[0] for s in (a, b)] == [200, 200]
    path = f"/leaderboards/teams?v={version + 1}"
    assert [s.request("GET", path, headers=poll)[0] for s in (a, b)] == [204, 204]
