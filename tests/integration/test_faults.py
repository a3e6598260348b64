"""With the database away the app answers a friendly 503, and recovers by itself."""

import socket
import sqlite3
import threading

import pytest
from sqlalchemy.engine import make_url

from lokalamal_app.extensions import db
from tests import factories as f


class Forwarder:
    """A TCP relay to the real PostgreSQL that can be pulled out and put back."""

    def __init__(self, host: str, port: int):
        self.target = (host, port)
        self.port = _free_port()
        self.server: socket.socket | None = None
        self.sockets: list[socket.socket] = []

    def start(self) -> None:
        self.server = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self._accept, args=(self.server,), daemon=True).start()

    def stop(self) -> None:
        """The database goes away: refuse new connections and cut the open ones."""
        try:
            self.server.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked in accept()
        except OSError:
            pass
        self.server.close()
        for sock in self.sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()
        self.sockets.clear()

    def _accept(self, server: socket.socket) -> None:
        while True:
            try:
                client, _ = server.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            self.sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _assert_friendly_503(response) -> None:
    html = response.get_data(as_text=True)
    assert response.status_code == 503
    assert "Vi är strax tillbaka" in html
    assert response.headers["Retry-After"]
    assert "Något gick fel" not in html


def _assert_up(response) -> None:
    assert response.status_code == 200
    assert "Ingen ensamhet" in response.get_data(as_text=True)  # the footer's goals


def test_database_away_gives_503_and_the_app_recovers(app, app_ctx, make_app, tmp_path, login):
    url = make_url(str(db.engine.url))
    user = f.make_user()
    f.commit()

    if url.get_backend_name() == "postgresql":
        relay = Forwarder(url.host or "127.0.0.1", url.port or 5432)
        relay.start()
        other = make_app(SQLALCHEMY_DATABASE_URI=url.set(host="127.0.0.1", port=relay.port)
                         .render_as_string(hide_password=False))
        c = other.test_client()
        c.post("/login", data={"email": user.email, "password": f.PASSWORD})
        _assert_up(c.get("/"))
        relay.stop()
        _assert_friendly_503(c.get("/"))
        _assert_friendly_503(c.get("/account/data.json"))  # logged in: the user lookup fails
        _assert_friendly_503(c.get("/finns-inte"))
        assert other.test_client().get("/finns-inte").status_code == 404  # a visitor
        relay.start()
        _assert_up(c.get("/"))
        assert c.get("/account/data.json").status_code == 200
        relay.stop()
    else:
        # SQLite "goes away" as a database file the app cannot open, then comes back.
        place = tmp_path / "borta"
        other = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{place / 'db.sqlite'}")
        c = other.test_client()
        _assert_friendly_503(c.get("/"))
        # A page that needs nothing from the database still works (its footer goes
        # without the goals).
        assert c.get("/privacy").status_code == 200
        assert c.get("/healthz").status_code == 200
        assert c.get("/finns-inte").status_code == 404
        assert c.get("/readyz").status_code == 503
        place.mkdir()
        live = sqlite3.connect(url.database)
        copy = sqlite3.connect(place / "db.sqlite")
        live.backup(copy)
        copy.close()
        live.close()
        _assert_up(c.get("/"))
        assert c.get("/readyz").status_code == 200
        c.post("/login", data={"email": user.email, "password": f.PASSWORD})
        assert c.get("/account/data.json").status_code == 200


def _restarted_behind_a_relay(make_app, idle_seconds: float):
    """An app that reaches PostgreSQL through a relay, logged in, its one pooled connection
    used once; then the database restarts (the relay is pulled out and put back), and the
    pooled connection is dead."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite is a file: there is no connection to lose")
    user = f.make_user()
    f.commit()
    url = make_url(str(db.engine.url))
    relay = Forwarder(url.host or "127.0.0.1", url.port or 5432)
    relay.start()
    other = make_app(
        SQLALCHEMY_DATABASE_URI=url.set(host="127.0.0.1", port=relay.port)
        .render_as_string(hide_password=False),
        SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 1, "max_overflow": 0},
        DATABASE_PING_IDLE_SECONDS=idle_seconds,
    )
    c = other.test_client()
    c.post("/login", data={"email": user.email, "password": f.PASSWORD})
    assert c.get("/account/data.json").status_code == 200
    relay.stop()
    relay.start()
    return relay, c


def test_a_connection_that_died_while_idle_is_replaced_before_use(app, app_ctx, make_app):
    """The database restarted while the app was quiet: the next visitor still gets the
    page, because a connection that lay idle is checked first."""
    relay, c = _restarted_behind_a_relay(make_app, idle_seconds=0)
    try:
        assert c.get("/account/data.json").status_code == 200
    finally:
        relay.stop()


def test_a_connection_in_steady_use_is_not_asked_first(app, app_ctx, make_app):
    """Within the idle time a connection is used as it is (no round trip to check it): the
    request on a connection that died that instant gets the friendly 503, and the next one
    is served again on a new connection."""
    relay, c = _restarted_behind_a_relay(make_app, idle_seconds=3600)
    try:
        _assert_friendly_503(c.get("/account/data.json"))
        assert c.get("/account/data.json").status_code == 200
    finally:
        relay.stop()
