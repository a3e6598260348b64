"""BgMax import for staff: preview, confirm, never twice, reconciliation and payroll transfers."""

import io
import re
from datetime import date, datetime, time, timedelta

import pytest

from lokalamal_app import clock, settings
from lokalamal_app.extensions import db
from lokalamal_app.ledger import services as ledger
from lokalamal_app.models import AuditEvent, BankFile, BankPayment, LedgerEntry, Pledge
from lokalamal_app.payroll import months
from lokalamal_app.payroll import services as payroll
from lokalamal_app.reconciliation import bgmax, checks, references
from lokalamal_app.reconciliation import bgmax_builder as b
from lokalamal_app.reconciliation.queries import file_summaries
from lokalamal_app.staff import swish_import
from tests import factories

# One fixed day for the whole module (the clock is held there below): a day read from the
# real clock when the module loads is yesterday for a test that runs past midnight.
TODAY = date(2026, 11, 18)


@pytest.fixture(autouse=True)
def _on_one_day(freeze_clock):
    freeze_clock(datetime.combine(TODAY, time(12), tzinfo=clock.zone()))
DAY = TODAY.strftime("%Y%m%d")
STAMP = DAY + "120000123456"


@pytest.fixture
def world(app_ctx):
    staff = factories.make_user(is_staff=True, display_name="Sara Staff")
    company = factories.make_company()
    fika = factories.make_team(company, reference="LM101")
    kod = factories.make_team(company, reference="LM102", goal_number=5)
    cash = factories.make_collection(fika, amount_ore=250_00, method="cash",
                                     collected_on=TODAY - timedelta(days=3))
    settings.put("bankgiro_number", "9912346")  # the files below are for this bankgiro
    factories.commit()
    return type("World", (), dict(staff=staff, company=company, fika=fika, kod=kod, cash=cash))


def _file(world, stamp=STAMP, first_serial=0, extra=()):
    fika, kod = (references.payment_reference(t.id) for t in (world.fika, world.kod))
    return b.encode(b.file(b.Section(payments=[
        (250_00, fika, []),                                   # the reported cash: received
        (100_00, "", [b.information(f"Gåva lag {kod}")]),     # reference in the text: new entry
        (75_00, "", [b.information("Tack för allt arbete")]),  # no reference: waits
        (60_00, "7999999999998", []),                          # not a team's reference: waits
        *extra,
    ], paid_on=DAY), stamp=stamp, first_serial=first_serial))


def _upload(client, data: bytes, name="bgmax.txt"):
    return client.post("/staff/bgmax-import", data={"report": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def _confirm(client, preview_html: str, only=None):
    content = re.search(r'name="content" type="hidden" value="([^"]+)"', preview_html).group(1)
    serials = re.findall(r'name="book" value="([0-9]+)"', preview_html)
    return client.post("/staff/bgmax-import/confirm",
                       data={"content": content, "book": serials if only is None else only})


def _import(client, data):
    html = _upload(client, data).get_data(as_text=True)
    return _confirm(client, html)


def _payments():
    return db.session.execute(db.select(BankPayment).order_by(BankPayment.line)).scalars().all()


def test_preview_proposes_a_booking_for_each_payment_and_writes_nothing(world, login):
    client = login(world.staff)
    response = _upload(client, _file(world))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Stämmer med laget rapporterade" in html
    assert "Ny mottagen post" in html
    assert html.count("Väntar på en person") == 2
    assert "pekar inte ut något lag" in html
    assert db.session.execute(db.select(BankFile)).first() is None
    db.session.expire_all()
    assert db.session.get(LedgerEntry, world.cash.id).status == "pending"


def test_confirm_books_matches_and_leaves_the_rest_waiting(world, login):
    client = login(world.staff)
    response = _import(client, _file(world))
    assert response.status_code == 302 and response.location.endswith("/staff/reconciliation")
    db.session.expire_all()
    cash = db.session.get(LedgerEntry, world.cash.id)
    assert cash.status == "received" and cash.received_on == TODAY
    assert cash.received_reference == f"BgMax {TODAY.isoformat()} löpnr 000000000000"
    new = db.session.execute(db.select(LedgerEntry).where(
        LedgerEntry.team_id == world.kod.id)).scalar_one()
    assert (new.status, new.amount_ore, new.giver_id) == ("received", 100_00, None)
    assert [p.status for p in _payments()] == ["booked", "booked", "waiting", "waiting"]
    record = db.session.execute(db.select(BankFile)).scalar_one()
    assert (record.payment_count, record.total_ore, record.imported_by_id) == (
        4, 485_00, world.staff.id)
    actions = set(db.session.execute(db.select(AuditEvent.action)).scalars())
    assert {"bgmax.file", "bgmax.import", "collection.receive"} <= actions


def test_reimporting_the_same_file_books_nothing_twice_and_says_so(world, login):
    client = login(world.staff)
    _import(client, _file(world))
    entries = db.session.execute(db.select(db.func.count(LedgerEntry.id))).scalar()
    html = _upload(client, _file(world)).get_data(as_text=True)
    assert "Filen lästes in" in html and html.count(">Redan inläst<") == 4
    response = _confirm(client, html)
    page = client.get(response.location).get_data(as_text=True)
    assert "Filen är redan inläst" in page
    assert db.session.execute(db.select(db.func.count(LedgerEntry.id))).scalar() == entries
    assert len(_payments()) == 4
    assert db.session.execute(db.select(db.func.count(BankFile.id))).scalar() == 1


def test_a_payment_in_another_file_with_a_known_serial_is_not_booked_again(world, login):
    client = login(world.staff)
    _import(client, _file(world))
    # Bankgirot sends the same payments again in a file with another timestamp.
    _import(client, _file(world, stamp=DAY + "130000000000"))
    assert len(_payments()) == 4
    assert db.session.execute(db.select(db.func.count(LedgerEntry.id))).scalar() == 2
    second, first = file_summaries()
    assert first.adds_up and second.adds_up
    assert (second.earlier.count, second.earlier.total_ore) == (4, 485_00)
    page = client.get("/staff/reconciliation").get_data(as_text=True)
    assert "fanns redan från en tidigare fil" in page


def test_unticked_rows_wait_for_a_person(world, login):
    client = login(world.staff)
    html = _upload(client, _file(world)).get_data(as_text=True)
    _confirm(client, html, only=["000000000000"])
    assert [p.status for p in _payments()] == ["booked", "waiting", "waiting", "waiting"]


def test_reconciliation_sums_equal_the_files_total(world, login):
    client = login(world.staff)
    _import(client, _file(world, extra=[(-30_00, "", [])]))  # a deduction: refused
    waiting = _payments()[2]
    client.post(f"/staff/reconciliation/payments/{waiting.id}/refuse",
                data={f"refuse-{waiting.id}-reason": "Återbetalning till fel mottagare"})
    page = client.get("/staff/reconciliation")
    assert page.status_code == 200
    summary = file_summaries()[0]
    assert summary.adds_up
    figures = summary.by_status
    assert (figures["booked"].count, figures["booked"].total_ore) == (2, 350_00)
    assert (figures["waiting"].count, figures["waiting"].total_ore) == (1, 60_00)
    assert (figures["refused"].count, figures["refused"].total_ore) == (2, 45_00)
    assert sum(f.total_ore for f in figures.values()) == summary.file.total_ore == 455_00
    html = page.get_data(as_text=True)
    assert "Summorna går inte ihop" not in html
    assert "Återbetalning till fel mottagare" in html


def test_a_waiting_payment_matched_by_hand_becomes_received_for_the_team(world, login):
    client = login(world.staff)
    _import(client, _file(world))
    waiting = _payments()[2]
    response = client.post(f"/staff/reconciliation/payments/{waiting.id}/match",
                           data={f"match-{waiting.id}-team": "LM102"})
    assert response.status_code == 302
    db.session.expire_all()
    row = db.session.get(BankPayment, waiting.id)
    entry = db.session.get(LedgerEntry, row.entry_id)
    assert (row.status, entry.team_id, entry.status, entry.amount_ore) == (
        "booked", world.kod.id, "received", 75_00)
    assert entry.received_reference.startswith("BgMax ")
    assert db.session.execute(db.select(AuditEvent).where(
        AuditEvent.action == "bgmax.match")).scalar_one().subject_id == row.id
    # The second click finds it handled: a 409, nothing booked twice.
    again = client.post(f"/staff/reconciliation/payments/{waiting.id}/match",
                        data={f"match-{waiting.id}-team": "LM102"})
    assert again.status_code == 409


def test_matching_by_hand_to_an_unknown_team_says_so(world, login):
    client = login(world.staff)
    _import(client, _file(world))
    waiting = _payments()[2]
    response = client.post(f"/staff/reconciliation/payments/{waiting.id}/match",
                           data={f"match-{waiting.id}-team": "7999"})
    assert response.status_code == 422
    assert "Inget lag har referensen 7999" in response.get_data(as_text=True)
    assert db.session.get(BankPayment, waiting.id).status == "waiting"


def test_refusing_needs_a_reason(world, login):
    client = login(world.staff)
    _import(client, _file(world))
    waiting = _payments()[2]
    response = client.post(f"/staff/reconciliation/payments/{waiting.id}/refuse",
                           data={f"refuse-{waiting.id}-reason": " "})
    assert response.status_code == 422
    assert db.session.get(BankPayment, waiting.id).status == "waiting"


def test_a_broken_file_is_refused_with_the_parsers_reason(world, login):
    client = login(world.staff)
    broken = _file(world).replace(b"BGMAX", b"BGMIN", 1)
    response = _upload(client, broken)
    assert response.status_code == 422
    assert "inte BGMAX" in response.get_data(as_text=True)
    assert db.session.execute(db.select(BankFile)).first() is None


def test_an_upload_without_a_file_is_refused(world, login):
    client = login(world.staff)
    response = client.post("/staff/bgmax-import", data={}, content_type="multipart/form-data")
    assert response.status_code == 422


@pytest.mark.parametrize("path", ["/staff/bgmax-import", "/staff/reconciliation"])
def test_non_staff_get_403(world, login, path):
    client = login(factories.make_user())
    assert client.get(path).status_code == 403


def test_non_staff_cannot_match_or_refuse(world, login):
    staff_client = login(world.staff)
    _import(staff_client, _file(world))
    waiting = _payments()[2]
    other = factories.make_user()
    factories.commit()
    client = login(other)
    assert client.post(f"/staff/reconciliation/payments/{waiting.id}/match",
                       data={f"match-{waiting.id}-team": "LM102"}).status_code == 403
    assert client.post(f"/staff/reconciliation/payments/{waiting.id}/refuse",
                       data={f"refuse-{waiting.id}-reason": "nej"}).status_code == 403
    assert db.session.get(BankPayment, waiting.id).status == "waiting"


# --- Payroll transfers -----------------------------------------------------------------

@pytest.fixture
def payroll_run(world):
    """A confirmed payroll month: two colleagues' fixed gifts, attested, 350 kr in all."""
    admin = factories.make_user(display_name="Anna Admin")
    company = factories.make_company(admin=admin, name="Kvarnen AB")
    team = factories.make_team(company, goal_number=2)
    payroll.save_scheme(company, enabled=True, allow_fixed=True, allow_permille=False,
                        min_monthly_ore=5_000, closing_day=25, uses_employee_numbers=False,
                        actor=admin)
    last = months.previous_month(months.month_of(TODAY))
    for amount in (200_00, 150_00):
        giver = factories.make_user()
        factories.add_member(company, giver)
        factories.join_team(team, giver)
        db.session.add(Pledge(company_id=company.id, user_id=giver.id, kind="fixed",
                              amount_ore=amount, start_month=last))
    db.session.flush()
    run, _ = payroll.confirm_month(company, last, {}, admin, TODAY)
    settings.put("bankgiro_number", "9912346")
    factories.commit()
    return type("Run", (), dict(run=run, company=company, admin=admin, month=last))


def _payroll_file(run, amount):
    return b.encode(b.file(b.Section(payments=[
        (amount, references.payroll_reference(run.id), [b.name("Kvarnen AB")]),
    ], paid_on=DAY), stamp=STAMP, first_serial=500))


def _gifts(run):
    return db.session.execute(
        db.select(LedgerEntry).where(LedgerEntry.method == "payroll")).scalars().all()


def test_the_payroll_month_page_says_what_to_pay_with_which_reference(payroll_run, login):
    client = login(payroll_run.admin)
    page = client.get(f"/companies/{payroll_run.company.slug}/payroll/{payroll_run.month}")
    html = page.get_data(as_text=True)
    reference = references.payroll_reference(payroll_run.run.id)
    assert f"Betala 350\u00a0kr till bankgiro 991-2346 med referens {reference}" in html
    admin_page = client.get(f"/companies/{payroll_run.company.slug}/payroll").get_data(
        as_text=True)
    assert "Inte betald än" in admin_page


def test_a_payroll_transfer_receives_every_gift_of_the_run(world, payroll_run, login):
    client = login(world.staff)
    html = _upload(client, _payroll_file(payroll_run.run, 350_00)).get_data(as_text=True)
    assert "Löneavdragen för Kvarnen AB" in html
    _confirm(client, html)
    db.session.expire_all()
    gifts = _gifts(payroll_run.run)
    assert len(gifts) == 2 and {g.status for g in gifts} == {"received"}
    assert {g.received_reference for g in gifts} == {f"BgMax {TODAY.isoformat()} löpnr 000000000500"}
    assert {g.status_changed_by_id for g in gifts} == {world.staff.id}
    row = _payments()[0]
    assert (row.status, row.payroll_run_id) == ("booked", payroll_run.run.id)
    admin = login(payroll_run.admin)
    page = admin.get(f"/companies/{payroll_run.company.slug}/payroll/{payroll_run.month}")
    assert "Betald" in page.get_data(as_text=True)


def test_a_payroll_transfer_with_the_wrong_sum_waits_with_the_reason(world, payroll_run, login):
    client = login(world.staff)
    html = _upload(client, _payroll_file(payroll_run.run, 340_00)).get_data(as_text=True)
    assert "Fel summa för löneavdragen" in html
    _confirm(client, html)
    db.session.expire_all()
    assert {g.status for g in _gifts(payroll_run.run)} == {"attested"}
    row = _payments()[0]
    assert row.status == "waiting" and "Fel summa" in row.reason


def test_a_rejected_gift_leaves_the_run_and_its_transfer_sum(world, payroll_run, login):
    gift = _gifts(payroll_run.run)[0]
    ledger.reject_entry(gift, world.staff, "Slutade före lönen")
    factories.commit()
    rest = 350_00 - gift.amount_ore
    client = login(world.staff)
    _import(client, _payroll_file(payroll_run.run, rest))
    db.session.expire_all()
    assert sorted(g.status for g in _gifts(payroll_run.run)) == ["received", "rejected"]


def test_the_demo_has_an_imported_file_with_booked_and_waiting_payments(app_ctx, runner, login):
    result = runner.invoke(args=["demo-data"])
    assert result.exit_code == 0, result.output
    statuses = [p.status for p in _payments()]
    assert statuses.count("booked") >= 2 and statuses.count("waiting") == 2
    assert any(p.payroll_run_id for p in _payments() if p.status == "booked")
    assert file_summaries()[0].adds_up


def test_two_people_handling_one_waiting_payment_at_once_book_it_once(world, login):
    import threading

    other = factories.make_user(is_staff=True)
    factories.commit()
    clients = [login(world.staff), login(other)]
    rows = [(amount, "", [b.information("Tack")]) for amount in (110_00, 120_00, 130_00)]
    _import(clients[0], b.encode(b.file(b.Section(payments=rows, paid_on=DAY), stamp=STAMP,
                                        first_serial=700)))
    for payment in _payments():
        barrier, answers = threading.Barrier(2), [None, None]

        def run(side, payment_id=payment.id, barrier=barrier, answers=answers):
            data = ({f"match-{payment_id}-team": "LM101"} if side == 0
                    else {f"refuse-{payment_id}-reason": "Inte vår"})
            action = "match" if side == 0 else "refuse"
            barrier.wait()
            answers[side] = clients[side].post(
                f"/staff/reconciliation/payments/{payment_id}/{action}", data=data).status_code

        threads = [threading.Thread(target=run, args=(side,)) for side in (0, 1)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(answers) == [302, 409]
        db.session.rollback()  # end the test's own read, which would see the old rows
        row = db.session.get(BankPayment, payment.id)
        booked = row.status == "booked"
        assert (row.entry_id is not None) == booked
        assert answers[0 if booked else 1] == 302
    booked = sum(p.status == "booked" for p in _payments())
    assert db.session.execute(db.select(db.func.count(LedgerEntry.id)).where(
        LedgerEntry.team_id == world.fika.id, LedgerEntry.amount_ore > 250_00 - 150_00,
        LedgerEntry.amount_ore < 200_00)).scalar() == booked


def test_a_waiting_payment_matched_by_hand_receives_the_teams_reported_entry(world, login):
    client = login(world.staff)
    rows = [(250_00, "", [b.information("Bössan från fikat")])]
    _import(client, b.encode(b.file(b.Section(payments=rows, paid_on=DAY), stamp=STAMP,
                                    first_serial=800)))
    waiting = _payments()[0]
    assert waiting.status == "waiting"
    client.post(f"/staff/reconciliation/payments/{waiting.id}/match",
                data={f"match-{waiting.id}-team": references.payment_reference(world.fika.id)})
    db.session.expire_all()
    assert db.session.get(BankPayment, waiting.id).entry_id == world.cash.id
    assert db.session.get(LedgerEntry, world.cash.id).status == "received"


def test_a_file_for_another_bankgiro_is_refused_and_books_nothing(world, login):
    client = login(world.staff)
    fika = references.payment_reference(world.fika.id)
    other = b.encode(b.file(b.Section(payments=[(777_00, fika, [])], paid_on=DAY),
                            payee_bankgiro="9999999"))
    response = _upload(client, other)
    assert response.status_code == 422
    assert "Filen gäller bankgiro 9999999, inte stadsmissionens 9912346" in \
        response.get_data(as_text=True)
    # Nor when the confirm step is sent by hand, with the file packed in.
    forged = client.post("/staff/bgmax-import/confirm", data={
        "content": swish_import.pack("\n".join(bgmax.decode(other))), "book": ["1"]})
    assert forged.status_code == 422
    assert _payments() == []
    assert db.session.execute(db.select(db.func.count(BankFile.id))).scalar_one() == 0


def test_without_the_missions_bankgiro_no_file_is_read(world, login):
    settings.put("bankgiro_number", "")
    factories.commit()
    response = _upload(login(world.staff), _file(world))
    assert response.status_code == 422
    assert "bankgironummer saknas" in response.get_data(as_text=True)


# --- ledger-check's rules for booked payments -------------------------------------------

@pytest.mark.ledger_tampered
def test_booked_payments_keep_ledger_checks_rules_and_a_broken_one_is_reported(
        world, payroll_run, login, runner):
    client = login(world.staff)
    _import(client, _file(world))
    _import(client, _payroll_file(payroll_run.run, 350_00))
    db.session.expire_all()
    assert checks.bank_payment_problems() == []
    assert runner.invoke(args=["ledger-check"]).exit_code == 0

    payments = _payments()
    team_row = next(p for p in payments if p.entry_id == world.cash.id)
    waiting = next(p for p in payments if p.status == "waiting")
    payroll_row = next(p for p in payments if p.payroll_run_id is not None)
    gift = _gifts(payroll_run.run)[0]
    # Three kinds of damage only a person editing the database could do:
    other = factories.make_collection(world.kod, amount_ore=250_00)  # reported, not received
    team_row.entry_id = other.id                   # booked, but its entry was never received
    waiting.entry_id = world.cash.id               # waiting, yet pointing at an entry
    gift.amount_ore += 1_00                        # more received than the transfer paid
    factories.commit()
    assert sorted(checks.bank_payment_problems()) == sorted([
        f"bankbetalning {team_row.id}: post {other.id} är pending, inte mottagen",
        f"bankbetalning {waiting.id}: waiting men pekar på post {world.cash.id}",
        f"bankbetalning {payroll_row.id}: 35100 öre mottaget under dess referens, "
        "men betalningen är 35000 öre",
    ])
    result = runner.invoke(args=["ledger-check"])
    assert result.exit_code == 1 and f"bankbetalning {waiting.id}" in result.output


@pytest.mark.ledger_tampered
def test_a_payroll_run_paid_by_two_payments_is_reported(world, payroll_run, login):
    _import(login(world.staff), _payroll_file(payroll_run.run, 350_00))
    db.session.expire_all()
    first = next(p for p in _payments() if p.payroll_run_id is not None)
    twin = BankPayment(file_id=first.file_id, bgc_serial="999999999999", line=99,
                       paid_on=first.paid_on, amount_ore=0, status="booked",
                       payroll_run_id=first.payroll_run_id)
    db.session.add(twin)
    factories.commit()
    assert checks.bank_payment_problems() == [
        f"bankbetalning {twin.id}: lönekörning {first.payroll_run_id} är redan betald "
        f"av bankbetalning {first.id}"]
