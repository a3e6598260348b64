"""Swish prefilled payments: the QR payload and the app link.

The payload follows Swish's QR code specification (section 6.1), prefilled format:
`C<payee>;<amount>;<message>;<editmask>`. Only the payee is required; empty fields stay
empty. The amount has two decimals and a decimal comma ("100,00"). The message is at most
50 characters from a–ö, A–Ö, 0–9 and `!?(),.-:;`, URL-encoded as UTF-8 ("å" -> "%C3%A5",
space -> "%20"). Mask bits: 1 payee, 2 amount, 4 message; a set bit lets the payer change
that field.

The "Öppna Swish" link (app.swish.nu) has no public specification; it is written as public
code uses it: `amt` with a decimal point, the message percent-encoded (space "%20"), and
`src=url` since it is followed as a link, not scanned.
"""

import re
from urllib.parse import quote, urlencode

from flask_babel import gettext as _

from .money import plain_kronor
from .reconciliation.references import payment_reference

EDIT_PAYEE, EDIT_AMOUNT, EDIT_MESSAGE = 1, 2, 4
MESSAGE_MAX = 50

# What a Swish message may hold (space included: people separate words with it).
_MESSAGE_CHARS = re.compile(r"[a-zA-ZåäöÅÄÖ0-9!?(),.\-:; ]")


class SwishError(ValueError):
    """Not a usable Swish number or amount; the message is Swedish."""


def clean_number(text: str) -> str:
    """"123-456 78 90" -> "1234567890"; raises SwishError when it is not a Swish number."""
    digits = re.sub(r"[\s\-]", "", text or "")
    if not digits:
        raise SwishError(_("Skriv Swishnumret."))
    if not digits.isdigit():
        raise SwishError(_("Swishnumret får bara innehålla siffror (mellanslag och bindestreck går bra)."))
    # Company numbers are 10 digits (123...); a 90-account's may be shorter or longer.
    if not 5 <= len(digits) <= 15:
        raise SwishError(_("Swishnumret ska ha mellan 5 och 15 siffror."))
    return digits


def clean_message(text: str) -> str:
    """Drop characters Swish does not allow and cut to 50 characters."""
    kept = "".join(ch for ch in (text or "") if _MESSAGE_CHARS.fullmatch(ch))
    return " ".join(kept.split())[:MESSAGE_MAX].strip()


def encode_message(message: str) -> str:
    """URL-encode as UTF-8: "Gåva 7054" -> "G%C3%A5va%207054"; ";" can never split a field."""
    # As encodeURIComponent: "!", "(" and ")" stay; ";", ",", ":", "?" and space are encoded.
    return quote(message, safe="!()")


def format_amount(amount_ore: int | None) -> str:
    """10000 -> "100,00"; None -> "" (the payer fills it in)."""
    if amount_ore is None:
        return ""
    if amount_ore <= 0:
        raise SwishError(_("Beloppet måste vara större än noll."))
    return plain_kronor(amount_ore, always_decimals=True)


def payload(payee: str, amount_ore: int | None = None, message: str = "",
            editable: int = 0) -> str:
    """The text a prefilled Swish QR code carries, e.g. "C1234567890;;Gåva;4"."""
    if not 0 <= editable <= 7:
        raise SwishError(_("Ogiltig redigeringsmask."))
    fields = [
        "C" + clean_number(payee),
        format_amount(amount_ore),
        encode_message(clean_message(message)),
        str(editable) if editable else "",
    ]
    # Trailing empty fields may be left out, but keep the mask's place when it is set.
    while len(fields) > 1 and fields[-1] == "":
        fields.pop()
    return ";".join(fields)


def team_message(team) -> str:
    """The message that tells the mission which team a payment belongs to: the team's
    payment reference (the same one people write on a bankgiro payment)."""
    return clean_message(f"{payment_reference(team.id)} Lokala mål")


def team_payload(payee: str, team) -> str:
    """A team's Swish QR: our number and the team's reference fixed, the amount up to the payer."""
    return payload(payee, None, team_message(team), editable=EDIT_AMOUNT)


def app_link(payee: str, message: str = "", amount_ore: int | None = None) -> str:
    """The "Öppna Swish" link (Swish's payment link, opens the app on a phone)."""
    params = {"sw": clean_number(payee)}
    if amount_ore:
        params["amt"] = format_amount(amount_ore).replace(",", ".")
        params["cur"] = "SEK"
    if message:
        params["msg"] = clean_message(message)
    params["edit"] = "amt"
    params["src"] = "url"
    return "https://app.swish.nu/1/p/sw/?" + urlencode(params, quote_via=quote)
