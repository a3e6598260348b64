"""With CSRF on (as in production), every POST route refuses a missing token."""

import re

import pytest

from tests import factories


@pytest.fixture
def csrf_app(make_app):
    return make_app(WTF_CSRF_ENABLED=True)


def _post_routes(app):
    for rule in app.url_map.iter_rules():
        if "POST" in rule.methods and not rule.arguments:
            yield rule.rule
        elif "POST" in rule.methods:
            yield re.sub(r"<[^>]+>", "1", rule.rule)


def test_every_post_route_refuses_a_missing_token(csrf_app):
    client = csrf_app.test_client()
    routes = list(_post_routes(csrf_app))
    assert "/login" in routes and "/register" in routes
    for url in routes:
        response = client.post(url, data={"email": "a@example.se", "password": "x" * 10})
        assert response.status_code == 400, url


def test_a_form_with_its_token_goes_through(csrf_app):
    import re

    with csrf_app.app_context():
        factories.make_user(email="erik@example.se")
        factories.commit()
    client = csrf_app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/login", data={"email": "erik@example.se",
                                           "password": factories.PASSWORD, "csrf_token": token})
    assert response.status_code == 302


def test_htmx_requests_send_the_token_as_a_header(csrf_app):
    html = csrf_app.test_client().get("/").get_data(as_text=True)
    assert 'hx-headers=\'{"X-CSRFToken": "' in html
