"""Two app servers (gunicorn, each its own process) on one PostgreSQL: a login rate
limit and a logout hold across both."""

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
from tests import factories as f

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """One gunicorn server; `request()` speaks plain HTTP to it with a given cookie."""

    def __init__(self, database_url: str):
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

    def request(self, method: str, path: str, form: dict | None = None, cookie: str = ""):
        """(status, Location, the new session cookie or the given one)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)
        headers = {"Cookie": cookie} if cookie else {}
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


@pytest.fixture
def two_servers(app):
    with app.app_context():
        url = db.engine.url
    if url.get_backend_name() != "postgresql":
        pytest.skip("Several app servers share one PostgreSQL; SQLite is for one machine "
                    "(set TEST_DATABASE_URL to a PostgreSQL database to run this)")
    dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
    servers = [Server(dsn), Server(dsn)]
    try:
        for server in servers:
            server.wait_ready()
        yield servers
    finally:
        for server in servers:
            server.stop()


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
