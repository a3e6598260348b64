"""The Swish QR image decodes to exactly the payload Swish's specification asks for."""

import io

import zxingcpp
from PIL import Image

from lokalamal_app import qr, swish


def _decode(png: bytes) -> str:
    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert len(results) == 1
    return results[0].text


def test_the_team_qr_image_decodes_to_the_prefilled_payload(app_ctx):
    class Team:
        id = 123
        reference = "LM101"

    text = _decode(qr.png(swish.team_payload("123 456 78 90", Team())))
    assert text == "C1234567890;;71233%20Lokala%20m%C3%A5l;2"
    payee, amount, message, mask = text.split(";")
    assert (payee, amount, mask) == ("C1234567890", "", "2")


def test_an_amount_and_a_foreign_message_survive_the_image(app_ctx):
    payload = swish.payload("9001234", amount_ore=1_250_00, message="Tack från Ölands åkeri ;)",
                            editable=swish.EDIT_MESSAGE)
    text = _decode(qr.png(payload))
    assert text == "C9001234;1250,00;Tack%20fr%C3%A5n%20%C3%96lands%20%C3%A5keri%20%3B);4"
