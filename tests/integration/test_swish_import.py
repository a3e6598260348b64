"""The Swish/bank CSV import: matching by team reference, staff confirm, never twice."""

import io
import re
from datetime import date, datetime, time, timedelta

import pytest
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from lokalamal_app import clock
from lokalamal_app.extensions import db
from lokalamal_app.ledger import check, totals
from lokalamal_app.ledger import services as ledger
from lokalamal_app.models import AuditEvent, LedgerEntry, SwishFile, SwishPayment
from lokalamal_app.reconciliation import references
from lokalamal_app.reconciliation.queries import swish_file_summaries
from lokalamal_app.staff import swish_import
from tests import factories

# One fixed day for the whole module (the clock is held there below): a day read from the
# real clock when the module loads is yesterday for a test that runs past midnight.
TODAY = date(2026, 11, 18)


@pytest.fixture(autouse=True)
def _on_one_day(freeze_clock):
    freeze_clock(datetime.combine(TODAY, time(12), tzinfo=clock.zone()))


@pytest.fixture
def world(app_ctx):
    staff = factories.make_user(is_staff=True)
    company = factories.make_company()
    fika = factories.make_team(company, reference="LM101")
    kod = factories.make_team(company, reference="LM102", goal_number=5)
    pending = factories.make_collection(fika, amount_ore=250_00, collected_on=TODAY - timedelta(days=2))
    factories.commit()
    return {"staff": staff, "fika": fika, "kod": kod, "pending": pending}


def _csv(rows, header="Datum;Belopp;Meddelande", encoding="utf-8") -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode(encoding)


def _report():
    d = TODAY.isoformat()
    return _csv([
        f"{d};250,00;LM101 Lokala mål",      # the fika team's pending 250 kr: receive
        f"{d};100,00;lm102",                  # the other team, nothing reported: new entry
        f"{d};75,00;Tack för allt",           # no code
        f"{d};60,00;LM999",                   # unknown code
        f"{d};-40,00;LM101 återbetalning",    # outgoing
    ])


def _statuses() -> dict[str, int]:
    return dict(db.session.execute(
        db.select(SwishPayment.status, db.func.count(SwishPayment.id))
        .group_by(SwishPayment.status)).all())


def _upload(client, data: bytes, name="rapport.csv"):
    return client.post("/staff/swish-import", data={"report": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def _confirm(client, preview_html: str, only=None):
    content = re.search(r'name="content" type="hidden" value="([^"]+)"', preview_html).group(1)
    keys = re.findall(r'name="book" value="([0-9a-f]+)"', preview_html)
    return client.post("/staff/swish-import/confirm",
                       data={"content": content, "book": keys if only is None else keys[:only]})


def test_preview_shows_what_matched_and_why_not_and_writes_nothing(world, login):
    client = login(world["staff"])
    response = _upload(client, _report())
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Mottagen" in html and "Ny mottagen post" in html
    assert "Ingen lagkod i meddelandet" in html
    assert "Utbetalning eller noll" in html
    # No code and an unknown code wait for a person; the outgoing payment is refused.
    assert html.count("Väntar på en person") >= 2 and "Avvisas" in html
    assert "2 kan bokföras, 0 är redan inlästa från en tidigare fil, 2 väntar på en person och 1 avvisas." in html
    assert db.session.execute(db.select(SwishPayment)).first() is None
    db.session.expire_all()
    assert db.session.get(LedgerEntry, world["pending"].id).status == "pending"


def test_confirming_receives_the_match_and_books_the_rest_as_new_received(world, login):
    client = login(world["staff"])
    html = _upload(client, _report()).get_data(as_text=True)
    response = _confirm(client, html)
    assert response.status_code == 302
    db.session.expire_all()
    paid = db.session.get(LedgerEntry, world["pending"].id)
    assert paid.status == "received"
    # The report's row is the receipt: its date and where it stands in the file.
    assert paid.received_on == TODAY
    assert paid.received_reference == f"Swishrapport {TODAY.isoformat()}, rad 2"
    new = db.session.execute(
        db.select(LedgerEntry).where(LedgerEntry.team_id == world["kod"].id)
    ).scalar_one()
    assert (new.amount_ore, new.status, new.method) == (100_00, "received", "swish")
    assert new.received_reference == f"Swishrapport {TODAY.isoformat()}, rad 3"
    assert totals.figures("team", world["fika"].id).received_ore == 250_00
    assert totals.overall(["all"])["all"].received_ore == 350_00
    assert totals.overall(["all"])["all"].reported_ore == 350_00
    # Every row of the file is recorded with its state; two are booked.
    assert _statuses() == {"booked": 2, "waiting": 2, "refused": 1}
    assert db.session.execute(
        db.select(db.func.count(AuditEvent.id)).where(AuditEvent.action == "swish.import")
    ).scalar_one() == 5


def test_a_reimported_file_changes_nothing(world, login):
    client = login(world["staff"])
    _confirm(client, _upload(client, _report()).get_data(as_text=True))
    before = db.session.execute(db.select(db.func.count(LedgerEntry.id))).scalar_one()
    again = _upload(client, _report()).get_data(as_text=True)
    assert 'id="already-imported"' in again and "ändrar ingenting" in again
    assert 'name="book"' not in again
    # Even a replayed confirm that ticks every payment books nothing new.
    first = _upload(client, _report()).get_data(as_text=True)
    stale_content = re.search(r'name="content" type="hidden" value="([^"]+)"', first).group(1)
    keys = [p.import_key for p in swish_import.parse(_report())]
    response = client.post("/staff/swish-import/confirm",
                           data={"content": stale_content, "book": keys})
    assert "Filen är redan inläst. Ingenting ändrades." in client.get(
        response.headers["Location"]).get_data(as_text=True)
    db.session.expire_all()
    assert db.session.execute(db.select(db.func.count(LedgerEntry.id))).scalar_one() == before
    assert _statuses() == {"booked": 2, "waiting": 2, "refused": 1}
    assert db.session.execute(db.select(db.func.count(SwishFile.id))).scalar_one() == 1
    assert totals.overall(["all"])["all"].received_ore == 350_00


def test_only_the_ticked_payments_are_booked(world, login):
    client = login(world["staff"])
    html = _upload(client, _report()).get_data(as_text=True)
    _confirm(client, html, only=1)
    assert _statuses()["booked"] == 1
    # The other waits for a person on the reconciliation page.
    unticked = db.session.execute(db.select(SwishPayment).where(
        SwishPayment.reason == "Inte vald vid importen.")).scalar_one()
    assert unticked.status == "waiting" and unticked.team_id == world["kod"].id
    page = client.get("/staff/reconciliation").get_data(as_text=True)
    assert f'id="swish-payment-{unticked.id}"' in page


def test_two_identical_payments_are_two_payments(world, login):
    d = TODAY.isoformat()
    data = _csv([f"{d};100,00;LM102", f"{d};100,00;LM102"])
    payments = swish_import.parse(data)
    assert len({p.import_key for p in payments}) == 2
    client = login(world["staff"])
    _confirm(client, _upload(client, data).get_data(as_text=True))
    assert totals.figures("team", world["kod"].id).received_ore == 200_00


def test_payment_id_column_identifies_the_payment_across_files(world, login):
    d = TODAY.isoformat()
    header = "Transaktions-ID;Bokföringsdag;Belopp;Referens"
    first = _csv([f"A1;{d};100,00;LM102"], header=header)
    # The bank shows the same payment with a differently spaced message next time.
    second = _csv([f"A1;{d};100,00;LM102 ", f"A2;{d};50,00;LM102"], header=header)
    client = login(world["staff"])
    _confirm(client, _upload(client, first).get_data(as_text=True))
    _confirm(client, _upload(client, second).get_data(as_text=True))
    assert totals.figures("team", world["kod"].id).received_ore == 150_00


def test_bank_export_in_windows_1252_with_comma_separator_and_preamble(world, login):
    d = TODAY.isoformat()
    data = ("Kontoutdrag 1234-5678\nPeriod: hela månaden\n"
            "Bokföringsdag,Belopp,Text\n"
            f'{d},"250,00",LM101 gåva från Åsa\n').encode("cp1252")
    payments = swish_import.parse(data)
    assert payments[0].message == "LM101 gåva från Åsa"
    assert payments[0].amount_ore == 250_00
    proposal = swish_import.propose(payments)[0]
    assert proposal.action == "receive" and proposal.entry.id == world["pending"].id


def test_a_match_must_be_same_amount_and_near_in_time(world):
    d_far = (TODAY - timedelta(days=30)).isoformat()
    d = TODAY.isoformat()
    proposals = swish_import.propose(swish_import.parse(_csv([
        f"{d};249,00;LM101", f"{d_far};250,00;LM101", f"{d};250,00;LM101", f"{d};250,00;LM101",
    ])))
    assert [p.action for p in proposals] == ["create", "create", "receive", "create"]


def test_a_payment_for_an_attested_entry_receives_it(world, login):
    admin = factories.make_user()
    factories.add_member(world["fika"].company, admin, role="admin")
    ledger.attest_entry(world["pending"], admin)
    factories.commit()
    client = login(world["staff"])
    html = _upload(client, _report()).get_data(as_text=True)
    _confirm(client, html)
    db.session.expire_all()
    assert db.session.get(LedgerEntry, world["pending"].id).status == "received"
    figures = totals.figures("team", world["fika"].id)
    assert (figures.reported_ore, figures.attested_ore, figures.received_ore) == (
        250_00, 250_00, 250_00)


def test_staff_do_not_book_a_payment_for_a_collection_they_logged_themselves(world, login):
    own = factories.make_collection(world["kod"], amount_ore=100_00, logged_by=world["staff"])
    factories.commit()
    d = TODAY.isoformat()
    data = _csv([f"{d};100,00;LM102", f"{d};250,00;LM101"])
    client = login(world["staff"])
    html = _upload(client, data).get_data(as_text=True)
    response = _confirm(client, html)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "registrerade posten själv" in page
    db.session.expire_all()
    assert db.session.get(LedgerEntry, own.id).status == "pending"
    assert db.session.get(LedgerEntry, world["pending"].id).status == "received"
    assert _statuses() == {"booked": 1, "waiting": 1}


@pytest.mark.parametrize("data, message", [
    (b"", "Filen är tom."),
    (b"Namn;Summa\nx;1\n", "Hittar inte kolumnerna"),
    (b"Datum;Belopp;Meddelande\n2026-13-01;100;LM101\n", "Rad 2: datumet"),
    (b"Datum;Belopp;Meddelande\n2026-11-01;hundra;LM101\n", "Rad 2: beloppet"),
    (b"Datum;Belopp;Meddelande\n2026-11-01;100\n", "Rad 2: har 2 fält"),
    (b"Datum;Belopp;Meddelande\n", "inga betalningar"),
    ("Datum;Belopp;Meddelande\n2026-11-01;1;LM101\n".encode("utf-16-le"), "ingen textfil"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "ingen textfil"),
])
def test_bad_files_are_reported_and_nothing_is_written(world, login, data, message):
    client = login(world["staff"])
    response = _upload(client, data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html and "Ingenting har sparats" in html
    assert db.session.execute(db.select(SwishPayment)).first() is None


def test_every_bad_row_is_refused_with_its_own_reason_and_the_good_rows_stay(world):
    data = _csv(["2026-11-01;100;LM101", "igår;100;LM101", "2026-11-02;x;LM101"])
    payments = swish_import.parse(data)
    assert [p.problem[:6] for p in payments] == ["", "Rad 3:", "Rad 4:"]
    proposals = swish_import.propose(payments)
    assert [p.action for p in proposals] == ["create", "refused", "refused"]
    assert not any(p.can_book for p in proposals[1:])


def test_a_file_where_no_row_can_be_read_is_refused_whole(world):
    data = _csv(["igår;100;LM101", "2026-11-02;x;LM101"])
    with pytest.raises(swish_import.CsvImportError) as caught:
        swish_import.parse(data)
    assert [p[:6] for p in caught.value.problems] == ["Rad 2:", "Rad 3:"]


def test_a_broken_row_is_shown_refused_and_the_other_rows_book(world, login):
    d = TODAY.isoformat()
    data = _csv([f"{d};250,00;LM101", f"{d};tvåhundra;LM102", f"{d};100,00;LM102"])
    client = login(world["staff"])
    html = _upload(client, data).get_data(as_text=True)
    assert "Rad 3: beloppet ”tvåhundra”" in html and "Avvisas" in html
    assert html.count('name="book"') == 2
    response = _confirm(client, html)
    assert response.status_code == 302
    assert totals.figures("team", world["fika"].id).received_ore == 250_00
    assert totals.figures("team", world["kod"].id).received_ore == 100_00


def test_a_500_character_message_with_emoji_books_with_the_others(world, login):
    d = TODAY.isoformat()
    long_message = "LM102 " + ("Tack för fikat 🎉☕ " * 30)[:483] + "=SUM(A1:A9)"
    assert len(long_message) == 500
    data = _csv([f"{d};250,00;LM101", f"{d};100,00;{long_message}", f"{d};50,00;LM102 kort"])
    client = login(world["staff"])
    html = _upload(client, data).get_data(as_text=True)
    assert " ".join(long_message.split()) in html
    response = _confirm(client, html)
    assert response.status_code == 302
    follow = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "bokfördes inte" not in follow
    assert totals.figures("team", world["kod"].id).received_ore == 150_00
    assert totals.figures("team", world["fika"].id).received_ore == 250_00
    stored = db.session.execute(
        db.select(SwishPayment).where(SwishPayment.amount_ore == 100_00)).scalar_one()
    assert len(stored.message) == 200 and stored.message.endswith("…")
    note = db.session.get(LedgerEntry, stored.entry_id).note
    assert len(note) <= 200 and note.startswith("Swish till stadsmissionen: LM102 Tack")
    # The audit event keeps the whole text, emoji and all.
    event = db.session.execute(db.select(AuditEvent).where(
        AuditEvent.action == "swish.import", AuditEvent.subject_id == stored.entry_id)
    ).scalar_one()
    assert "🎉" in str(event.after) and "=SUM(A1:A9)" in str(event.after)
    # Re-importing the same file books nothing twice.
    again = _upload(client, data).get_data(as_text=True)
    assert 'name="book"' not in again


def test_markup_in_a_message_is_shown_as_text(world, login):
    d = TODAY.isoformat()
    data = _csv([f'{d};100,00;LM102 <script>alert(1)</script> =HYPERLINK("x")'])
    html = _upload(login(world["staff"]), data).get_data(as_text=True)
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_a_row_the_ledger_would_refuse_is_refused_in_the_preview_and_the_others_book(
        world, login):
    d = TODAY.isoformat()
    future = (TODAY + timedelta(days=1)).isoformat()
    data = _csv([f"{d};250,00;LM101", f"{d};99999999,00;LM102", f"{d};100,00;LM102",
                 "0001-01-01;10,00;LM101", f"{future};10,00;LM101"])
    client = login(world["staff"])
    preview = _upload(client, data).get_data(as_text=True)
    assert "Rad 3: beloppet är större än en insamling får vara" in preview
    assert "Rad 5: datumet 0001-01-01 ligger utanför" in preview
    assert f"Rad 6: datumet {future} ligger utanför" in preview
    response = _confirm(client, preview)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Något ändrades" not in page
    assert totals.figures("team", world["fika"].id).received_ore == 250_00
    assert totals.figures("team", world["kod"].id).received_ore == 100_00
    assert _statuses() == {"booked": 2, "refused": 3}


def test_a_bank_swish_report_with_payment_references_books_like_the_simple_one(world, login):
    fika, kod = world["fika"], world["kod"]
    d = TODAY.isoformat()
    data = (
        "Bokföringsdag;Transaktionsdag;Tid;Betalningsreferens;Avsändare;Avsändarnummer;"
        "Meddelande;Belopp;Valuta\r\n"
        f"{d};{d};10:01;R1;Åsa Öberg;46701;{references.payment_reference(fika.id)} Lokala mål;"
        "250,00;SEK\r\n"
        f"{d};{d};10:02;R2;Bo Ek;46702;Lag {references.payment_reference(kod.id)[:2]} "
        f"{references.payment_reference(kod.id)[2:]};1.000,00;SEK\r\n"
        f"{d};{d};10:03;R3;=Mallory;46703;=HYPERLINK(\"http://x.test\");50,00;SEK\r\n"
        f"{d};{d};10:04;R4;Cilla;46704;LM101 och {references.payment_reference(kod.id)};"
        "75,00;SEK\r\n"
        f"{d};{d};10:05;R5;Dan;46705;LM101;sju;SEK\r\n"
    ).encode("cp1252")
    client = login(world["staff"])
    preview = _upload(client, data)
    assert preview.status_code == 200
    html = preview.get_data(as_text=True)
    assert "=HYPERLINK(&#34;http://x.test&#34;)" in html  # shown as text, escaped
    assert "Meddelandet nämner flera lag" in html
    assert "Rad 6: beloppet ”sju” är inget belopp." in html
    _confirm(client, html)
    db.session.expire_all()
    booked = {p.team_id: p for p in db.session.execute(
        db.select(SwishPayment).where(SwishPayment.status == "booked")).scalars()}
    assert set(booked) == {fika.id, kod.id}
    assert (booked[fika.id].action, booked[fika.id].entry_id) == ("receive", world["pending"].id)
    assert (booked[kod.id].action, booked[kod.id].amount_ore) == ("create", 1_000_00)
    # The bank's own payment id keys the rows: the same report again books nothing.
    again = _upload(client, data).get_data(as_text=True)
    assert 'id="already-imported"' in again and 'name="book"' not in again


# --- Files, rows and the reconciliation page ---------------------------------------------

def _rows(**where) -> list[SwishPayment]:
    query = db.select(SwishPayment).order_by(SwishPayment.id)
    for name, value in where.items():
        query = query.where(getattr(SwishPayment, name) == value)
    return list(db.session.execute(query).scalars())


def test_the_file_is_recorded_with_its_layout_period_count_total_and_who(world, login):
    d, earlier = TODAY.isoformat(), (TODAY - timedelta(days=3)).isoformat()
    data = _csv([f"{earlier};250,00;LM101", f"{d};100,00;LM102", f"{d};x;LM102"])
    client = login(world["staff"])
    _confirm(client, _upload(client, data).get_data(as_text=True))
    record = db.session.execute(db.select(SwishFile)).scalar_one()
    assert (record.layout, record.first_day, record.last_day) == (
        "simple", TODAY - timedelta(days=3), TODAY)
    assert (record.payment_count, record.total_ore) == (3, 350_00)
    assert record.imported_by_id == world["staff"].id
    assert {r.file_id for r in _rows()} == {record.id}
    assert db.session.execute(db.select(AuditEvent).where(
        AuditEvent.action == "swish.file")).scalar_one().subject_id == record.id


def test_a_payment_in_two_overlapping_reports_is_booked_once_and_counted_earlier(world, login):
    d = TODAY.isoformat()
    header = "Transaktions-ID;Datum;Belopp;Meddelande"
    first = _csv([f"A1;{d};100,00;LM102", f"A2;{d};40,00;Tack"], header=header)
    second = _csv([f"A1;{d};100,00;LM102", f"A2;{d};40,00;Tack", f"A3;{d};30,00;LM102"],
                  header=header)
    client = login(world["staff"])
    _confirm(client, _upload(client, first).get_data(as_text=True))
    preview = _upload(client, second).get_data(as_text=True)
    assert preview.count("Redan inläst från en tidigare fil") == 2 and 'id="already-imported"' not in preview
    response = _confirm(client, preview)
    assert "2 betalningar fanns redan i en tidigare fil" in client.get(
        response.headers["Location"]).get_data(as_text=True)
    assert totals.figures("team", world["kod"].id).received_ore == 130_00
    later = db.session.execute(db.select(SwishFile).order_by(SwishFile.id.desc())).scalars().first()
    assert (later.earlier_count, later.earlier_ore) == (2, 140_00)
    assert len(_rows(file_id=later.id)) == 1


def test_the_reconciliation_page_shows_a_swish_file_whose_figures_add_up(world, login):
    d = TODAY.isoformat()
    header = "Transaktions-ID;Datum;Belopp;Meddelande"
    client = login(world["staff"])
    _confirm(client, _upload(client, _csv([f"E1;{d};70,00;LM102"], header=header))
             .get_data(as_text=True))
    data = _csv([
        f"E1;{d};70,00;LM102",          # already in the earlier file
        f"B1;{d};250,00;LM101",         # booked: receives the pending entry
        f"B2;{d};100,00;LM102",         # booked: a new received entry
        f"W1;{d};75,00;Tack för allt",  # waits: no code
        f"R1;{d};-40,00;LM101",         # refused: outgoing
        f"R2;{d};sju;LM101",            # refused: no amount the parser can read
    ], header=header)
    _confirm(client, _upload(client, data).get_data(as_text=True))
    summary = swish_file_summaries()[0]
    assert summary.adds_up
    figures = {k: (f.count, f.total_ore) for k, f in summary.by_status.items()}
    assert figures == {"booked": (2, 350_00), "waiting": (1, 75_00), "refused": (2, -40_00)}
    assert (summary.earlier.count, summary.earlier.total_ore) == (1, 70_00)
    assert (summary.file.payment_count, summary.file.total_ore) == (6, 455_00)
    page = client.get("/staff/reconciliation").get_data(as_text=True)
    row = page[page.index(f'id="swish-file-{summary.file.id}"'):]
    row = row.replace("\u00a0", " ")  # kronor are written with a no-break space
    assert "2 · 350 kr" in row and "1 · 75 kr" in row and "2 · -40 kr" in row
    assert "1 betalningar (70 kr) i filen fanns redan" in row
    assert "Summorna går inte ihop" not in page
    assert "Rad 7: beloppet ”sju” är inget belopp." in page  # the refused row's own reason


def test_a_waiting_row_booked_by_hand_receives_the_teams_reported_entry(world, login):
    client = login(world["staff"])
    _confirm(client, _upload(client, _csv([f"{TODAY.isoformat()};250,00;Bössan från fikat"]))
             .get_data(as_text=True))
    waiting = _rows()[0]
    assert waiting.status == "waiting"
    response = client.post(f"/staff/reconciliation/swish/{waiting.id}/book",
                           data={f"swish-match-{waiting.id}-team": "LM101"})
    assert response.status_code == 302
    db.session.expire_all()
    row = db.session.get(SwishPayment, waiting.id)
    assert (row.status, row.entry_id, row.action) == ("booked", world["pending"].id, "receive")
    assert db.session.get(LedgerEntry, world["pending"].id).status == "received"
    assert db.session.execute(db.select(AuditEvent).where(
        AuditEvent.action == "swish.match")).scalar_one().subject_id == row.id
    assert check.all_differences() == []


def test_a_waiting_row_booked_for_a_team_without_a_match_becomes_a_new_received_entry(
        world, login):
    client = login(world["staff"])
    _confirm(client, _upload(client, _csv([f"{TODAY.isoformat()};80,00;Tack"]))
             .get_data(as_text=True))
    waiting = _rows()[0]
    client.post(f"/staff/reconciliation/swish/{waiting.id}/book",
                data={f"swish-match-{waiting.id}-team": references.payment_reference(
                    world["kod"].id)})
    db.session.expire_all()
    row = db.session.get(SwishPayment, waiting.id)
    entry = db.session.get(LedgerEntry, row.entry_id)
    assert (entry.team_id, entry.amount_ore, entry.status, entry.method) == (
        world["kod"].id, 80_00, "received", "swish")
    assert entry.received_reference == f"Swishrapport {TODAY.isoformat()}, rad 2"
    # Handled once: a second try is a 409 and books nothing more.
    again = client.post(f"/staff/reconciliation/swish/{waiting.id}/refuse",
                        data={f"swish-refuse-{waiting.id}-reason": "Fel"})
    assert again.status_code == 409
    assert check.all_differences() == []


def test_a_waiting_row_refused_by_hand_keeps_the_reason_and_is_audited(world, login):
    client = login(world["staff"])
    _confirm(client, _upload(client, _csv([f"{TODAY.isoformat()};80,00;Tack"]))
             .get_data(as_text=True))
    waiting = _rows()[0]
    blank = client.post(f"/staff/reconciliation/swish/{waiting.id}/refuse",
                        data={f"swish-refuse-{waiting.id}-reason": " "})
    assert blank.status_code == 422 and "Skriv en kort anledning" in blank.get_data(as_text=True)
    client.post(f"/staff/reconciliation/swish/{waiting.id}/refuse",
                data={f"swish-refuse-{waiting.id}-reason": "Hyra för lokalen, inte en gåva"})
    db.session.expire_all()
    row = db.session.get(SwishPayment, waiting.id)
    assert (row.status, row.reason, row.handled_by_id) == (
        "refused", "Hyra för lokalen, inte en gåva", world["staff"].id)
    assert db.session.execute(db.select(AuditEvent).where(
        AuditEvent.action == "swish.refuse")).scalar_one().subject_id == row.id


def test_an_unknown_team_keeps_the_row_waiting_with_a_message_at_the_field(world, login):
    client = login(world["staff"])
    _confirm(client, _upload(client, _csv([f"{TODAY.isoformat()};80,00;Tack"]))
             .get_data(as_text=True))
    waiting = _rows()[0]
    response = client.post(f"/staff/reconciliation/swish/{waiting.id}/book",
                           data={f"swish-match-{waiting.id}-team": "LM999"})
    assert response.status_code == 422
    assert "Inget lag har referensen LM999" in response.get_data(as_text=True)
    assert db.session.get(SwishPayment, waiting.id).status == "waiting"
    assert client.post("/staff/reconciliation/swish/999999/book", data={}).status_code == 404


def test_non_staff_cannot_book_or_refuse_a_swish_row(world, login):
    _confirm(login(world["staff"]), _upload(login(world["staff"]), _csv(
        [f"{TODAY.isoformat()};80,00;Tack"])).get_data(as_text=True))
    waiting = _rows()[0]
    other = factories.make_user()
    factories.commit()
    client = login(other)
    assert client.get("/staff/swish-import").status_code == 403
    assert client.post(f"/staff/reconciliation/swish/{waiting.id}/book",
                       data={f"swish-match-{waiting.id}-team": "LM102"}).status_code == 403
    assert client.post(f"/staff/reconciliation/swish/{waiting.id}/refuse",
                       data={f"swish-refuse-{waiting.id}-reason": "nej"}).status_code == 403
    assert db.session.get(SwishPayment, waiting.id).status == "waiting"


def test_a_file_over_the_size_limit_is_refused_with_a_message(world, login):
    data = _csv([f"{TODAY.isoformat()};1,00;LM101"] * (swish_import.MAX_BYTES // 20))
    assert len(data) > swish_import.MAX_BYTES
    # Encoded in memory: the test client would spool a large body to a file it never closes.
    files = MultiDict()
    files.add("report", FileStorage(io.BytesIO(data), filename="stor.csv"))
    boundary, body = encode_multipart(files)
    response = login(world["staff"]).post(
        "/staff/swish-import", data=body, content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 422
    assert "Filen är för stor; högst 2 MB." in response.get_data(as_text=True)
    assert db.session.execute(db.select(SwishFile)).first() is None


def test_two_people_handling_one_waiting_row_at_once_book_it_once(world, login):
    import threading

    other = factories.make_user(is_staff=True)
    factories.commit()
    clients = [login(world["staff"]), login(other)]
    d = TODAY.isoformat()
    data = _csv([f"{d};{kronor},00;Tack" for kronor in (110, 120, 130, 140)])
    _confirm(clients[0], _upload(clients[0], data).get_data(as_text=True))
    for index, payment in enumerate(_rows()):
        barrier, answers = threading.Barrier(2), [None, None]
        # Half the rounds both book; the others one books while the other refuses.
        second = "book" if index % 2 else "refuse"

        def run(side, row_id=payment.id, barrier=barrier, answers=answers, second=second):
            action = "book" if side == 0 else second
            data = ({f"swish-match-{row_id}-team": "LM102"} if action == "book"
                    else {f"swish-refuse-{row_id}-reason": "Inte vår"})
            barrier.wait()
            answers[side] = clients[side].post(
                f"/staff/reconciliation/swish/{row_id}/{action}", data=data).status_code

        threads = [threading.Thread(target=run, args=(side,)) for side in (0, 1)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert sorted(answers) == [302, 409], answers
        db.session.rollback()  # end the test's own read, which would see the old row
        row = db.session.get(SwishPayment, payment.id)
        assert (row.entry_id is not None) == (row.status == "booked")
    booked = sum(p.status == "booked" for p in _rows())
    assert db.session.execute(db.select(db.func.count(LedgerEntry.id)).where(
        LedgerEntry.team_id == world["kod"].id)).scalar() == booked
    assert check.all_differences() == []


def test_the_demo_has_an_imported_swish_report_with_booked_waiting_and_refused_rows(
        app_ctx, runner):
    result = runner.invoke(args=["demo-data"])
    assert result.exit_code == 0, result.output
    statuses = [row.status for row in _rows()]
    assert statuses.count("booked") >= 1 and "waiting" in statuses
    assert statuses.count("refused") == 2
    summary = swish_file_summaries()[0]
    assert summary.adds_up and summary.file.layout == "bank_swish"
    assert check.all_differences() == []


def test_an_absurd_amount_is_refused_and_neither_breaks_nor_swells_the_file(world, login):
    d = TODAY.isoformat()
    data = _csv([f"{d};99999999999999999;LM102", f"{d};250,00;LM101"])
    client = login(world["staff"])
    preview = _upload(client, data).get_data(as_text=True)
    assert "beloppet är större än en insamling får vara" in preview
    response = _confirm(client, preview)
    assert response.status_code == 302
    assert _statuses() == {"booked": 1, "refused": 1}
    record = db.session.execute(db.select(SwishFile)).scalar_one()
    assert record.total_ore == 250_00  # the absurd figure is no part of the file's sum
