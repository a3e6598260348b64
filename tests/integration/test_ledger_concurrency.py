"""Hundreds of collections logged at the same moment through a real multi-process server:
every post is answered 2xx, every entry is recorded once and every total equals its ledger
sum exactly (on SQLite and on PostgreSQL, whichever the suite runs on)."""

import http.client
import os
import socket
import subprocess
import sys
import time
import urllib.parse
import uuid
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from lokalamal_app import clock
from lokalamal_app.extensions import db
from lokalamal_app.ledger import check, totals
from lokalamal_app.models import LedgerEntry
from tests import factories

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def request(port, method, path, body=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.getheader("Set-Cookie") or "", response.read()
    finally:
        conn.close()


@pytest.fixture
def server(app, tmp_path):
    """gunicorn with three worker processes on a free loopback port, on the test database."""
    port = free_port()
    env = dict(os.environ, LOKALAMAL_TEST_DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"])
    log = open(tmp_path / "gunicorn.log", "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "3", "--bind", f"127.0.0.1:{port}",
         "--timeout", "120", "tests.concurrency_app:app"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if request(port, "GET", "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                log.flush()
                pytest.fail("gunicorn did not start: " + (tmp_path / "gunicorn.log").read_text())
            time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def log_in(port, email) -> str:
    body = urllib.parse.urlencode({"email": email, "password": factories.PASSWORD})
    status, cookie, _ = request(port, "POST", "/login", body,
                                {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 302, status
    return cookie.split(";")[0]


def test_concurrent_logs_are_each_recorded_once_and_totals_stay_exact(app, app_ctx, server):
    company = factories.make_company()
    other_company = factories.make_company()
    teams = [factories.make_team(company, goal_number=3),
             factories.make_team(company, goal_number=5),
             factories.make_team(other_company, goal_number=3),
             factories.make_team(other_company, goal_number=1)]
    crowd = {team.id: [] for team in teams}
    for team, size in zip(teams, (8, 3, 3, 3), strict=True):
        for _ in range(size):
            user = factories.make_user()
            factories.join_team(team, user)
            crowd[team.id].append(user.email)
    factories.commit()
    port = server

    cookies = {email: log_in(port, email) for emails in crowd.values() for email in emails}

    posts = []  # (team_id, cookie, amount text, amount öre, key)
    for n in range(240):
        team = teams[0] if n % 2 == 0 else teams[1 + (n // 2) % 3]
        email = crowd[team.id][n % len(crowd[team.id])]
        ore = 100 * (10 + n) + n % 100
        posts.append((team.id, cookies[email], f"{ore // 100},{ore % 100:02d}", ore,
                      uuid.uuid4().hex))
    # Twenty double clicks: the same form (key) posted twice at once.
    posts += posts[:20]

    def post(item):
        team_id, cookie, text, _, key = item
        body = urllib.parse.urlencode({
            "amount": text, "collected_on": clock.today().isoformat(), "method": "swish",
            "note": "samtidigt", "idempotency_key": key,
        })
        status, _, _ = request(port, "POST", f"/teams/{team_id}/collections", body, {
            "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie,
            "HX-Request": "true",
        })
        return status

    with ThreadPoolExecutor(max_workers=40) as pool:
        statuses = list(pool.map(post, posts))

    assert all(200 <= s < 300 for s in statuses), sorted(set(statuses))
    expected = defaultdict(int)
    expected_count = defaultdict(int)
    for team_id, _, _, ore, _ in posts[:240]:
        expected[team_id] += ore
        expected_count[team_id] += 1

    db.session.rollback()  # end the read snapshot taken before the posts
    rows = db.session.execute(
        db.select(LedgerEntry.team_id, db.func.count(), db.func.sum(LedgerEntry.amount_ore))
        .group_by(LedgerEntry.team_id)
    ).all()
    assert {r[0]: (r[1], r[2]) for r in rows} == {
        t: (expected_count[t], expected[t]) for t in expected
    }
    keys = db.session.execute(db.select(LedgerEntry.idempotency_key)).scalars().all()
    assert sorted(keys) == sorted(p[4] for p in posts[:240])
    for team in teams:
        tally = totals.figures("team", team.id)
        assert (tally.reported_ore, tally.entry_count) == (expected[team.id],
                                                           expected_count[team.id])
    assert totals.overall(["all"])["all"].reported_ore == sum(expected.values())
    assert totals.figures("company", company.id).reported_ore == \
        expected[teams[0].id] + expected[teams[1].id]
    assert check.differences() == []
