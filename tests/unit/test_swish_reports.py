"""Reading Swish and bank reports: the layout is known by its header, each row is read or
refused with its own reason, and nothing in a cell is ever run as a formula."""

from datetime import date

import pytest

from lokalamal_app import csvexport
from lokalamal_app.reconciliation import swish_reports

BANK_HEADER = ("Bokföringsdag;Transaktionsdag;Tid;Betalningsreferens;Avsändare;"
               "Avsändarnummer;Meddelande;Belopp;Valuta")


def _bank(rows, encoding="utf-8", preamble=()) -> bytes:
    return ("\r\n".join([*preamble, BANK_HEADER, *rows]) + "\r\n").encode(encoding)


def test_a_bank_swish_report_is_known_by_its_header_and_read_with_decimal_comma(app_ctx):
    data = _bank([
        '2026-11-28;2026-11-27;14:02;="1234ABCD5678";Åsa Öberg;="46701234567";7054 Lokala mål;'
        '1.250,00;SEK',
        '2026-11-28;2026-11-28;09:15;9F00AA;Zoë Ångström-Nguyễn;46709876543;Tack!;+250,50;SEK',
    ], preamble=["Swishrapport;Västerås stadsmission", "Period;2026-11-01 - 2026-11-30", ""])
    report = swish_reports.read(data)
    assert report.layout.key == "bank_swish"
    first, second = report.rows
    assert (first.paid_on, first.amount_ore, first.message) == (date(2026, 11, 27), 1_250_00,
                                                                 "7054 Lokala mål")
    assert (first.payment_id, first.payer_name) == ("1234ABCD5678", "Åsa Öberg")
    assert (first.line, first.date, first.serial) == (5, date(2026, 11, 27), "1234ABCD5678")
    assert second.amount_ore == 250_50 and second.payer_name == "Zoë Ångström-Nguyễn"


def test_the_simple_layout_stays_as_it_was(app_ctx):
    report = swish_reports.read("Datum,Belopp,Meddelande\n2026-11-02,\"1 250,50\",LM101\n")
    assert report.layout.key == "simple"
    assert report.rows[0].amount_ore == 1_250_50 and report.rows[0].payment_id == ""


@pytest.mark.parametrize("encoding, bom", [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"),
                                           ("cp1252", b""), ("utf-16", b"")])
def test_encodings_utf8_with_or_without_bom_windows_1252_and_utf16(app_ctx, encoding, bom):
    data = bom + _bank(["2026-11-28;2026-11-27;10:00;A1;Örjan Åkesson;0701;Gåva till lag 7054;"
                        "100,00;SEK"], encoding=encoding)
    row = swish_reports.read(data).rows[0]
    assert row.payer_name == "Örjan Åkesson" and row.message == "Gåva till lag 7054"


def test_formula_looking_cells_are_text_and_never_amounts(app_ctx):
    data = _bank([
        '2026-11-28;2026-11-27;10:00;A1;=cmd|"/c calc"!A1;0701;=HYPERLINK("http://x.test");'
        '100,00;SEK',
        "2026-11-28;2026-11-27;10:00;A2;@SUM(A1);0702;+46 tack;=1+2;SEK",
        "2026-11-28;2026-11-27;10:00;A3;-Anna;0703;-minus;-40,00;SEK",
    ])
    text_row, formula_amount, outgoing = swish_reports.read(data).rows
    assert text_row.message == '=HYPERLINK("http://x.test")' and text_row.amount_ore == 100_00
    assert text_row.payer_name == '=cmd|"/c calc"!A1'
    assert formula_amount.problem == "Rad 3: beloppet ”=1+2” är inget belopp."
    assert outgoing.amount_ore == -40_00 and outgoing.message == "-minus"
    # Written back out, such text can never run in a spreadsheet.
    assert csvexport.text_cell(text_row.message).startswith("'=")
    assert csvexport.text_cell(text_row.payer_name).startswith("'=")


def test_one_bad_row_never_stops_the_file_and_each_says_why(app_ctx):
    data = _bank([
        "2026-11-28;2026-11-27;10:00;A1;Anna;0701;7054;100,00;SEK",
        "2026-11-28;igår;10:00;A2;Bo;0702;7054;100,00;SEK",
        "2026-11-28;2026-11-27;10:00;A3;Cecilia;0703;7054;hundra;SEK",
        "2026-11-28;2026-11-27;10:00;A4",
        "2026-11-28;2026-11-27;10:00;A5;Dan;0705;7054;1,005;SEK",
    ])
    rows = swish_reports.read(data).rows
    assert [r.problem for r in rows] == [
        "",
        "Rad 3: datumet ”igår” går inte att läsa (skriv ÅÅÅÅ-MM-DD).",
        "Rad 4: beloppet ”hundra” är inget belopp.",
        "Rad 5: har 4 fält men rubrikraden har 9.",
        "Rad 6: beloppet ”1,005” är inget belopp.",
    ]


def test_long_messages_are_kept_to_the_limit_and_odd_characters_made_plain(app_ctx):
    decomposed = "a\u030a"  # "å" as a Mac may write it: a and a combining ring
    message = f"Lag 7054 {decomposed}\u0007 tack\u200b " + "x" * 3000
    data = _bank([f"2026-11-28;2026-11-27;10:00;A1;Anna;0701;{message};100,00;SEK"])
    row = swish_reports.read(data).rows[0]
    assert row.message.startswith("Lag 7054 å tack ") and len(row.message) == 2000


def test_a_file_of_no_known_layout_says_which_columns_it_needs(app_ctx):
    with pytest.raises(swish_reports.ReportError, match="Hittar inte kolumnerna"):
        swish_reports.read(b"Konto;Saldo\n1234;100,00\n")


def test_a_read_report_knows_its_period_total_and_hash_whatever_its_line_endings(app_ctx):
    from lokalamal_app.staff import swish_import

    rows = ["Datum;Belopp;Meddelande", "2026-11-02;100,00;LM101", "2026-11-01;-20,00;Åter",
            "2026-11-03;tre;LM101"]
    unix = swish_import.read("\n".join(rows).encode("utf-8"))
    windows = swish_import.read("\r\n".join(rows).encode("cp1252"))
    assert unix.content_hash == windows.content_hash
    assert (unix.first_day, unix.last_day) == (date(2026, 11, 1), date(2026, 11, 2))
    assert (len(unix.payments), unix.total_ore) == (3, 80_00)
    assert unix.layout.key == "simple"
    other = swish_import.read("\n".join([*rows, "2026-11-04;1,00;LM101"]).encode("utf-8"))
    assert other.content_hash != unix.content_hash
