"""The README's "Running in production" steps, run as written: the production
configuration on a fresh database (a new schema in the suite's PostgreSQL when
TEST_DATABASE_URL is set, else a new SQLite file), migrations, the first staff account,
gunicorn from gunicorn.conf.py, then a login through a TLS-terminating proxy's headers.
And without a proper SECRET_KEY or PUBLIC_URL it refuses to start, saying why."""

import http.client
import os
import re
import secrets
import shlex
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from sqlalchemy import text

from lokalamal_app.extensions import db

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow

STAFF_PASSWORD = "ett långt lösenord för personalen"


def _readme_steps() -> tuple[list[str], list[list[str]]]:
    """(the export lines, the commands) of the README's production code block."""
    readme = (ROOT / "README.md").read_text("utf-8")
    section = readme.split("## Running in production", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.S).group(1).strip().splitlines()
    assert block[0] == "python3 -m venv .venv && .venv/bin/pip install .", block[0]
    exports = [line for line in block[1:] if line.startswith("export ")]
    commands = [shlex.split(line, comments=True) for line in block[1:]
                if not line.startswith("export ")]
    assert all(command[0].startswith(".venv/bin/") for command in commands), commands
    return exports, commands


def _environment(exports: list[str], tmp_path: Path, **overrides: str) -> dict[str, str]:
    """The environment the README's export lines make (run by bash), on a clean base."""
    base = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "LANG": "C.UTF-8"}
    script = "\n".join(exports) + "\nenv -0\n"
    out = subprocess.run(["bash", "-c", script], env=base, capture_output=True, check=True)
    env = dict(item.split("=", 1) for item in out.stdout.decode().split("\0") if "=" in item)
    env.update(overrides)
    return env


@pytest.fixture
def fresh_database(app, tmp_path):
    """A database URL with nothing in it yet."""
    with app.app_context():
        url = db.engine.url
    if url.get_backend_name() != "postgresql":
        yield f"sqlite:///{tmp_path / 'production.sqlite'}"
        return
    schema = f"boot_{secrets.token_hex(4)}"
    with app.app_context(), db.engine.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    fresh = url.set(drivername="postgresql", query={"options": f"-csearch_path={schema}"})
    try:
        yield fresh.render_as_string(hide_password=False)
    finally:
        with app.app_context(), db.engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))


def _run(command: list[str], env: dict, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=ROOT, env=env, input=stdin, capture_output=True,
                          text=True, timeout=120)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Proxied:
    """Speaks to gunicorn as a TLS-terminating proxy would, keeping the session cookie."""

    def __init__(self, port: int, public_url: str):
        self.port = port
        self.host = urlsplit(public_url).hostname
        self.public_url = public_url
        self.cookie = ""
        self.set_cookies: list[str] = []

    def request(self, method: str, path: str, form: dict | None = None, host: str = ""):
        headers = {
            "X-Forwarded-For": "203.0.113.9",
            "X-Forwarded-Proto": "https",
            "X-Forwarded-Host": host or self.host,
            # Browsers send it on HTTPS form posts, and Flask-WTF checks it there.
            "Referer": self.public_url + "/login",
        }
        if self.cookie:
            headers["Cookie"] = self.cookie
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            page = response.read().decode("utf-8", "replace")
            for name, value in response.getheaders():
                if name.lower() == "set-cookie" and value.startswith("session="):
                    self.cookie = value.split(";", 1)[0]
                    self.set_cookies.append(value)
            return response.status, response.getheader("Location", ""), page
        finally:
            conn.close()


def _wait_ready(server: subprocess.Popen, client: Proxied, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError("gunicorn stopped:\n" + log.read_text()[-3000:])
        try:
            if client.request("GET", "/healthz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError("gunicorn did not answer:\n" + log.read_text()[-3000:])


def _stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def test_the_readme_production_steps_start_a_server_one_can_log_in_to(
        fresh_database, tmp_path):
    exports, commands = _readme_steps()
    env = _environment(exports, tmp_path, DATABASE_URL=fresh_database)
    assert env["FLASK_CONFIG"] == "production" and len(env["SECRET_KEY"]) >= 32
    upgrade, make_staff, gunicorn = commands
    assert upgrade[-2:] == ["db", "upgrade"] and make_staff[-2] == "make-staff"
    assert gunicorn[1:] == ["-c", "gunicorn.conf.py"]

    done = _run(upgrade, env)
    assert done.returncode == 0, done.stderr[-3000:]
    done = _run(make_staff, env, stdin=f"{STAFF_PASSWORD}\n{STAFF_PASSWORD}\n")
    assert done.returncode == 0, done.stderr[-3000:]

    port = _free_port()
    log = tmp_path / "gunicorn.log"
    with log.open("w") as log_file:
        server = subprocess.Popen(
            gunicorn, cwd=ROOT, stdout=log_file, stderr=subprocess.STDOUT,
            env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": "1"},
        )
    client = Proxied(port, env["PUBLIC_URL"])
    try:
        _wait_ready(server, client, log)
        status, _, page = client.request("GET", "/login")
        assert status == 200
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        status, location, page = client.request("POST", "/login", {
            "csrf_token": token, "email": make_staff[-1], "password": STAFF_PASSWORD,
        })
        assert status == 302, page[:2000]
        assert location in ("/staff", env["PUBLIC_URL"] + "/staff")  # staff land on theirs
        assert all("Secure" in cookie and "HttpOnly" in cookie for cookie in client.set_cookies)
        status, _, page = client.request("GET", "/staff")
        assert status == 200, page[:2000]
        assert "Logga ut" in page
        # Another Host (e.g. forged to poison a reset link) is refused.
        assert client.request("GET", "/login", host="evil.example")[0] == 400
    finally:
        _stop(server)


@pytest.mark.parametrize("setting, value", [
    ("SECRET_KEY", None), ("SECRET_KEY", "kort-nyckel"), ("SECRET_KEY", "dev-only-not-secret"),
    ("PUBLIC_URL", None), ("PUBLIC_URL", "http://lokalamal.example.se"),
])
def test_production_refuses_to_start_without_a_proper_setting(
        fresh_database, tmp_path, setting, value):
    exports, commands = _readme_steps()
    env = _environment(exports, tmp_path, DATABASE_URL=fresh_database)
    env.pop(setting)
    if value is not None:
        env[setting] = value
    done = _run(commands[0], env)  # flask --app wsgi db upgrade
    assert done.returncode != 0
    assert setting in done.stderr and "Traceback" not in done.stderr, done.stderr[-3000:]


def test_gunicorn_stops_with_the_reason_when_the_secret_is_too_short(fresh_database, tmp_path):
    exports, commands = _readme_steps()
    env = _environment(exports, tmp_path, DATABASE_URL=fresh_database, SECRET_KEY="kort",
                       GUNICORN_BIND=f"127.0.0.1:{_free_port()}", GUNICORN_WORKERS="1")
    done = _run(commands[-1], env)
    assert done.returncode != 0
    assert "SECRET_KEY must be set" in done.stderr, done.stderr[-3000:]


def test_a_package_missing_after_an_upgrade_is_named_not_hidden(fresh_database, tmp_path):
    # As if an upgrade added a dependency and `pip install .` was not run again.
    shadow = tmp_path / "shadow"
    shadow.mkdir()
    (shadow / "flask_compress.py").write_text(
        'raise ModuleNotFoundError("No module named \'flask_compress\'", name="flask_compress")\n')
    exports, commands = _readme_steps()
    env = _environment(exports, tmp_path, DATABASE_URL=fresh_database, PYTHONPATH=str(shadow))
    done = _run(commands[0], env)  # flask --app wsgi db upgrade
    assert done.returncode != 0
    assert "'flask_compress' is missing" in done.stderr, done.stderr[-3000:]
    assert "pip install ." in done.stderr and "Traceback" not in done.stderr
