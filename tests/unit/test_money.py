import pytest

from lokalamal_app.money import MoneyError, format_ore, ore_to_input, parse_kronor


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
    ],
)
def test_parses_the_ways_people_write_kronor(text, ore):
    assert parse_kronor(text) == ore


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Skriv ett belopp."),
        ("abc", "Beloppet ska vara ett tal"),
        ("1,234", "högst två decimaler"),
        ("1.250,50", "högst ett decimaltecken"),
        ("12e3", "Beloppet ska vara ett tal"),
        ("NaN", "Beloppet ska vara ett tal"),
        ("1 2 3 , 4 5 6", "högst två decimaler"),
    ],
)
def test_refuses_what_is_not_an_amount_in_swedish(text, message):
    with pytest.raises(MoneyError, match=message):
        parse_kronor(text)


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
