"""Absolute links for e-mails, QR codes and share buttons."""

from flask import current_app, request, url_for


def external_url(endpoint: str, **values) -> str:
    """PUBLIC_URL when configured (behind a proxy), else the address of this request."""
    base = current_app.config.get("PUBLIC_URL")
    if base:
        return base.rstrip("/") + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values) if request else url_for(endpoint, **values)
