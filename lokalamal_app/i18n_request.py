"""gettext for messages that are also made outside a request (CLI, demo data, unit tests).

Inside a request the visitor's language is used; outside one the Swedish msgid is returned,
formatted the same way, since there is no visitor to choose a language.

Text for someone other than the visitor (notifications, e-mail) is not made here: it is
handed to `notifications.notify` as a lazy string and written in the recipient's language.
"""

from flask import has_request_context
from flask_babel import gettext, ngettext


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
