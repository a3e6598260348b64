"""A gunicorn worker killed with SIGKILL in the middle of a burst of collection logs leaves
no partial entry: every stored entry is whole, every total equals its ledger sum, and the
logs that failed can be sent again (same idempotency key) and count once."""

import http.client
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from lokalamal_app import clock
from lokalamal_app.extensions import db
from lokalamal_app.ledger import check
from lokalamal_app.models import LedgerEntry
from tests import factories
from tests.integration.test_ledger_concurrency import free_port, request

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.fixture
def server(app, tmp_path):
    """gunicorn with three workers, CSRF on, on the test database; yields (port, master)."""
    port = free_port()
    env = dict(os.environ, LOKALAMAL_TEST_DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
               LOKALAMAL_TEST_CSRF="1")
    log = open(tmp_path / "gunicorn.log", "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "3", "--bind", f"127.0.0.1:{port}",
         "--timeout", "60", "tests.concurrency_app:app"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while len(workers(process.pid)) < 3 or _down(port):
            if process.poll() is not None or time.monotonic() > deadline:
                log.flush()
                pytest.fail("gunicorn did not start: " + (tmp_path / "gunicorn.log").read_text())
            time.sleep(0.2)
        yield port, process.pid
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def _down(port) -> bool:
    try:
        return request(port, "GET", "/healthz")[0] != 200
    except OSError:
        return True


def workers(master: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(master)], capture_output=True,
                         text=True).stdout
    return [int(p) for p in out.split()]


def token_of(html: bytes) -> str:
    return re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1).decode()


def cookie_of(set_cookie: str, old: str = "") -> str:
    return set_cookie.split(";")[0] if set_cookie else old


def log_in(port, email) -> tuple[str, str]:
    """The session cookie of a logged-in person and a CSRF token for it."""
    status, set_cookie, html = request(port, "GET", "/login")
    cookie = cookie_of(set_cookie)
    body = urllib.parse.urlencode({"email": email, "password": factories.PASSWORD,
                                   "csrf_token": token_of(html)})
    status, set_cookie, _ = request(port, "POST", "/login", body, {**FORM, "Cookie": cookie})
    assert status == 302, status
    cookie = cookie_of(set_cookie, cookie)
    status, set_cookie, html = request(port, "GET", "/account", None, {"Cookie": cookie})
    assert status == 200, status
    return cookie_of(set_cookie, cookie), token_of(html)


def test_a_worker_killed_mid_burst_leaves_no_partial_entry(app, app_ctx, server):
    port, master = server
    company = factories.make_company()
    teams = [factories.make_team(company, goal_number=3), factories.make_team(company, goal_number=1)]
    people = []
    for n in range(6):
        user = factories.make_user()
        factories.join_team(teams[n % 2], user)
        people.append((teams[n % 2].id, user.email))
    factories.commit()
    sessions = [(team_id, *log_in(port, email)) for team_id, email in people]

    posts = []  # (team_id, cookie, token, öre, key)
    for n in range(150):
        team_id, cookie, token = sessions[n % len(sessions)]
        posts.append((team_id, cookie, token, 1000 + n, uuid.uuid4().hex))

    def post(item):
        team_id, cookie, token, ore, key = item
        body = urllib.parse.urlencode({
            "amount": f"{ore // 100},{ore % 100:02d}", "collected_on": clock.today().isoformat(),
            "method": "swish", "note": "mitt i", "idempotency_key": key, "csrf_token": token,
        })
        try:
            return request(port, "POST", f"/teams/{team_id}/collections", body,
                           {**FORM, "Cookie": cookie})[0]
        except (OSError, http.client.HTTPException):
            # The worker died under this request (before, or after its headers went out).
            return None

    done = []
    killed = []

    def killer():
        while len(done) < 25:
            time.sleep(0.01)
        for pid in workers(master)[:2]:
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)

    thread = threading.Thread(target=killer)
    thread.start()

    def counted(item):
        status = post(item)
        done.append(status)
        return status

    with ThreadPoolExecutor(max_workers=12) as pool:
        statuses = list(pool.map(counted, posts))
    thread.join()
    assert len(killed) == 2
    assert all(s is None or s in (303, 502) or 200 <= s < 300 for s in statuses), statuses

    db.session.rollback()
    stored = {e.idempotency_key: e for e in db.session.execute(db.select(LedgerEntry)).scalars()}
    answered = {p[4] for p, s in zip(posts, statuses, strict=True) if s == 303}
    assert answered <= set(stored)
    assert set(stored) <= {p[4] for p in posts}
    by_key = {p[4]: p for p in posts}
    for key, entry in stored.items():  # whole: right team, amount and status
        assert (entry.team_id, entry.amount_ore) == (by_key[key][0], by_key[key][3])
    assert check.differences() == []

    # The logs that got no answer are sent again (the same form): each counts once.
    for item, status in zip(posts, statuses, strict=True):
        if status != 303:
            assert post(item) == 303
    db.session.rollback()
    keys = db.session.execute(db.select(LedgerEntry.idempotency_key)).scalars().all()
    assert sorted(keys) == sorted(p[4] for p in posts)
    assert check.differences() == []
