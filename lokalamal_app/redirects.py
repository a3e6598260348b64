"""Redirects: post/redirect/get that works for htmx requests too, and the one check for
every `next` address a request asks to be sent on to.

htmx follows a redirect inside its request and swaps whatever page it lands on into the
element that asked: a whole page inside a table row or a form. So an htmx request is told
to load the next page itself (HX-Redirect) instead.
"""

import re
from urllib.parse import urlsplit

from flask import Flask, Response, make_response, redirect, request, url_for

from .extensions import htmx

# Browsers drop tabs and newlines anywhere in an address and read a backslash as "/", so
# "/<tab>/evil.example" or "/<backslash>evil.example" would take the visitor to another
# site, and CR/LF cannot go into a header at all: with any control character or backslash
# the address is not taken.
_UNSAFE = re.compile(r"[\x00-\x1f\x7f\\]")


def safe_next(target: str | None, default: str, under: str = "/") -> str:
    """`target` when it is a path on this site starting with `under`, else `default`.

    Used for every `next` parameter (after login, the language switch, back to a list).
    """
    if not target or len(target) > 2000 or _UNSAFE.search(target):
        return default
    parts = urlsplit(target)
    # "//" anywhere in the path too: the app never links so, and proxies may fold it.
    if (parts.scheme or parts.netloc or "//" in parts.path or target.startswith("//")
            or not target.startswith("/") or not target.startswith(under)):
        return default
    return target


def go(url: str, code: int = 302) -> Response:
    """Redirect after a post; an htmx request gets 204 with HX-Redirect."""
    if htmx:
        response = make_response("", 204)
        response.headers["HX-Redirect"] = url
        return response
    return redirect(url, code=code)


def init_app(app: Flask) -> None:
    @app.after_request
    def _login_page_for_htmx_posts(response: Response) -> Response:
        """A form posted with htmx after the login ran out is sent to the login page,
        whole, instead of having it swapped into the form. Polls (GET) are left alone:
        live boards show a quiet "not updated since" for them."""
        if (htmx and request.method != "GET" and response.status_code in (301, 302, 303)
                and response.location
                and urlsplit(response.location).path == url_for("auth.login")):
            return go(response.location)
        return response
