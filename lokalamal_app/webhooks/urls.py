"""Which webhook addresses the app will post to.

Only the chat services' own incoming-webhook hosts, over https, with no port, no
credentials and no IP address: nobody can point the app at an address inside the
mission's network or anywhere else. Checked when the address is saved and again before
each post. Tests may add one local base (WEBHOOK_TEST_ALLOWED_BASE, which only the testing
configuration has).
"""

import ipaddress
import re
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _

URL_MAX = 500
SLACK_HOST = "hooks.slack.com"
# Microsoft Teams: classic incoming webhooks (<tenant>.webhook.office.com) and the
# Workflows (Power Automate / Logic Apps) that replace them (<region>.logic.azure.com).
TEAMS_SUFFIXES = (".webhook.office.com", ".logic.azure.com")
_LABEL = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
_TEST_BASE = re.compile(r"^http://127\.0\.0\.1:[0-9]{1,5}$")


class WebhookUrlError(ValueError):
    """The address is not one the app posts to; the message is translated."""


def _test_base() -> str | None:
    """The local base tests may post to; only when the app runs its testing configuration."""
    app = current_app
    base = app.config.get("WEBHOOK_TEST_ALLOWED_BASE") if app.testing else None
    return base if base and _TEST_BASE.match(base) else None


def check_url(url: str) -> tuple[str, str]:
    """The address cleaned and its kind ("slack" or "teams"), or WebhookUrlError."""
    url = (url or "").strip()
    if not url:
        raise WebhookUrlError(_("Skriv webhookadressen."))
    if len(url) > URL_MAX:
        raise WebhookUrlError(_("Adressen får ha högst %(max)s tecken.", max=URL_MAX))
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) > 126 for ch in url):
        raise WebhookUrlError(_("Adressen får inte innehålla mellanslag eller specialtecken."))
    base = _test_base()
    if base and (url.startswith(base + "/")):
        return url, "slack" if "slack" in url else "teams"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise WebhookUrlError(_("Det där ser inte ut som en webbadress.")) from exc
    if parts.scheme != "https":
        raise WebhookUrlError(_("Adressen måste börja med https://."))
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise WebhookUrlError(_("Adressen får inte innehålla användarnamn eller lösenord."))
    host = (parts.hostname or "").lower()
    if not host:
        raise WebhookUrlError(_("Det där ser inte ut som en webbadress."))
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        pass
    else:
        raise WebhookUrlError(_("Adressen får inte vara en IP-adress."))
    if port is not None or ":" in parts.netloc:
        raise WebhookUrlError(_("Adressen får inte ange någon port."))
    if parts.fragment:
        raise WebhookUrlError(_("Adressen får inte ha någon #-del."))
    labels = host.split(".")
    if not all(_LABEL.match(label) for label in labels):
        raise WebhookUrlError(_("Det där ser inte ut som en webbadress."))
    if host == SLACK_HOST:
        if not parts.path.startswith(("/services/", "/workflows/", "/triggers/")):
            raise WebhookUrlError(_("En Slack-webhook börjar med https://hooks.slack.com/services/."))
        kind = "slack"
    elif host.endswith(TEAMS_SUFFIXES) and len(labels) >= 4:
        kind = "teams"
    else:
        raise WebhookUrlError(_("Bara webhookadresser från Slack (hooks.slack.com) och Microsoft "
                                "Teams (webhook.office.com eller logic.azure.com) går att "
                                "använda."))
    if not parts.path or parts.path == "/":
        raise WebhookUrlError(_("Adressen saknar sökvägen som webhooken har."))
    return url, kind
