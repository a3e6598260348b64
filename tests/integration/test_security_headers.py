"""Every GET page of the url map, as a visitor and as staff, carries the security headers,
and no HTML page has inline scripts, styles or event handlers (the CSP forbids them)."""

import pytest

from config import ProductionConfig
from lokalamal_app import create_app
from tests import walk
from tests.conftest import _Config, dispose

CSP_REQUIRED = "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'self'"


@pytest.fixture
def world(app_ctx):
    return walk.build_world()


def _check(client, urls, logged_in: bool, hsts: bool = False) -> list[str]:
    problems = []
    for url in urls:
        response = client.get(url)
        response.get_data()
        response.close()  # a streamed CSV ends its request here
        where = f"{url} ({'staff' if logged_in else 'visitor'}, {response.status_code})"
        if response.status_code >= 500:
            problems.append(f"{where}: server error")
        headers = response.headers
        if response.status_code < 300 and not walk.is_html(response) or \
                300 <= response.status_code < 400:
            # Files, images, JSON and redirects: only the plain headers.
            if headers.get("X-Content-Type-Options") != "nosniff":
                problems.append(f"{where}: X-Content-Type-Options")
            continue
        # The intranet widget may be framed only by the workplace's listed origins (the
        # walk's world lists one; tests/integration/test_embed.py checks more).
        required = CSP_REQUIRED
        if url.startswith("/embed/"):
            required = CSP_REQUIRED.replace("frame-ancestors 'self'",
                                            "frame-ancestors https://intranat.example.se")
        if required not in headers.get("Content-Security-Policy", ""):
            problems.append(f"{where}: CSP {headers.get('Content-Security-Policy')!r}")
        if headers.get("X-Content-Type-Options") != "nosniff":
            problems.append(f"{where}: X-Content-Type-Options")
        if headers.get("Referrer-Policy") != "strict-origin-when-cross-origin":
            problems.append(f"{where}: Referrer-Policy")
        if logged_in and headers.get("Cache-Control") != "no-store":
            problems.append(f"{where}: Cache-Control {headers.get('Cache-Control')!r}")
        if hsts and "max-age=" not in headers.get("Strict-Transport-Security", ""):
            problems.append(f"{where}: no HSTS")
        if walk.is_html(response):
            problems += [f"{where}: {p}" for p in walk.inline_code(response.get_data(as_text=True))]
    return problems


def _login(client, email):
    response = client.post("/login", data={"email": email, "password": "vaggivagg2026"})
    assert response.status_code == 302, response.status_code


def test_every_page_carries_the_headers_and_no_inline_code(app, world):
    urls = walk.get_urls(world)
    assert len(urls) > 50
    problems = _check(app.test_client(), urls, logged_in=False)
    for email in (world["staff"], world["admin"]):
        client = app.test_client()
        _login(client, email)
        problems += _check(client, urls, logged_in=True)

    # The production configuration adds HSTS to every answer.
    config = type("Production", (ProductionConfig,), {
        "SQLALCHEMY_DATABASE_URI": _Config.SQLALCHEMY_DATABASE_URI,
        "SECRET_KEY": "a-long-test-secret-that-is-not-the-default",
        "PUBLIC_URL": "https://localhost",
        "TESTING": True, "WTF_CSRF_ENABLED": False,
    })
    production = create_app(config)
    try:
        client = production.test_client()
        problems += _check(client, urls, logged_in=False, hsts=True)
    finally:
        dispose(production)
    assert problems == []
