"""Production settings: HSTS, health checks, the gunicorn configuration."""

import runpy
from pathlib import Path

from tests import factories as f

ROOT = Path(__file__).resolve().parents[2]


def test_production_cookies_come_with_hsts(make_app, client):
    secure = make_app(SESSION_COOKIE_SECURE=True).test_client().get("/")
    assert "max-age=31536000" in secure.headers["Strict-Transport-Security"]
    assert "Strict-Transport-Security" not in client.get("/").headers


def test_health_checks(client):
    assert client.get("/healthz").get_data(as_text=True) == "ok"
    assert client.get("/readyz").get_json() == {"status": "ok"}


def test_own_data_is_never_cached(app_ctx, login):
    user = f.make_user()
    f.commit()
    response = login(user).get("/account/data.json")
    assert response.headers["Cache-Control"] == "no-store"


def test_gunicorn_configuration_serves_the_app(monkeypatch):
    monkeypatch.setenv("GUNICORN_BIND", "127.0.0.1:8123")
    monkeypatch.setenv("GUNICORN_WORKERS", "2")
    monkeypatch.delenv("GUNICORN_ACCESS_LOG", raising=False)
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert settings["wsgi_app"] == "wsgi:app"
    assert settings["bind"] == ["127.0.0.1:8123"]
    assert settings["workers"] == 2
    assert settings["accesslog"] is None  # request lines may carry reset links
