"""Intranet origins a workplace allows to frame its widget: https only, one host each."""

import re
from urllib.parse import urlsplit

from flask_babel import gettext as _

MAX_ORIGINS = 10
_LABEL = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")


class OriginError(ValueError):
    """Not an origin the widget may be framed by; the message is translated."""


def check_origin(text: str) -> str:
    """The origin as the browser writes it ("https://intranat.example.se"), or OriginError."""
    text = (text or "").strip()
    if not text:
        raise OriginError(_("Skriv intranätets adress."))
    if len(text) > 200 or any(ch.isspace() or ord(ch) < 33 or ord(ch) > 126 for ch in text):
        raise OriginError(_("Det där ser inte ut som en webbadress."))
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise OriginError(_("Det där ser inte ut som en webbadress.")) from exc
    if parts.scheme != "https":
        raise OriginError(_("Adressen måste börja med https://."))
    if "@" in parts.netloc:
        raise OriginError(_("Adressen får inte innehålla användarnamn eller lösenord."))
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise OriginError(_("Skriv bara adressens början, till exempel "
                            "https://intranat.example.se, utan sökväg."))
    host = (parts.hostname or "").lower()
    labels = host.split(".")
    if len(labels) < 2 or not all(_LABEL.match(label) for label in labels) \
            or labels[-1].isdigit():
        raise OriginError(_("Skriv ett värdnamn, till exempel https://intranat.example.se."))
    return f"https://{host}" + (f":{port}" if port not in (None, 443) else "")
