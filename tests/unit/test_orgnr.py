import pytest

from lokalamal_app.orgnr import OrgNumberError, format_org_number, parse_org_number


def test_accepts_a_valid_number_with_or_without_dash():
    assert parse_org_number("556036-0793") == "5560360793"
    assert parse_org_number("5560360793") == "5560360793"
    assert format_org_number("5560360793") == "556036-0793"


@pytest.mark.parametrize(
    ("text", "message"),
    [("556036-0794", "kontrollsiffran"), ("55603607", "tio siffror"), ("abc", "tio siffror")],
)
def test_refuses_wrong_numbers(text, message):
    with pytest.raises(OrgNumberError, match=message):
        parse_org_number(text)
