"""Absolute links for e-mails, QR codes and share buttons.

Production always has PUBLIC_URL (it refuses to start without it), so no link sent or
printed ever takes its host from a request's Host header. Without PUBLIC_URL (development)
the address of the current request is used.
"""

from flask import current_app, request, url_for


def public_base() -> str:
    """The site's address without a trailing slash ("" outside a request without PUBLIC_URL)."""
    base = current_app.config.get("PUBLIC_URL")
    if base:
        return base.rstrip("/")
    return request.host_url.rstrip("/") if request else ""


def absolute(path: str) -> str:
    """A path on this site ("/ledger/mine") as a full address."""
    return public_base() + path


def external_url(endpoint: str, **values) -> str:
    """The full address of an endpoint (for e-mail, QR codes and sharing)."""
    return absolute(url_for(endpoint, **values))
