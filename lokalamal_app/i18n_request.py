"""gettext for messages that are also made outside a request (CLI, demo data, unit tests).

Inside a request the visitor's language is used; outside one the Swedish msgid is returned,
formatted the same way, since there is no visitor to choose a language.

Text for someone other than the visitor (notifications, e-mail) is not made here: it is
handed to `notifications.notify` as a lazy string and written in the recipient's language.
"""

from flask import has_request_context
from flask_babel import get_locale, gettext, ngettext


def _(text: str, **variables) -> str:
    """Translate `text` in a request; otherwise the Swedish text itself."""
    if has_request_context():
        return gettext(text, **variables)
    return text % variables if variables else text


def n_(singular: str, plural: str, num: int, **variables) -> str:
    """Plural-aware `_`; `num` is available as %(num)d."""
    if has_request_context():
        return ngettext(singular, plural, num, **variables)
    variables.setdefault("num", num)
    return (singular if num == 1 else plural) % variables


def in_english() -> bool:
    """Whether the visitor reads English (outside a request: no, Swedish)."""
    if not has_request_context():
        return False
    locale = get_locale()
    return locale is not None and locale.language == "en"


def localized(swedish: str, english: str | None) -> str:
    """Staff-written text in the visitor's language: the English version for an English
    visitor when staff wrote one, else the Swedish."""
    if english and english.strip() and in_english():
        return english
    return swedish
