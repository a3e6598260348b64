"""The Swish payload against the examples in the specification (DESIGN.md)."""

import pytest

from lokalamal_app import swish


def test_only_the_payee_is_required():
    assert swish.payload("1234567890") == "C1234567890"


def test_empty_fields_stay_empty_as_in_the_specification_example():
    # "C1234567890;;Gåva;4" before encoding; the message is URL-encoded as UTF-8.
    assert swish.payload("1234567890", message="Gåva", editable=swish.EDIT_MESSAGE) == \
        "C1234567890;;G%C3%A5va;4"


def test_amount_has_two_decimals_and_a_decimal_comma():
    assert swish.payload("1234567890", amount_ore=100_00) == "C1234567890;100,00"
    assert swish.payload("1234567890", amount_ore=12_345_50, message="LM101",
                         editable=swish.EDIT_AMOUNT | swish.EDIT_MESSAGE) == \
        "C1234567890;12345,50;LM101;6"


def test_message_is_url_encoded_and_keeps_allowed_characters():
    assert swish.payload("1234567890", message="LM101 Fika!") == "C1234567890;;LM101%20Fika!"
    assert swish.payload("1234567890", message="Å ä ö") == "C1234567890;;%C3%85%20%C3%A4%20%C3%B6"
    assert swish.payload("1234567890", message="Tack, (igen): ok?") == \
        "C1234567890;;Tack%2C%20(igen)%3A%20ok%3F"


def test_the_50_character_limit_counts_characters_not_encoded_bytes():
    payload = swish.payload("1234567890", message="å" * 60)
    assert payload == "C1234567890;;" + "%C3%A5" * 50


def test_message_drops_disallowed_characters_and_is_cut_to_50():
    text = swish.clean_message("Hej <script> & " + "x" * 80)
    assert "<" not in text and "&" not in text
    assert len(text) == 50


def test_separator_in_message_cannot_break_the_fields():
    payload = swish.payload("1234567890", message="a;b")
    assert payload == "C1234567890;;a%3Bb"
    assert len(payload.split(";")) == 3


def test_team_payload_fixes_the_reference_and_lets_the_payer_pick_the_amount():
    class Team:
        id = 5
        reference = "LM101"

    # Team 5's payment reference is 7054; mask 2: only the amount may be changed.
    assert swish.team_payload("123 456 78 90", Team()) == \
        "C1234567890;;7054%20Lokala%20m%C3%A5l;2"


@pytest.mark.parametrize("number", ["", "12345abc", "12", "1" * 16, "+46701234567"])
def test_numbers_that_are_not_swish_numbers_are_refused(number):
    with pytest.raises(swish.SwishError):
        swish.clean_number(number)


def test_a_90_account_number_need_not_have_ten_digits():
    assert swish.clean_number("90 012 34") == "9001234"


def test_app_link_opens_swish_with_number_and_message():
    link = swish.app_link("1234567890", "7054 Lokala mål")
    assert link == ("https://app.swish.nu/1/p/sw/?sw=1234567890&msg=7054%20Lokala%20m%C3%A5l"
                    "&edit=amt&src=url")


def test_app_link_amount_has_a_decimal_point_and_currency():
    link = swish.app_link("1234567890", "Gåva", amount_ore=250_50)
    assert "amt=250.50&cur=SEK" in link and "+" not in link
