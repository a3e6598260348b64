"""Team payment references (prefix, team id, Luhn check digit) and the mission's bankgiro."""

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from stdnum import luhn

from lokalamal_app.reconciliation import references


def test_a_reference_is_the_prefix_the_team_id_and_a_luhn_check_digit():
    assert references.payment_reference(5) == "7054"
    assert references.payment_reference(123) == "71233"
    assert luhn.is_valid(references.payment_reference(98765))
    assert len(references.payment_reference(1)) >= 4


@given(st.integers(min_value=1, max_value=10**9))
@example(67100)  # "76 7100c": its second half alone reads as team 100
def test_every_reference_reads_back_to_its_team(team_id):
    reference = references.payment_reference(team_id)
    assert references.team_id_for(reference) == team_id
    assert references.team_ids_in(f"Gåva {reference[:2]} {reference[2:]} tack!") == [team_id]


@given(st.integers(min_value=1, max_value=10**6), st.integers(min_value=0, max_value=9))
def test_one_mistyped_digit_is_never_another_team(team_id, wrong):
    reference = references.payment_reference(team_id)
    position = len(reference) - 2  # the last digit of the id
    if reference[position] == str(wrong):
        return
    typo = reference[:position] + str(wrong) + reference[position + 1:]
    assert references.team_id_for(typo) is None


@pytest.mark.parametrize("text", ["705 4", "70-54", " 7054 ", "7 0 5 4"])
def test_spaces_and_hyphens_inside_a_reference_are_tolerated(text):
    assert references.team_id_for(text) == 5


@pytest.mark.parametrize("text", ["", "7053", "8054", "70054", "7004", "abcd", "٧٠٥٤", "705"])
def test_what_is_not_a_reference_gives_no_team(text):
    assert references.team_id_for(text) is None


def test_references_are_found_in_a_message_among_other_numbers():
    message = "Lokala mål 7054 + 71233, ring 070-123 45 67, 500 kr"
    assert references.team_ids_in(message) == [5, 123]
    assert references.team_ids_in("Tack för kaffet 2026") == []
    # Part of a longer number is not a reference.
    assert references.team_ids_in("Faktura 170549") == []


def test_a_bankgiro_number_is_seven_or_eight_digits_with_a_check_digit(app_ctx):
    assert references.clean_bankgiro("123-4566") == "1234566"
    assert references.format_bankgiro("1234566") == "123-4566"
    assert references.format_bankgiro("55555551") == "5555-5551"
    with pytest.raises(references.BankgiroError, match="kontrollsiffran"):
        references.clean_bankgiro("123-4567")
    with pytest.raises(references.BankgiroError, match="7 eller 8 siffror"):
        references.clean_bankgiro("12-34")
