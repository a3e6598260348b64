"""Whole pages for visitors who are not logged in, rendered once and served again.

A visitor's home, goal, team, workplace, board, challenge and TV pages are the same for
every visitor who asks for the same address in the same language, so each worker keeps the
rendered page for a few seconds (PAGE_CACHE_SECONDS, default 5; off under test unless a test
sets it) and for as long as the live boards' version and the minute stay the same: new money
shows at once, any other edit (a team's pitch, a goal's text) within those seconds.

Two things in a page are the visitor's own and never cached: the CSRF token (the page is
rendered with a random placeholder that each answer replaces with this visitor's token) and
flashed messages (a visitor with one waiting gets a fresh page). Logged-in people always get
a fresh page: theirs shows their own teams, forms and rights.
"""

import secrets
import threading
import time
from collections import OrderedDict
from functools import wraps

from flask import current_app, g, request, session
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from . import clock

# Random per process, so that no text a user writes can be taken for it.
_PLACEHOLDER = "csrf-" + secrets.token_hex(16)
# Headers worth keeping with the page; the rest (cookies, security headers) are the
# answer's own and added again by the app on every answer.
_KEPT_HEADERS = ("Content-Type", "Cache-Control", "Vary", "Content-Language")


class _Pages:
    """Rendered pages by key, least recently used out, in this process."""

    def __init__(self, size: int = 256):
        self.size = size
        self.pages: OrderedDict = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key, max_age: float):
        with self.lock:
            found = self.pages.get(key)
            if found is None:
                return None
            if time.monotonic() - found[0] > max_age:
                del self.pages[key]
                return None
            self.pages.move_to_end(key)
            return found[1]

    def put(self, key, page) -> None:
        with self.lock:
            self.pages[key] = (time.monotonic(), page)
            self.pages.move_to_end(key)
            while len(self.pages) > self.size:
                self.pages.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.pages.clear()


pages = _Pages()


def _seconds() -> float:
    return float(current_app.config.get("PAGE_CACHE_SECONDS") or 0)


def _cacheable_request() -> bool:
    return (
        request.method == "GET"
        and request.headers.get("HX-Request") != "true"
        and not current_user.is_authenticated
        and not session.get("_flashes")
    )


def _key():
    from .leaderboards import queries

    return (queries.database_key(), request.full_path, str(get_locale()),
            queries.current_version(), clock.now().strftime("%Y-%m-%d %H:%M"))


def _token_field() -> str:
    return current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")


def _answer(page):
    status, body, headers = page
    response = current_app.response_class(
        body.replace(_PLACEHOLDER, generate_csrf()), status=status)
    for name, value in headers:
        response.headers[name] = value
    return response


def for_visitors(view):
    """Serve this page from the cache to visitors who are not logged in (see the module)."""

    @wraps(view)
    def cached_view(*args, **kwargs):
        seconds = _seconds()
        field = _token_field()
        if seconds <= 0 or not _cacheable_request() or field in g:
            return view(*args, **kwargs)
        key = _key()
        page = pages.get(key, seconds)
        if page is not None:
            return _answer(page)
        # Flask-WTF hands out the token it finds in `g` for this request (templates'
        # csrf_token() and every form's hidden field alike): while the page is rendered
        # for the cache, that is the placeholder.
        setattr(g, field, _PLACEHOLDER)
        try:
            response = current_app.make_response(view(*args, **kwargs))
        finally:
            g.pop(field, None)
        if response.direct_passthrough:
            return response
        body = response.get_data(as_text=True)
        if response.status_code == 200:
            pages.put(key, (200, body, [(name, response.headers[name])
                                        for name in _KEPT_HEADERS
                                        if name in response.headers]))
        response.set_data(body.replace(_PLACEHOLDER, generate_csrf()))
        return response

    return cached_view
