"""Whole numbers from requests: ASCII digits within the database's integer, nothing else."""

import pytest

from lokalamal_app.inputs import DB_INT_MAX, small_int


@pytest.mark.parametrize(("text", "number"), [
    ("0", 0), ("42", 42), (str(DB_INT_MAX), DB_INT_MAX), (str(DB_INT_MAX + 1), None),
    ("²", None), ("1²", None), ("٣", None), ("-1", None), (" 1", None), ("", None),
    (None, None), ("1\x00", None), ("9" * 400, None),
])
def test_only_ascii_digits_within_the_database_integer_are_numbers(text, number):
    assert small_int(text) == number
