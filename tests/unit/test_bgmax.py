"""Reading Bankgirot's BgMax file: amounts, references and names as the bank sent them, and
a broken file refused whole with a reason that names the record."""

from datetime import date, datetime

import pytest

from lokalamal_app.reconciliation import bgmax
from lokalamal_app.reconciliation import bgmax_builder as b


def _refused(text: str) -> str:
    with pytest.raises(bgmax.BgMaxError) as caught:
        bgmax.parse(b.encode(text))
    return str(caught.value)


def test_a_file_gives_its_deposits_and_payments_with_what_the_bank_said(app_ctx):
    text = b.file(
        b.Section([
            (250_00, "10168", [b.information("Gåva från fikagruppen"), b.name("Åsa Öberg"),
                               b.address("Storgatan 2", "72211"),
                               b.address2("Västerås", "Sverige", "SE"),
                               b.organisation("5560360793")]),
            (99_50, "", [b.information("Lag 10168 och"), b.information("lite till")]),
        ]),
        b.Section([(1_000_000_00, "10242", [])], paid_on="20261201"),
    )
    parsed = bgmax.parse(b.encode(text))
    assert parsed.layout == "BGMAX" and parsed.version == "01" and not parsed.test
    assert parsed.created_at == datetime(2026, 11, 30, 12, 0, 0, 123456)
    assert [d.amount_ore for d in parsed.deposits] == [349_50, 1_000_000_00]
    first, second, third = parsed.payments
    assert (first.amount_ore, first.reference, first.date) == (250_00, "10168", date(2026, 11, 30))
    assert first.message == "Gåva från fikagruppen"
    assert first.payer_name == "Åsa Öberg" and first.city == "Västerås"
    assert (first.postcode, first.country_code) == ("72211", "SE")
    assert first.organisation_number == "5560360793"
    assert first.serial == "000000000000" and first.reference_code == "2" and first.channel == "1"
    assert second.message == "Lag 10168 och lite till" and second.reference == ""
    assert third.date == date(2026, 12, 1) and third.amount_ore == 1_000_000_00
    deposit = parsed.deposits[0]
    assert deposit.payee_bankgiro == "9912346" and deposit.currency == "SEK"
    assert deposit.account == "58410000010098232" and deposit.serial == "00001"
    assert deposit.payment_count == 2 and deposit.deposit_type == "K"


def test_a_test_file_is_marked_as_test(app_ctx):
    parsed = bgmax.parse(b.file(b.Section([(100, "", [])]), marker="T"))
    assert parsed.test


def test_a_deduction_counts_against_the_deposit_and_extra_references_are_kept(app_ctx):
    records = [
        b.start(), b.opening(),
        b.payment(500_00, "", reference_code="3"),
        b.extra_reference("10168", 300_00), b.extra_reference("10242", 200_00),
        b.payment(50_00, "55", code="21", deduction_code="0"),
        b.deposit(450_00, 2), b.end(1, deductions=1, extras=2),
    ]
    parsed = bgmax.parse("\r\n".join(records))
    gift, deduction = parsed.payments
    assert gift.references == ["10168", "10242"]
    assert [x.amount_ore for x in gift.extra_references] == [300_00, 200_00]
    assert deduction.amount_ore == -50_00 and deduction.deduction_code == "0"


def test_iso_8859_1_letters_are_read_from_the_bytes(app_ctx):
    text = b.file(b.Section([(100_00, "", [b.name("Ærlig Ønskeby Ü")])]))
    assert bgmax.parse(text.encode("iso-8859-1")).payments[0].payer_name == "Ærlig Ønskeby Ü"


def test_trailing_empty_lines_are_fine(app_ctx):
    assert len(bgmax.parse(b.file(b.Section([(1, "", [])])) + "\n\n\n").payments) == 1


def test_wrong_layout_name_is_refused(app_ctx):
    text = b.file(b.Section([(100, "", [])])).replace("BGMAX", "BGMIN", 1)
    assert "layoutnamnet är ”BGMIN”" in _refused(text)


def test_unknown_version_is_refused(app_ctx):
    lines = b.file(b.Section([(100, "", [])])).splitlines()
    lines[0] = b.start(version="02")
    assert "version ”02”" in _refused("\n".join(lines))


def test_a_record_of_the_wrong_length_is_refused_by_its_line(app_ctx):
    lines = b.file(b.Section([(100, "", [])])).splitlines()
    lines[2] = lines[2].rstrip()
    assert _refused("\n".join(lines)).startswith("Rad 3 har 70 tecken")


def test_an_unknown_record_type_is_refused(app_ctx):
    lines = b.file(b.Section([(100, "", [])])).splitlines()
    lines.insert(3, "99" + " " * 78)
    assert "Rad 4: okänd posttyp ”99”" in _refused("\n".join(lines))


def test_a_deposit_whose_sum_differs_from_its_payments_is_refused(app_ctx):
    records = [b.start(), b.opening(), b.payment(100_00), b.payment(50_00),
               b.deposit(150_01, 2), b.end(2)]
    message = _refused("\n".join(records))
    assert "Rad 5 (TK15)" in message and "15001" in message and "15000" in message


def test_a_deposit_with_the_wrong_number_of_payments_is_refused(app_ctx):
    records = [b.start(), b.opening(), b.payment(100_00), b.deposit(100_00, 2), b.end(1)]
    assert "säger 2 betalningar, men avsnittet har 1" in _refused("\n".join(records))


@pytest.mark.parametrize("end, what", [
    (b.end(3), "betalningsposter"),
    (b.end(2, deductions=1), "avdragsposter"),
    (b.end(2, extras=1), "extra referensnummerposter"),
    (b.end(2, deposits=2), "insättningsposter"),
])
def test_an_end_record_whose_counts_differ_is_refused(app_ctx, end, what):
    records = [b.start(), b.opening(), b.payment(1), b.payment(2), b.deposit(3, 2), end]
    message = _refused("\n".join(records))
    assert message.startswith("Rad 6 (TK70)") and what in message


def test_a_file_cut_short_is_refused(app_ctx):
    lines = b.file(b.Section([(100, "", [])])).splitlines()
    assert "Slutposten (TK70) saknas" in _refused("\n".join(lines[:-1]))
    assert "innan insättningsposten" in _refused("\n".join(lines[:-2] + lines[-1:]))


def test_records_out_of_order_are_refused(app_ctx):
    assert "öppningspost (TK05) saknas" in _refused("\n".join([b.start(), b.payment(1)]))
    assert "ingen betalningspost" in _refused("\n".join([b.start(), b.opening(), b.name("X")]))
    after_end = b.file(b.Section([(1, "", [])])) + b.opening()
    assert "efter slutposten" in _refused(after_end)


def test_an_amount_that_is_not_a_number_is_refused(app_ctx):
    records = [b.start(), b.opening(), b.payment(1).replace("000000000000000001", "00000000000000001X"),
               b.deposit(1, 1), b.end(1)]
    assert "Rad 3 (TK20): beloppet" in _refused("\n".join(records))


def test_something_else_than_bgmax_is_refused(app_ctx):
    assert "ingen BgMax-fil" in _refused("Datum;Belopp;Meddelande\n" + "x" * 80)
    assert "Filen är tom" in _refused("\n\n")
