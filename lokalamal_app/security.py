"""Headers on every response."""

from flask import Flask, request, session

CSP = (
    "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'self'; "
    "form-action 'self'; img-src 'self' data:"
)


def init_app(app: Flask) -> None:
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
        if "_user_id" in session and not request.path.startswith("/static/"):
            response.headers["Cache-Control"] = "no-store"
        return response
