"""Whole pages, rendered once and served again for a few seconds.

A visitor's home, goal, team, workplace, board, challenge and TV pages are the same for
every visitor who asks for the same address in the same language, so each worker keeps the
rendered page for a few seconds (PAGE_CACHE_SECONDS, default 5; off under test unless a test
sets it) and for as long as the live boards' version and the minute stay the same: new money
shows at once, any other edit (a team's pitch, a goal's text) within those seconds.

A logged-in person's pages show their own teams, forms and rights, so theirs are kept apart,
under their own id, and only until they change anything themselves: every request of theirs
that is not a read puts a new random mark in their session, and the mark is part of the
key (random, not a count: two devices, or two requests sent at once, must never arrive at
the same mark). What they did shows on the next page at once, on whichever worker serves
it. What others change about who may see and do what (a team, a workplace role, captaincy,
staff rights) moves the board version, so nobody is shown again what they just lost; other
edits by others show within the same few seconds as for visitors.

The address is the whole of it, host included: without PUBLIC_URL (development) links are
built from the request's host, and one visitor's made-up Host must not reach the others.

What is each answer's own is never cached: the CSRF token and the one-time keys of forms
(`fresh_key`) are rendered as random placeholders that each answer replaces with this
visitor's token and new keys; a visitor with a flashed message waiting gets a fresh page;
a cookie that changes what a page shows (`personal_cookie`) is part of the key.
"""

import secrets
import threading
import time
import uuid
from collections import OrderedDict
from functools import wraps

from flask import current_app, g, has_app_context, request, session
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy import event, inspect

from . import clock
from .extensions import db

# Random per process, so that no text a user writes can be taken for it.
_PLACEHOLDER = "csrf-" + secrets.token_hex(16)
_KEY_PLACEHOLDER = "key-" + secrets.token_hex(16)
_RENDERING = "_page_cache_rendering"
# Cookies that change what a page shows (a visitor's vote): each value has its own pages.
_PERSONAL_COOKIES: set[str] = set()
# The session's mark of the person's last own change (see the module).
_CHANGES = "_changed"
_READS = ("GET", "HEAD", "OPTIONS")
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
        and not session.get("_flashes")
    )


def _person():
    """Whose page it is: nobody's (a visitor), or a person's id and mark of own changes."""
    if not current_user.is_authenticated:
        return None
    return (current_user.get_id(), session.get(_CHANGES))


def personal_cookie(name: str) -> None:
    """Pages differ by this cookie's value: keep them apart by it."""
    _PERSONAL_COOKIES.add(name)


def fresh_key() -> str:
    """A new one-time key for a form (32 hex digits); in a page rendered for the cache, a
    placeholder that each answer replaces with a key of its own."""
    if has_app_context() and g.get(_RENDERING):
        return _KEY_PLACEHOLDER
    return uuid.uuid4().hex


def _key():
    from .leaderboards import queries

    cookies = tuple(request.cookies.get(name) for name in sorted(_PERSONAL_COOKIES))
    return (queries.database_key(), request.host_url, request.full_path, str(get_locale()),
            _person(), cookies,
            queries.current_version(), clock.now().strftime("%Y-%m-%d %H:%M"))


def _count_own_change(response):
    """After anything but a read by a logged-in person, their cached pages are old."""
    if request.method not in _READS and "_user_id" in session:
        session[_CHANGES] = secrets.token_urlsafe(8)
    return response


# Who may see and do what: a change to any of these, by anyone, makes every cached page old
# (the person who lost a team or a right must not be shown it again from the cache). They
# are rare beside page views, so the board version, already part of every key, is bumped.
_RIGHTS_CHANGED = "page_cache_rights_changed"
# Rows whose coming or going changes rights, and the columns whose change does.
_RIGHTS_ROWS = {"Membership", "TeamMember", "Team"}
_RIGHTS_COLUMNS = {
    "Membership": ("role", "company_id", "user_id"),
    "TeamMember": ("team_id", "company_id", "user_id"),
    "Team": ("captain_id", "company_id"),
    "User": ("is_staff", "disabled"),
}


def _changes_rights(obj, created_or_deleted: bool) -> bool:
    name = type(obj).__name__
    if created_or_deleted:
        return name in _RIGHTS_ROWS
    columns = _RIGHTS_COLUMNS.get(name)
    if columns is None:
        return False
    state = inspect(obj)
    return any(state.attrs[column].history.has_changes() for column in columns)


def _note_rights_changes(session, _flush_context, _instances) -> None:
    if session.info.get(_RIGHTS_CHANGED):
        return
    if (any(_changes_rights(obj, True) for obj in (*session.new, *session.deleted))
            or any(_changes_rights(obj, False) for obj in session.dirty)):
        session.info[_RIGHTS_CHANGED] = True


def _bump_for_rights_changes(session, _flush_context) -> None:
    if session.info.pop(_RIGHTS_CHANGED, None):
        from .ledger import totals

        totals.bump_board_version()  # in this transaction, or just after its commit


def init_app(app) -> None:
    app.after_request(_count_own_change)
    for name, listener in (("before_flush", _note_rights_changes),
                           ("after_flush_postexec", _bump_for_rights_changes)):
        if not event.contains(db.session, name, listener):
            event.listen(db.session, name, listener)


def _token_field() -> str:
    return current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")


# Signed CSRF tokens by the session's raw token: signing one anew for every cached page was
# a good part of a logged-in person's answer. The signed token is still the person's own
# (it signs their session's token) and, with no time limit on tokens (WTF_CSRF_TIME_LIMIT),
# as valid as a new one. Per process; when full the memory starts again.
_SIGNED_TOKENS: dict[tuple, str] = {}
_SIGNED_TOKENS_KEPT = 4096


def _csrf_token() -> str:
    """This answer's CSRF token, as `generate_csrf()` makes it."""
    field = _token_field()
    raw = session.get(field)
    if raw is None or current_app.config.get("WTF_CSRF_TIME_LIMIT") is not None:
        return generate_csrf()  # a new session's token, or one that must carry its time
    key = (current_app.config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key, raw)
    token = _SIGNED_TOKENS.get(key)
    if token is None:
        token = generate_csrf()
        if len(_SIGNED_TOKENS) >= _SIGNED_TOKENS_KEPT:
            _SIGNED_TOKENS.clear()
        _SIGNED_TOKENS[key] = token
    else:
        setattr(g, field, token)  # what Flask-WTF hands out for the rest of the request
    return token


def _own(body: str) -> str:
    """The cached page with this answer's token and keys in place of the placeholders.

    A token is made only for a page that holds one: making it starts a session, and a
    visitor's answer without a form (a board fragment, a poll's 204) would carry a new
    session cookie for nothing."""
    if _PLACEHOLDER in body:
        body = body.replace(_PLACEHOLDER, _csrf_token())
    if _KEY_PLACEHOLDER in body:
        parts = body.split(_KEY_PLACEHOLDER)
        body = "".join(part + uuid.uuid4().hex for part in parts[:-1]) + parts[-1]
    return body


def _answer(page):
    status, body, headers = page
    response = current_app.response_class(_own(body), status=status)
    for name, value in headers:
        response.headers[name] = value
    return response


def cached(view):
    """Serve this page from the cache, a visitor's or a logged-in person's own (see the
    module)."""

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
        setattr(g, _RENDERING, True)
        try:
            response = current_app.make_response(view(*args, **kwargs))
        finally:
            g.pop(field, None)
            g.pop(_RENDERING, None)
        if response.direct_passthrough:
            return response
        body = response.get_data(as_text=True)
        if response.status_code == 200:
            pages.put(key, (200, body, [(name, response.headers[name])
                                        for name in _KEPT_HEADERS
                                        if name in response.headers]))
        response.set_data(_own(body))
        return response

    return cached_view
