"""Handling entries: the queue, attest, receive and reject, withdraw, correct, history,
second count."""

import pytest

from lokalamal_app.extensions import db
from lokalamal_app.ledger import totals
from lokalamal_app.models import AuditEvent, LedgerEntry, Notification
from tests import factories


@pytest.fixture
def world(app_ctx):
    admin = factories.make_user(display_name="Admin Adminsson")
    company = factories.make_company(admin=admin, name="Kopparlunden AB")
    member = factories.make_user(display_name="Maja Medlem")
    team = factories.make_team(company, captain=member, name="Fikagänget")
    colleague = factories.make_user(display_name="Kalle Kollega")
    factories.join_team(team, colleague)
    other_admin = factories.make_user()
    other_company = factories.make_company(admin=other_admin, name="Grannen AB")
    other_member = factories.make_user()
    other_team = factories.make_team(other_company, captain=other_member, name="Grannlaget")
    staff = factories.make_user(is_staff=True)
    entry = factories.make_collection(team, amount_ore=300_00, logged_by=member,
                                      note="Fikaförsäljning")
    other_entry = factories.make_collection(other_team, amount_ore=700_00,
                                            logged_by=other_member, note="Grannarnas loppis")
    factories.commit()
    return type("World", (), dict(**locals()))


def figures(team):
    """The team's reported, attested and received figures."""
    tally = totals.figures("team", team.id)
    return (tally.reported_ore, tally.attested_ore, tally.received_ore) if tally else (0, 0, 0)


def receipt(reference="Kvitto 1", received_on=None):
    from lokalamal_app import clock

    return {"reference": reference,
            "received_on": (received_on or clock.today()).isoformat()}


def status(entry_id):
    db.session.expire_all()
    return db.session.get(LedgerEntry, entry_id).status


def test_a_workplace_admin_sees_only_their_workplaces_pending_entries(world, login):
    html = login(world.admin).get("/ledger/queue").get_data(as_text=True)
    assert "Fikaförsäljning" in html and "Grannarnas loppis" not in html
    assert 'name="entry_ids"' not in html  # receiving several at once is for staff


def test_staff_see_every_workplace_and_can_filter(world, login):
    client = login(world.staff)
    html = client.get("/ledger/queue").get_data(as_text=True)
    assert "Fikaförsäljning" in html and "Grannarnas loppis" in html
    html = client.get(f"/ledger/queue?company={world.other_company.id}").get_data(as_text=True)
    assert "Fikaförsäljning" not in html and "Grannarnas loppis" in html


def test_members_may_not_see_the_queue(world, login, client):
    assert login(world.member).get("/ledger/queue").status_code == 403
    assert client.get("/ledger/queue").status_code == 302
    response = login(world.admin).get(f"/ledger/queue?company={world.other_company.id}")
    assert response.status_code == 403


def test_attesting_counts_the_money_as_attested_and_tells_the_logger(world, login):
    response = login(world.admin).post(f"/ledger/entries/{world.entry.id}/attest")
    assert response.status_code == 303
    assert status(world.entry.id) == "attested"
    assert figures(world.team) == (300_00, 300_00, 0)
    company = totals.figures("company", world.company.id)
    assert (company.attested_ore, company.received_ore) == (300_00, 0)
    texts = db.session.execute(
        db.select(Notification.text).where(Notification.user_id == world.member.id)
    ).scalars().all()
    assert any("attesterad" in t for t in texts)
    # Done for the workplace; it still waits for the mission to receive the money.
    assert "Fikaförsäljning" not in login(world.admin).get("/ledger/queue").get_data(
        as_text=True)
    assert "Fikaförsäljning" in login(world.staff).get("/ledger/queue").get_data(as_text=True)


def test_receiving_counts_the_money_as_received_and_tells_the_logger(world, login):
    login(world.admin).post(f"/ledger/entries/{world.entry.id}/attest")
    client = login(world.staff)
    assert client.get(f"/ledger/entries/{world.entry.id}/receive").status_code == 200
    response = client.post(f"/ledger/entries/{world.entry.id}/receive",
                           data=receipt("Bankgiro 2026-11-03 rad 7"))
    assert response.status_code == 303
    assert status(world.entry.id) == "received"
    entry = db.session.get(LedgerEntry, world.entry.id)
    assert entry.received_reference == "Bankgiro 2026-11-03 rad 7"
    assert figures(world.team) == (300_00, 300_00, 300_00)
    assert totals.figures("company", world.company.id).received_ore == 300_00
    texts = db.session.execute(
        db.select(Notification.text).where(Notification.user_id == world.member.id)
    ).scalars().all()
    assert any("kommit in till stadsmissionen" in t for t in texts)
    assert "Fikaförsäljning" not in client.get("/ledger/queue").get_data(as_text=True)


def test_the_mission_may_receive_money_the_workplace_has_not_attested(world, login):
    response = login(world.staff).post(f"/ledger/entries/{world.entry.id}/receive",
                                       data=receipt())
    assert response.status_code == 303
    assert status(world.entry.id) == "received"
    assert figures(world.team) == (300_00, 300_00, 300_00)


@pytest.mark.parametrize("reference, received_on, message", [
    ("", None, "Skriv en referens"),
    ("Kvitto 1", "2999-01-01", "framtiden"),
    ("Kvitto 1", "igår", "ÅÅÅÅ-MM-DD"),
    ("Kvitto 1", "   ", "Skriv datumet"),  # not read as today
])
def test_receiving_without_a_reference_or_a_good_date_is_422(world, login, reference,
                                                              received_on, message):
    data = receipt(reference)
    if received_on:
        data["received_on"] = received_on
    response = login(world.staff).post(f"/ledger/entries/{world.entry.id}/receive", data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert status(world.entry.id) == "pending"
    assert figures(world.team) == (300_00, 0, 0)


def test_attesting_twice_is_refused_with_a_message(world, login):
    client = login(world.admin)
    client.post(f"/ledger/entries/{world.entry.id}/attest")
    response = client.post(f"/ledger/entries/{world.entry.id}/attest")
    assert response.status_code == 409
    assert "redan hanterad" in response.get_data(as_text=True)
    assert figures(world.team) == (300_00, 300_00, 0)
    assert db.session.execute(
        db.select(db.func.count(AuditEvent.id)).where(AuditEvent.action == "collection.attest")
    ).scalar_one() == 1


def test_receiving_twice_is_refused_with_a_message(world, login):
    client = login(world.staff)
    client.post(f"/ledger/entries/{world.entry.id}/receive", data=receipt())
    response = client.post(f"/ledger/entries/{world.entry.id}/receive",
                           data=receipt("Kvitto 2"))
    assert response.status_code == 409
    assert "redan hanterad" in response.get_data(as_text=True)
    assert db.session.get(LedgerEntry, world.entry.id).received_reference == "Kvitto 1"
    assert figures(world.team) == (300_00, 300_00, 300_00)


def test_an_admin_may_not_attest_what_they_logged_themselves(world, login):
    factories.join_team(world.team, world.admin)
    own = factories.make_collection(world.team, amount_ore=40_00, logged_by=world.admin,
                                    note="Min egen bössa")
    factories.commit()
    response = login(world.admin).post(f"/ledger/entries/{own.id}/attest")
    assert response.status_code == 403
    assert "registrerade posten själv" in response.get_data(as_text=True)
    assert status(own.id) == "pending"
    assert figures(world.team) == (340_00, 0, 0)


def test_staff_may_not_receive_what_they_logged_or_gave(world, login):
    given = factories.make_collection(world.team, amount_ore=40_00, logged_by=world.member,
                                      giver_id=world.staff.id)
    factories.commit()
    response = login(world.staff).post(f"/ledger/entries/{given.id}/receive", data=receipt())
    assert response.status_code == 403
    assert "räknas för dig" in response.get_data(as_text=True)
    assert status(given.id) == "pending"


def test_a_workplace_admin_may_not_mark_money_received(world, login):
    client = login(world.admin)
    response = client.post(f"/ledger/entries/{world.entry.id}/receive", data=receipt())
    assert response.status_code == 403
    assert client.get(f"/ledger/entries/{world.entry.id}/receive").status_code == 403
    assert status(world.entry.id) == "pending"


@pytest.mark.parametrize("who", ["member", "other_admin", "colleague"])
def test_only_the_workplaces_admins_and_staff_may_attest(world, login, who):
    client = login(getattr(world, who))
    assert client.post(f"/ledger/entries/{world.entry.id}/attest").status_code == 403
    assert client.post(f"/ledger/entries/{world.entry.id}/receive",
                       data=receipt()).status_code == 403
    assert client.post(f"/ledger/entries/{world.entry.id}/reject",
                       data={"reason": "nej"}).status_code == 403
    assert client.post(f"/ledger/entries/{world.entry.id}/correct",
                       data={"amount": "1"}).status_code == 403
    assert client.get(f"/ledger/entries/{world.entry.id}").status_code == 403
    assert status(world.entry.id) == "pending"
    assert figures(world.team) == (300_00, 0, 0)


def test_staff_may_attest_and_receive_any_workplaces_entry(world, login):
    client = login(world.staff)
    assert client.post(f"/ledger/entries/{world.other_entry.id}/attest").status_code == 303
    assert status(world.other_entry.id) == "attested"
    assert client.post(f"/ledger/entries/{world.other_entry.id}/receive",
                       data=receipt()).status_code == 303
    assert status(world.other_entry.id) == "received"


def test_a_rejection_needs_a_reason(world, login):
    response = login(world.admin).post(f"/ledger/entries/{world.entry.id}/reject",
                                       data={"reason": "   "})
    assert response.status_code == 422
    assert "Skriv varför posten avvisas" in response.get_data(as_text=True)
    assert status(world.entry.id) == "pending"


def test_a_rejection_stops_counting_and_the_logger_sees_the_reason(world, login):
    reason = "Vi hittar ingen Swish med er lagkod <den dagen>"
    response = login(world.admin).post(f"/ledger/entries/{world.entry.id}/reject",
                                       data={"reason": reason})
    assert response.status_code == 303
    assert status(world.entry.id) == "rejected"
    assert figures(world.team) == (0, 0, 0)
    note = db.session.execute(
        db.select(Notification).where(Notification.user_id == world.member.id)
    ).scalar_one()
    assert reason in note.text
    html = login(world.member).get("/ledger/mine").get_data(as_text=True)
    assert "Vi hittar ingen Swish med er lagkod &lt;den dagen&gt;" in html
    assert "Avvisad" in html


def test_staff_receive_several_at_once_with_one_reference(world, login):
    third = factories.make_collection(world.team, amount_ore=50_00, logged_by=world.member)
    factories.commit()
    login(world.admin).post(f"/ledger/entries/{world.entry.id}/attest")
    ids = [world.entry.id, world.other_entry.id, third.id]
    response = login(world.staff).post(
        "/ledger/receive", data={"entry_ids": ids, **receipt("Insättning 12")})
    assert response.status_code == 303
    assert {status(i) for i in ids} == {"received"}
    assert {db.session.get(LedgerEntry, i).received_reference for i in ids} == {"Insättning 12"}
    assert totals.overall(["all"])["all"].received_ore == 1050_00


def test_receiving_several_receives_none_when_one_is_already_handled(world, login):
    client = login(world.staff)
    client.post(f"/ledger/entries/{world.other_entry.id}/receive", data=receipt())
    response = client.post("/ledger/receive",
                           data={"entry_ids": [world.entry.id, world.other_entry.id],
                                 **receipt("Kvitto 2")})
    assert response.status_code == 409
    assert status(world.entry.id) == "pending"
    assert figures(world.team) == (300_00, 0, 0)


def test_only_staff_receive_several_at_once(world, login):
    response = login(world.admin).post("/ledger/receive",
                                       data={"entry_ids": [world.entry.id], **receipt()})
    assert response.status_code == 403
    assert status(world.entry.id) == "pending"


def test_receiving_several_without_choosing_any_or_a_reference_is_422(world, login):
    client = login(world.staff)
    assert client.post("/ledger/receive", data=receipt()).status_code == 422
    response = client.post("/ledger/receive",
                           data={"entry_ids": [world.entry.id], **receipt("")})
    assert response.status_code == 422
    assert status(world.entry.id) == "pending"


def test_the_logger_withdraws_a_pending_entry_by_a_reversal(world, login):
    response = login(world.member).post(f"/ledger/entries/{world.entry.id}/withdraw")
    assert response.status_code == 303
    amounts = db.session.execute(
        db.select(LedgerEntry.amount_ore).where(LedgerEntry.team_id == world.team.id)
        .order_by(LedgerEntry.id)
    ).scalars().all()
    assert amounts == [300_00, -300_00]
    assert figures(world.team) == (0, 0, 0)
    event = db.session.execute(
        db.select(AuditEvent).where(AuditEvent.action == "collection.withdraw")
    ).scalar_one()
    assert (event.actor_id, event.subject_id) == (world.member.id, world.entry.id)
    assert "Fikaförsäljning" not in login(world.admin).get("/ledger/queue").get_data(
        as_text=True)
    again = login(world.member).post(f"/ledger/entries/{world.entry.id}/withdraw")
    assert again.status_code == 409


def test_only_the_logger_may_withdraw(world, login):
    for user in (world.colleague, world.admin):
        assert login(user).post(
            f"/ledger/entries/{world.entry.id}/withdraw").status_code == 403
    assert figures(world.team) == (300_00, 0, 0)


def test_an_attested_entry_cannot_be_withdrawn(world, login):
    login(world.admin).post(f"/ledger/entries/{world.entry.id}/attest")
    response = login(world.member).post(f"/ledger/entries/{world.entry.id}/withdraw")
    assert response.status_code == 409
    assert figures(world.team) == (300_00, 300_00, 0)


def test_the_workplace_rejects_only_what_is_not_yet_attested(world, login):
    client = login(world.admin)
    client.post(f"/ledger/entries/{world.entry.id}/attest")
    response = client.post(f"/ledger/entries/{world.entry.id}/reject",
                           data={"reason": "Kom aldrig in"})
    assert response.status_code == 403
    assert status(world.entry.id) == "attested"
    response = login(world.staff).post(f"/ledger/entries/{world.entry.id}/reject",
                                       data={"reason": "Kom aldrig in"})
    assert response.status_code == 303
    assert status(world.entry.id) == "rejected"
    assert figures(world.team) == (0, 0, 0)


def correction(**overrides):
    values = {"amount": "350", "collected_on": "2026-11-01", "method": "cash",
              "note": "Rätt summa", "reason": "Fel belopp, kvittot säger 350 kr"}
    values.update(overrides)
    return values


def test_staff_correct_a_received_entry_with_a_reversal_and_a_linked_received_entry(
        world, login):
    client = login(world.staff)
    client.post(f"/ledger/entries/{world.entry.id}/receive", data=receipt())
    response = client.post(f"/ledger/entries/{world.entry.id}/correct", data=correction())
    assert response.status_code == 303
    rows = db.session.execute(
        db.select(LedgerEntry).where(LedgerEntry.team_id == world.team.id)
        .order_by(LedgerEntry.id)
    ).scalars().all()
    original, reversal, new = rows
    assert (original.amount_ore, original.status) == (300_00, "received")
    assert (reversal.amount_ore, reversal.reverses_id) == (-300_00, original.id)
    assert (new.amount_ore, new.corrects_id, new.status, new.method) == (
        350_00, original.id, "received", "cash")
    assert new.received_reference == "Kvitto 1"
    assert figures(world.team) == (350_00, 350_00, 350_00)
    assert response.headers["Location"].endswith(f"/ledger/entries/{new.id}")
    history = client.get(f"/ledger/entries/{original.id}").get_data(as_text=True)
    assert f"återför post {original.id}" in history
    assert f"ersätter post {original.id}" in history
    assert "collection.correct" in history and "collection.receive" in history


def test_an_admins_correction_of_an_attested_entry_is_only_reported(world, login):
    client = login(world.admin)
    client.post(f"/ledger/entries/{world.entry.id}/attest")
    response = client.post(f"/ledger/entries/{world.entry.id}/correct", data=correction())
    assert response.status_code == 303
    new = db.session.execute(
        db.select(LedgerEntry).where(LedgerEntry.corrects_id == world.entry.id)
    ).scalar_one()
    assert (new.amount_ore, new.status) == (350_00, "pending")
    assert figures(world.team) == (350_00, 0, 0)


def test_a_correction_cannot_turn_an_entry_into_payroll(world, login):
    response = login(world.staff).post(f"/ledger/entries/{world.entry.id}/correct",
                                       data=correction(method="payroll"))
    assert response.status_code == 422
    assert status(world.entry.id) == "pending"
    assert figures(world.team) == (300_00, 0, 0)


def test_a_corrected_pending_entry_goes_back_to_the_queue(world, login):
    client = login(world.admin)
    client.post(f"/ledger/entries/{world.entry.id}/correct", data=correction(amount="30"))
    assert figures(world.team) == (30_00, 0, 0)
    html = client.get("/ledger/queue").get_data(as_text=True)
    assert "30\u00a0kr" in html and "Rätt summa" in html and "Fikaförsäljning" not in html


@pytest.mark.parametrize("overrides, message", [
    ({"amount": "0"}, "större än noll"),
    ({"amount": "abc"}, "ska vara ett tal"),
    ({"reason": ""}, "Skriv varför posten rättas"),
    ({"collected_on": "2999-01-01"}, "framtiden"),
])
def test_a_bad_correction_is_422_and_changes_nothing(world, login, overrides, message):
    response = login(world.admin).post(f"/ledger/entries/{world.entry.id}/correct",
                                       data=correction(**overrides))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.execute(db.select(db.func.count(LedgerEntry.id))).scalar_one() == 2
    assert figures(world.team) == (300_00, 0, 0)


def test_an_entry_is_corrected_once(world, login):
    client = login(world.admin)
    client.post(f"/ledger/entries/{world.entry.id}/correct", data=correction())
    response = client.post(f"/ledger/entries/{world.entry.id}/correct", data=correction())
    assert response.status_code == 409
    assert "redan återtagen eller rättad" in response.get_data(as_text=True)
    assert figures(world.team) == (350_00, 0, 0)


def test_the_correction_form_is_filled_with_the_entry(world, login):
    html = login(world.admin).get(f"/ledger/entries/{world.entry.id}/correct").get_data(
        as_text=True)
    assert 'value="300"' in html and 'value="Fikaförsäljning"' in html


def test_unknown_entries_are_404(world, login):
    client = login(world.staff)
    assert client.post("/ledger/entries/99999/attest").status_code == 404
    assert client.post("/ledger/entries/99999/receive", data=receipt()).status_code == 404
    assert client.get("/ledger/entries/99999").status_code == 404


class TestSecondCount:
    @pytest.fixture
    def cash(self, world):
        entry = factories.make_collection(world.team, amount_ore=6_000_00, method="cash",
                                          logged_by=world.member, note="Bössan i receptionen")
        factories.commit()
        return entry

    def test_large_cash_waits_for_a_second_count_before_it_is_attested(self, world, cash,
                                                                          login):
        assert cash.needs_count_confirm and cash.awaiting_count
        assert figures(world.team) == (6_300_00, 0, 0)  # reported at once
        assert "Bössan i receptionen" not in login(world.admin).get("/ledger/queue").get_data(
            as_text=True)
        response = login(world.admin).post(f"/ledger/entries/{cash.id}/attest")
        assert response.status_code == 422
        assert "räknas av en kollega" in response.get_data(as_text=True)
        assert status(cash.id) == "pending"

    def test_the_logger_cannot_count_twice(self, world, cash, login):
        assert "Kontanter att räkna" not in login(world.member).get("/ledger/mine").get_data(
            as_text=True)
        response = login(world.member).post(f"/ledger/entries/{cash.id}/confirm-count")
        assert response.status_code == 403
        assert db.session.get(LedgerEntry, cash.id).count_confirmed_by_id is None

    def test_a_colleagues_second_count_attests_the_cash(self, world, cash, login):
        client = login(world.colleague)
        assert "Kontanter att räkna" in client.get("/ledger/mine").get_data(as_text=True)
        assert client.post(f"/ledger/entries/{cash.id}/confirm-count").status_code == 303
        db.session.expire_all()
        counted = db.session.get(LedgerEntry, cash.id)
        assert counted.count_confirmed_by_id == world.colleague.id
        assert (counted.status, counted.attested_by_id) == ("attested", world.colleague.id)
        assert figures(world.team) == (6_300_00, 6_000_00, 0)
        # The workplace is done with it; it waits for the mission to receive the money.
        assert "Bössan i receptionen" not in login(world.admin).get("/ledger/queue").get_data(
            as_text=True)
        staff = login(world.staff)
        assert "Bössan i receptionen" in staff.get("/ledger/queue").get_data(as_text=True)
        assert staff.post(f"/ledger/entries/{cash.id}/receive",
                          data=receipt()).status_code == 303
        assert figures(world.team) == (6_300_00, 6_000_00, 6_000_00)

    def test_someone_from_another_workplace_cannot_confirm(self, world, cash, login):
        response = login(world.other_member).post(f"/ledger/entries/{cash.id}/confirm-count")
        assert response.status_code == 403

    def test_small_cash_and_other_methods_go_straight_to_the_queue(self, world, login):
        small = factories.make_collection(world.team, amount_ore=5_000_00, method="cash")
        swish = factories.make_collection(world.team, amount_ore=9_000_00, method="swish")
        assert not small.needs_count_confirm and not swish.needs_count_confirm

    def test_the_limit_is_configurable(self, world, app, monkeypatch):
        monkeypatch.setitem(app.config, "CASH_SECOND_CONFIRM_ORE", 100_00)
        entry = factories.make_collection(world.team, amount_ore=100_01, method="cash")
        assert entry.needs_count_confirm


def test_the_queue_and_exports_do_not_query_per_entry(world, login, count_queries):
    staff, member = login(world.staff), login(world.member)

    def queries_for(client, url):
        with count_queries() as counter:
            assert client.get(url).status_code == 200
        return counter.count

    def all_pages():
        return (queries_for(staff, "/ledger/queue"), queries_for(staff, "/ledger/export.csv"),
                queries_for(member, "/ledger/mine"))

    few = all_pages()
    for n in range(12):
        factories.make_collection(world.team if n % 2 else world.other_team,
                                  amount_ore=(n + 1) * 100, logged_by=world.member)
    factories.commit()
    assert all_pages() == few
