"""Hostile input on every POST route and every GET route (query strings) of the url map,
as visitor, member and staff, with CSRF on: never a 5xx, hostile markup never comes back
unescaped, and without a valid token the answer is 400 and nothing changes."""

import re
import urllib.parse
from html.parser import HTMLParser

import pytest
from flask import got_request_exception
from sqlalchemy import func, select

from lokalamal_app.extensions import db
from tests import walk

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
HOSTILE = [SCRIPT, IMG, "x" * 10_000, "-1", "-99999999999999999999", "1e309", "NaN",
           "99999999999999999999999999", "9" * 30, "abc", "2026-02-30", "0000-00-00", "",
           # Only white space: a field that needs a value must say so, not take it as given.
           "   ", "\t\n",
           # NUL bytes (PostgreSQL refuses them in text), digits that str.isdigit() accepts
           # but int() does not read, numbers past the database's integer, far dates.
           "\x00", "a\x00b", "²", "1²", "٣", str(2**31), "0001-01-01", "2999-12-31"]
# Only staff post this one (it is slow): one field far larger than any form expects.
BIG = "x" * (130 * 1024)
# What every argument of every route's path is replaced with in turn: never a 5xx.
PATH_HOSTILE = ["²", "٣", "99999999999", str(2**31), "-1", "1%00", "%00", "a%00b"]
MARKUP = [SCRIPT, "<img src=x onerror=alert(1)>"]
# Posted to every POST route besides the fields its forms show.
COMMON = ["amount", "collected_on", "method", "note", "idempotency_key", "email", "password",
          "name", "display_name", "reason", "role", "month", "kind", "monthly_ore", "q",
          "reference", "received_on", "entry_ids"]
QUERY = ["metric", "period", "scope", "page", "q", "status", "team", "company", "goal", "from",
         "to", "since", "v", "version", "next", "keys", "sort", "url", "text", "year", "month",
         "limit", "prev", "seconds", "action", "employees", "received", "verified", "rule",
         "user", "date",
         "pledge", "entry", "challenger"]
PASSWORD = "vaggivagg2026"


class Forms(HTMLParser):
    """The forms of a page: (method, action, field names) and the page's csrf token."""

    def __init__(self, page_url):
        super().__init__()
        self.page_url = page_url
        self.forms: list[tuple[str, str, set[str]]] = []
        self.token = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            action = urllib.parse.urlsplit(attrs.get("action") or self.page_url).path
            self.forms.append(((attrs.get("method") or "get").lower(), action, set()))
        elif tag in ("input", "select", "textarea", "button") and attrs.get("name"):
            if attrs["name"] == "csrf_token" and attrs.get("value"):
                self.token = attrs["value"]
            if self.forms:
                self.forms[-1][2].add(attrs["name"])
        elif tag == "body" and attrs.get("hx-headers"):
            self.token = self.token or re.search(r'"X-CSRFToken": "([^"]+)"',
                                                 attrs["hx-headers"]).group(1)


def parse(url, html) -> Forms:
    forms = Forms(url)
    forms.feed(html)
    return forms


def row_counts() -> dict[str, int]:
    with db.engine.connect() as conn:
        return {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                for t in db.metadata.sorted_tables}


def unescaped(html: str) -> list[str]:
    return [m for m in MARKUP if m in html]


def _done(response):
    """Read a (possibly streamed) answer whole and close it, ending its request."""
    response.get_data()
    response.close()
    return response


@pytest.fixture
def csrf_app(make_app):
    return make_app(WTF_CSRF_ENABLED=True, LOGIN_LOCK_AFTER=10**6, PROPAGATE_EXCEPTIONS=False)


def _client(app, email=None):
    client = app.test_client()
    token = parse("/login", client.get("/login").get_data(as_text=True)).token
    if email:
        response = client.post("/login", data={"email": email, "password": PASSWORD,
                                               "csrf_token": token})
        assert response.status_code == 302
        token = parse("/", client.get("/").get_data(as_text=True)).token
    return client, token


def test_hostile_input_never_breaks_a_page_and_without_a_token_changes_nothing(app, app_ctx, csrf_app):
    world = walk.build_world()
    with csrf_app.test_request_context():
        post_urls = {rule.endpoint: walk.fill(rule, world) for rule in walk.rules("POST")}
        get_urls = walk.get_urls(world)
    # Field names from every form on every page (as staff, who sees most forms).
    staff, _ = _client(csrf_app, world["staff"])
    post_fields: dict[str, set[str]] = {}
    get_fields: dict[str, set[str]] = {}
    for url in get_urls:
        response = _done(staff.get(url))
        if walk.is_html(response):
            for method, action, names in parse(url, response.get_data(as_text=True)).forms:
                fields = post_fields if method == "post" else get_fields
                fields.setdefault(action, set()).update(names - {"csrf_token"})
    assert len(post_fields) > 20

    problems = []
    errors: list[str] = []

    def _record(sender, exception, **extra):
        errors.append(f"{type(exception).__name__}: {str(exception)[:200]}")

    got_request_exception.connect(_record, csrf_app)
    roles = {"visitor": None, "member": world["member"], "staff": world["staff"]}

    # Without a valid token nothing changes and the answer is 400 (logging in writes).
    clients = {role: _client(csrf_app, email)[0] for role, email in roles.items()}
    before = row_counts()
    for role, client in clients.items():
        for url in post_urls.values():
            names = post_fields.get(url, set()) | set(COMMON)
            for token in (None, "not-a-token"):
                data = {name: SCRIPT for name in names}
                if token:
                    data["csrf_token"] = token
                response = _done(client.post(url, data=data))
                if response.status_code != 400:
                    problems.append(f"{role} {url} without token: {response.status_code}")
    after = row_counts()
    assert {t: (before[t], after[t]) for t in before if before[t] != after[t]} == {}

    # With the token: hostile values in every field.
    for role, email in roles.items():
        client, token = _client(csrf_app, email)
        for endpoint, url in post_urls.items():
            if endpoint in ("auth.logout", "privacy.delete_account"):
                continue  # would end the session the walk goes on with
            names = post_fields.get(url, set()) | set(COMMON)
            for value in HOSTILE + ([BIG] if role == "staff" else []):
                data = {name: value for name in names}
                data["csrf_token"] = token
                response = _done(client.post(url, data=data))
                where = f"{role} POST {url} {value[:30]!r}: {response.status_code}"
                # A NUL byte in a field is refused whole (400); anything else with a good
                # token must never be a 400 (that would be a CSRF refusal).
                refused_nul = "\x00" in value and response.status_code == 400
                if response.status_code >= 500 or (response.status_code == 400
                                                   and not refused_nul):
                    problems.append(f"{where} {errors[-1:]}")
                elif found := unescaped(response.get_data(as_text=True)):
                    problems.append(f"{where} reflects {found}")

    # GET routes with hostile query strings (filters, board metrics, JSON endpoints).
    # Staff see every page; visitors get the public JSON endpoints.
    for role in ("visitor", "staff"):
        client, _ = _client(csrf_app, roles[role])
        for url in get_urls:
            if url.endswith(".png") or role == "visitor" and not url.startswith("/api/"):
                continue  # images ignore the query, and are slow to draw
            names = get_fields.get(urllib.parse.urlsplit(url).path, set()) | set(QUERY)
            for value in HOSTILE:
                query = urllib.parse.urlencode({name: value for name in names})
                response = _done(client.get(f"{url}?{query}"))
                where = f"{role} GET {url}?…={value[:30]!r}: {response.status_code}"
                if response.status_code >= 500:
                    problems.append(f"{where} {errors[-1:]}")
                elif walk.is_html(response) and (found := unescaped(
                        response.get_data(as_text=True))):
                    problems.append(f"{where} reflects {found}")

    # Every route's path arguments replaced with odd numbers and NUL bytes.
    client, token = _client(csrf_app, roles["staff"])
    for method in ("GET", "POST"):
        for rule in walk.rules(method):
            for url in walk.hostile_paths(rule, world, PATH_HOSTILE):
                response = _done(client.open(url, method=method, data={"csrf_token": token}
                                             if method == "POST" else None))
                if response.status_code >= 500:
                    problems.append(f"staff {method} {url}: {response.status_code} {errors[-1:]}")
    assert problems == [], "\n".join(problems)
