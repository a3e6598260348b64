"""Flask's signed-cookie sessions, with a cookie this process has already verified read
from memory.

A logged-in person's browser sends the same session cookie with every page until their
session changes. Checking its signature and unpacking it (base64, zlib, JSON) again for each
of those pages was a good part of a cached page's answer. The cookie's exact text is the key,
so a changed or forged cookie is never found and goes through the full check; the age of
what was signed is checked on every request, as Flask does, so a session ends when it would
have ended anyway.
"""

import copy
import threading
import time

from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature

# Cookies kept per process; when full the memory starts again (each is a few hundred bytes).
KEPT = 4096


class SessionInterface(SecureCookieSessionInterface):
    def __init__(self) -> None:
        self._verified: dict[tuple, tuple[dict, float]] = {}
        self._lock = threading.Lock()

    def open_session(self, app, request):
        if not app.secret_key:
            return None  # as Flask: no session at all
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        key = (app.secret_key, value)
        kept = self._verified.get(key)
        if kept is None:
            serializer = self.get_signing_serializer(app)
            try:
                data, signed_at = serializer.loads(value, max_age=max_age, return_timestamp=True)
            except BadSignature:  # also a session too old (SignatureExpired)
                return self.session_class()
            kept = (data, signed_at.timestamp())
            with self._lock:
                if len(self._verified) >= KEPT:
                    self._verified.clear()
                self._verified[key] = kept
        data, signed_at = kept
        if time.time() - signed_at > max_age:
            return self.session_class()
        # A copy of what a request may change in place (flashed messages are a list).
        return self.session_class({name: copy.deepcopy(value) if isinstance(value, (list, dict))
                                   else value for name, value in data.items()})
