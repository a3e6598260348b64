"""A burst of wrong passwords from many addresses against a live, threaded server: nobody
gets a server error, and the account's owner still logs in at once from their own address.

On SQLite this is where waiting or hashing inside a writing transaction shows: the burst
queues behind one write lock ("database is locked", pages taking many seconds)."""

import http.client
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import pytest
from werkzeug.serving import make_server

from tests import factories

pytestmark = pytest.mark.slow


@pytest.fixture
def live_server(make_app):
    """A threaded server on the test database, trusting X-Forwarded-For (one proxy), with
    the real wait after repeated failures."""
    app = make_app(PROXY_FIX_X_FOR=1, LOGIN_SLOW_SECONDS=0.5, PROPAGATE_EXCEPTIONS=False)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_port
    server.shutdown()
    thread.join(10)


def _login(port: int, email: str, password: str, address: str) -> tuple[int, float]:
    started = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("POST", "/login", body=urlencode({"email": email, "password": password}),
                     headers={"Content-Type": "application/x-www-form-urlencoded",
                              "X-Forwarded-For": address})
        response = conn.getresponse()
        response.read()
        return response.status, time.monotonic() - started
    finally:
        conn.close()


def test_a_burst_of_wrong_logins_neither_fails_nor_keeps_the_owner_waiting(
    app_ctx, live_server
):
    factories.make_user(email="agare@example.se")
    factories.commit()
    attempts = [(f"10.20.0.{n % 20}", n) for n in range(60)]

    with ThreadPoolExecutor(max_workers=20) as pool:
        burst = [pool.submit(_login, live_server, "agare@example.se", f"gissning {n}", addr)
                 for addr, n in attempts]
        time.sleep(1.0)  # the burst is under way: failures are being counted and slowed
        owner_status, owner_seconds = _login(live_server, "agare@example.se",
                                             factories.PASSWORD, "192.0.2.10")
        statuses = [future.result()[0] for future in burst]

    assert owner_status == 302
    # The owner waits the slow-down once, not behind the burst's queue for the write lock.
    assert owner_seconds < 3.0
    assert set(statuses) <= {401, 429}
