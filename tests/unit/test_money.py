import pytest
from hypothesis import given
from hypothesis import strategies as st

from lokalamal_app.money import (
    AmbiguousAmount,
    MoneyError,
    format_ore,
    ore_to_input,
    parse_kronor,
)


@pytest.mark.parametrize(
    ("text", "ore"),
    [
        ("1 250,50", 125050),
        ("1250.50", 125050),
        ("1 250 kr", 125000),
        ("1250:-", 125000),
        ("1\u00a0250,5", 125050),
        ("0,01", 1),
        ("100", 10000),
        ("  75 kronor ", 7500),
        ("12345678,99", 1234567899),
        ("1.250,50", 125050),
        ("1,250.50", 125050),
        ("1.250.000", 125000000),
        ("0,250", 25),
        ("1234,500", 123450),
        ("−50 kr", -5000),
        ("12 345 678,99", 1234567899),
        ("1'250", 125000),
        ("- 50", -5000),
        ("250 , 50", 25050),
    ],
)
def test_parses_the_ways_people_write_kronor(text, ore):
    assert parse_kronor(text) == ore


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Skriv ett belopp."),
        ("abc", "Beloppet ska vara ett tal"),
        ("1,2345", "högst två decimaler"),
        ("1.250,50,1", "högst ett decimaltecken"),
        ("1,25,0", "högst ett decimaltecken"),
        ("12e3", "Beloppet ska vara ett tal"),
        ("NaN", "Beloppet ska vara ett tal"),
        ("1 2 3 , 4 5 6 7", "Mellanslag får bara dela upp tusental"),
        ("12 34", "Mellanslag får bara dela upp tusental"),
        ("12\n34", "Mellanslag får bara dela upp tusental"),
        ("1\t250", "Mellanslag får bara dela upp tusental"),
        ("1 2500", "Mellanslag får bara dela upp tusental"),
        ("1 250,5 0", "Mellanslag får bara dela upp tusental"),
    ],
)
def test_refuses_what_is_not_an_amount_in_swedish(text, message):
    with pytest.raises(MoneyError, match=message):
        parse_kronor(text)


@pytest.mark.parametrize("digits", [26, 27, 28, 29, 40, 60])
def test_an_amount_of_many_digits_is_read_exactly(digits):
    """Past Decimal's 28 digits of precision too: the form's limit then refuses it, not an
    error in the arithmetic."""
    assert parse_kronor("9" * digits) == int("9" * digits) * 100
    assert parse_kronor("9" * digits + ",50") == int("9" * digits) * 100 + 50
    assert parse_kronor("9" * digits + ",500") == int("9" * digits) * 100 + 50


def test_never_goes_through_float():
    # 0.1 + 0.2 style errors would show up here.
    assert parse_kronor("0,29") == 29
    assert parse_kronor("1,15") == 115
    assert parse_kronor("4,35") == 435


def test_formats_whole_kronor_without_decimals_and_groups_thousands():
    assert format_ore(1234500) == "12\u00a0345\u00a0kr"
    assert format_ore(125050) == "1\u00a0250,50\u00a0kr"
    assert format_ore(0) == "0\u00a0kr"
    assert format_ore(None) == "0\u00a0kr"
    assert format_ore(-5000) == "−50\u00a0kr" or format_ore(-5000) == "-50\u00a0kr"


def test_input_form_round_trips():
    for ore in (1, 99, 100, 125050, 1234500):
        assert parse_kronor(ore_to_input(ore)) == ore


def test_messages_are_swedish_in_an_app_context_without_a_request(app_ctx):
    """CLI commands and imports parse amounts with no visitor: the locale falls back to Swedish."""
    with pytest.raises(MoneyError, match="Skriv ett belopp."):
        parse_kronor("")


@pytest.mark.parametrize("text", ["1,250", "1.250", "12,500", "999.000", "-1,250", "1 , 250"])
def test_one_separator_and_three_digits_is_asked_about_not_guessed(text):
    with pytest.raises(AmbiguousAmount) as caught:
        parse_kronor(text)
    assert str(caught.value).startswith("Menar du")


def test_the_question_names_both_readings():
    with pytest.raises(AmbiguousAmount, match="Menar du 1\u00a0250\u00a0kr eller 1,25\u00a0kr?") as caught:
        parse_kronor("1,250")
    assert caught.value.readings == (125000, 125)


def test_three_digits_that_cannot_be_ore_still_ask_with_the_thousands_reading():
    with pytest.raises(AmbiguousAmount, match="Menar du 1\u00a0234\u00a0kr?") as caught:
        parse_kronor("1,234")
    assert caught.value.readings == (123400,)


@pytest.mark.parametrize(("text", "ore"), [
    ("1,250", 125000), ("1,250.50", 125050), ("1,250,000", 125000000), ("1.25", 125),
    ("1,25", 125), ("1 250.5", 125050), ("0,250", 25),
])
def test_in_english_a_comma_groups_thousands(text, ore):
    assert parse_kronor(text, locale="en") == ore


def test_in_english_a_dot_and_three_digits_is_still_asked_about():
    with pytest.raises(AmbiguousAmount):
        parse_kronor("1.250", locale="en")


_ORE = st.integers(min_value=-10**12, max_value=10**12)


@given(_ORE)
def test_a_formatted_amount_parses_back_to_the_same_ore_in_swedish(ore):
    assert parse_kronor(format_ore(ore)) == ore
    assert parse_kronor(format_ore(ore, decimals=True)) == ore


@given(_ORE)
def test_a_formatted_amount_parses_back_to_the_same_ore_in_english(ore):
    assert parse_kronor(format_ore(ore, locale="en"), locale="en") == ore
    assert parse_kronor(format_ore(ore, decimals=True, locale="en"), locale="en") == ore


@given(_ORE)
def test_what_a_form_shows_parses_back_to_the_same_ore(ore):
    assert parse_kronor(ore_to_input(ore)) == ore
    assert parse_kronor(ore_to_input(ore), locale="en") == ore
