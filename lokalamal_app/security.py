"""Headers on every response, request size limits, a fresh CSRF token per login."""

from flask import Flask, current_app, g, request, session
from flask import Request as FlaskRequest
from flask_babel import gettext as _
from flask_login import user_logged_in, user_logged_out
from werkzeug.exceptions import BadHost, RequestEntityTooLarge, SecurityError

CSP = (
    "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'self'; "
    "form-action 'self'; img-src 'self' data:"
)
# An uploaded photo or logo served as itself: nothing in it runs, and only our own pages
# may frame it, as they may frame any page.
UPLOAD_CSP = "default-src 'none'; frame-ancestors 'self'; sandbox"


def accepts_uploads(view=None, *, limit: str = "MAX_CONTENT_LENGTH"):
    """Mark a view that takes file uploads: its requests may be as large as the setting
    `limit` (MAX_CONTENT_LENGTH); every other request is held to FORM_MAX_CONTENT_LENGTH."""

    def mark(function):
        function.accepts_uploads = True
        function.upload_limit = limit
        return function

    return mark(view) if view is not None else mark


class SizedRequest(FlaskRequest):
    """A request whose body limit depends on the view it goes to (413 beyond it)."""

    @property
    def max_content_length(self) -> int | None:
        if self._max_content_length is not None or not current_app:
            return super().max_content_length
        view = current_app.view_functions.get(self.endpoint or "")
        if getattr(view, "accepts_uploads", False):
            return current_app.config[getattr(view, "upload_limit", "MAX_CONTENT_LENGTH")]
        return current_app.config["FORM_MAX_CONTENT_LENGTH"]

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value


def _new_csrf_token(_app, user=None, **_extra) -> None:
    """A token seen before logging in (or out) is not valid after it."""
    if not getattr(user, "is_authenticated", False):
        return  # logout_user() with nobody logged in (after a password reset) changes nothing
    name = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    session.pop(name, None)
    g.pop(name, None)


def _refuse_unknown_host() -> None:
    """A Host outside TRUSTED_HOSTS, or one no address can be built from ("xn--"): refused
    before anything else reads the request."""
    if isinstance(request.routing_exception, (SecurityError, BadHost)):
        raise request.routing_exception
    try:
        request.host_url  # noqa: B018 - what every link on the page is built from
    except UnicodeError:
        raise BadHost() from None


def _refuse_unmeasured_body_over_limit() -> None:
    """A body sent without its length (chunked) is held to the same limit as one that
    states it. The server stops reading it at the limit, and the form would be parsed from
    what was read so far, quietly cut off; instead it is read here, kept for the form, and
    refused with 413 when it reaches the limit."""
    if (request.method in ("GET", "HEAD", "OPTIONS") or request.content_length is not None
            or "wsgi.input_terminated" not in request.environ):
        return
    request.get_data(cache=True, parse_form_data=False)  # read up to the limit, kept
    if getattr(request.stream, "is_exhausted", False):
        raise RequestEntityTooLarge()


def _unknown_host(_error):
    # Plain text: without a trusted host no address of this site can be built for a page.
    return (_("Okänd adress: den här servern svarar bara på Lokala måls egen adress.") + "\n", 400,
            {"Content-Type": "text/plain; charset=utf-8"})


def init_app(app: Flask) -> None:
    user_logged_in.connect(_new_csrf_token, app)
    user_logged_out.connect(_new_csrf_token, app)
    app.before_request_funcs.setdefault(None, []).insert(0, _refuse_unknown_host)
    app.before_request_funcs[None].insert(1, _refuse_unmeasured_body_over_limit)
    app.register_error_handler(SecurityError, _unknown_host)
    # A Host no address can be built from ("xn--", a label over 63 letters): the usual
    # error page would try to build links from it and fail again.
    app.register_error_handler(BadHost, _unknown_host)

    @app.after_request
    def _headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers.setdefault(
                "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
            )
        # Logged in: the session names a user. Asking `current_user` instead would load the
        # user row again after a commit has expired it.
        # Content-keyed answers (static files, QR images: the same for everyone, marked
        # immutable) keep their year.
        if "_user_id" in session and not request.path.startswith("/static/") \
                and "immutable" not in response.headers.get("Cache-Control", ""):
            response.headers["Cache-Control"] = "no-store"
        return response
