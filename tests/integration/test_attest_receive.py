"""Two steps of confirmation: a workplace attests what its people reported, the mission's
staff mark money received when it is on the account. Nobody confirms their own money."""

from datetime import timedelta

import pytest

from lokalamal_app import clock
from lokalamal_app.extensions import db
from lokalamal_app.ledger import check, services, totals
from lokalamal_app.models import LedgerEntry
from tests import factories

MILLION = 1_000_000_00


def figures_of(team):
    tally = totals.figures("team", team.id)
    return (tally.reported_ore, tally.attested_ore, tally.received_ore) if tally else (0, 0, 0)


@pytest.fixture
def world(app_ctx):
    """Västgränd AB with two admins (Anna, who also collects, and Bo), a member (Cia) and a
    team; a neighbour's admin (Dan); two of the mission's staff (Eva, Fia)."""
    anna = factories.make_user(display_name="Anna Admin")
    company = factories.make_company(admin=anna, name="Västgränd AB")
    bo = factories.make_user(display_name="Bo Admin")
    factories.add_member(company, bo, role="admin")
    cia = factories.make_user(display_name="Cia Medlem")
    team = factories.make_team(company, captain=cia, name="Gränslaget")
    factories.join_team(team, anna)
    dan = factories.make_user(display_name="Dan Granne")
    factories.make_company(admin=dan, name="Grannen AB")
    eva = factories.make_user(is_staff=True, display_name="Eva Stadsmission")
    fia = factories.make_user(is_staff=True, display_name="Fia Stadsmission")
    by_anna = factories.make_collection(team, 9_999_00, logged_by=anna)
    by_cia = factories.make_collection(team, 500_00, logged_by=cia)
    factories.commit()
    return type("World", (), dict(locals()))


def receive_form(reference="Kvitto 123", day=None):
    return {"reference": reference, "received_on": (day or clock.today()).isoformat()}


def test_a_workplace_admin_cannot_attest_or_receive_a_million_they_logged_themselves(
        app_ctx, login):
    # The attack that was found: register a workplace, log a fortune, confirm it yourself.
    founder = factories.make_user()
    company = factories.make_company(admin=founder, name="Eget AB")
    team = factories.make_team(company, captain=founder)
    entry = factories.make_collection(team, MILLION, logged_by=founder)
    factories.commit()
    client = login(founder)

    attest = client.post(f"/ledger/entries/{entry.id}/attest")
    receive = client.post(f"/ledger/entries/{entry.id}/receive", data=receive_form())

    assert attest.status_code == 403
    assert "Du registrerade posten själv" in attest.get_data(as_text=True)
    assert receive.status_code == 403
    assert "Bara stadsmissionens personal" in receive.get_data(as_text=True)
    assert db.session.get(LedgerEntry, entry.id).status == "pending"
    assert figures_of(team) == (MILLION, 0, 0)
    page = client.get(f"/teams/{team.id}").get_data(as_text=True)
    assert "varav bekräftat av stadsmissionen" in page


def test_another_admin_attests_and_the_money_counts_as_attested_not_received(world, login):
    response = login(world.bo).post(f"/ledger/entries/{world.by_anna.id}/attest")

    assert response.status_code == 303
    entry = db.session.get(LedgerEntry, world.by_anna.id)
    assert (entry.status, entry.attested_by_id) == ("attested", world.bo.id)
    assert figures_of(world.team) == (10_499_00, 9_999_00, 0)
    assert check.all_differences() == []


def test_nobody_attests_money_that_counts_for_them(world, login):
    gift = services.log_collection(world.team, 200_00, clock.today(), "swish", "",
                                   logged_by=world.cia, giver_id=world.bo.id)
    factories.commit()

    response = login(world.bo).post(f"/ledger/entries/{gift.id}/attest")

    assert response.status_code == 403
    assert "Pengarna räknas för dig" in response.get_data(as_text=True)


def test_members_and_other_workplaces_may_not_attest(world, login):
    assert login(world.cia).post(f"/ledger/entries/{world.by_anna.id}/attest").status_code == 403
    assert login(world.dan).post(f"/ledger/entries/{world.by_anna.id}/attest").status_code == 403
    assert figures_of(world.team)[1] == 0


def test_attesting_twice_or_after_a_withdrawal_is_a_conflict(world, login):
    bo = login(world.bo)
    assert bo.post(f"/ledger/entries/{world.by_anna.id}/attest").status_code == 303
    assert bo.post(f"/ledger/entries/{world.by_anna.id}/attest").status_code == 409

    assert login(world.cia).post(
        f"/ledger/entries/{world.by_cia.id}/withdraw").status_code == 303
    assert bo.post(f"/ledger/entries/{world.by_cia.id}/attest").status_code == 409
    assert figures_of(world.team) == (9_999_00, 9_999_00, 0)


def test_staff_receive_with_a_reference_and_the_team_page_says_the_mission_has_it(
        world, login, client):
    day = clock.today() - timedelta(days=1)
    response = login(world.eva).post(f"/ledger/entries/{world.by_cia.id}/receive",
                                     data=receive_form("Insättning 4711", day))

    assert response.status_code == 303
    entry = db.session.get(LedgerEntry, world.by_cia.id)
    assert (entry.status, entry.received_on, entry.received_reference) == (
        "received", day, "Insättning 4711")
    assert figures_of(world.team) == (10_499_00, 500_00, 500_00)
    page = client.get(f"/teams/{world.team.id}").get_data(as_text=True)
    assert "varav bekräftat av stadsmissionen" in page and "500\u00a0kr" in page


def test_receiving_without_a_reference_keeps_what_was_typed_and_says_why(world, login):
    response = login(world.eva).post(f"/ledger/entries/{world.by_cia.id}/receive",
                                     data={"reference": "", "received_on": "2999-01-01"})

    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Skriv en referens" in html
    assert "Datumet kan inte ligga i framtiden" in html
    assert 'value="2999-01-01"' in html
    assert db.session.get(LedgerEntry, world.by_cia.id).status == "pending"


def test_only_staff_receive_and_never_their_own_entry(world, login):
    assert login(world.anna).post(f"/ledger/entries/{world.by_cia.id}/receive",
                                  data=receive_form()).status_code == 403
    own = factories.make_collection(world.team, 100_00, logged_by=world.eva)
    factories.commit()
    refused = login(world.eva).post(f"/ledger/entries/{own.id}/receive", data=receive_form())
    assert refused.status_code == 403
    assert login(world.fia).post(f"/ledger/entries/{own.id}/receive",
                                 data=receive_form()).status_code == 303


def test_receiving_twice_is_a_conflict_and_counts_once(world, login):
    eva = login(world.eva)
    assert eva.post(f"/ledger/entries/{world.by_cia.id}/receive",
                    data=receive_form()).status_code == 303
    again = login(world.fia).post(f"/ledger/entries/{world.by_cia.id}/receive",
                                  data=receive_form())
    assert again.status_code == 409
    assert figures_of(world.team)[2] == 500_00


def test_an_attested_entry_is_received_later_and_counts_once_in_each_figure(world, login):
    login(world.bo).post(f"/ledger/entries/{world.by_anna.id}/attest")
    login(world.eva).post(f"/ledger/entries/{world.by_anna.id}/receive", data=receive_form())

    assert figures_of(world.team) == (10_499_00, 9_999_00, 9_999_00)
    assert check.all_differences() == []


def test_a_workplace_admin_may_not_reject_what_is_attested_but_staff_may(world, login):
    login(world.bo).post(f"/ledger/entries/{world.by_anna.id}/attest")
    reason = {"reason": "Pengarna kom aldrig in."}

    refused = login(world.bo).post(f"/ledger/entries/{world.by_anna.id}/reject", data=reason)
    done = login(world.eva).post(f"/ledger/entries/{world.by_anna.id}/reject", data=reason)

    assert refused.status_code == 403
    assert done.status_code == 303
    assert figures_of(world.team) == (500_00, 0, 0)


def test_bulk_receipt_is_all_or_nothing(world, login):
    own = factories.make_collection(world.team, 100_00, logged_by=world.eva)
    factories.commit()
    eva = login(world.eva)
    ids = [world.by_cia.id, own.id]

    refused = eva.post("/ledger/receive", data={"entry_ids": ids, **receive_form()})
    assert refused.status_code == 403
    assert figures_of(world.team)[2] == 0

    done = eva.post("/ledger/receive", data={"entry_ids": [world.by_cia.id, world.by_anna.id],
                                             **receive_form("Bankutdrag 30/11")})
    assert done.status_code == 303
    assert figures_of(world.team)[2] == 10_499_00


def test_the_queue_says_what_each_entry_waits_for_and_who_may_do_it(world, login):
    anna = login(world.anna).get("/ledger/queue").get_data(as_text=True)
    # Anna logged one of the two: she may attest Cia's, and is told why not her own.
    assert anna.count(">Attestera<") == 1
    assert "Du registrerade posten själv" in anna
    assert "att stadsmissionen tar emot pengarna" in anna

    staff = login(world.eva).get("/ledger/queue").get_data(as_text=True)
    assert staff.count('name="reference"') >= 2


def test_a_correction_by_the_workplace_goes_back_to_reported(world, login):
    login(world.bo).post(f"/ledger/entries/{world.by_anna.id}/attest")
    entry = db.session.get(LedgerEntry, world.by_anna.id)
    new = services.correct_entry(entry, world.bo, 19_999_00, entry.collected_on, "swish", "",
                                 "Fel belopp")
    factories.commit()

    assert new.status == "pending"
    assert figures_of(world.team) == (20_499_00, 0, 0)


def test_money_the_mission_received_is_corrected_by_the_mission_only(world, login):
    login(world.eva).post(f"/ledger/entries/{world.by_cia.id}/receive", data=receive_form())
    day = db.session.get(LedgerEntry, world.by_cia.id).collected_on.isoformat()
    correction = {"amount": "5000", "collected_on": day, "method": "swish", "note": "",
                  "reason": "Fel belopp"}

    refused = login(world.anna).post(f"/ledger/entries/{world.by_cia.id}/correct",
                                     data=correction)

    assert refused.status_code == 403
    assert "Be stadsmissionen rätta posten" in refused.get_data(as_text=True)
    assert figures_of(world.team) == (10_499_00, 500_00, 500_00)
    assert login(world.fia).post(f"/ledger/entries/{world.by_cia.id}/correct",
                                 data=correction).status_code == 303
    assert figures_of(world.team) == (14_999_00, 5_000_00, 5_000_00)


def test_money_cannot_have_come_in_long_before_it_was_collected(world, login):
    long_before = world.by_cia.collected_on - timedelta(days=30)
    response = login(world.eva).post(f"/ledger/entries/{world.by_cia.id}/receive",
                                     data=receive_form(day=long_before))

    assert response.status_code == 422
    assert "så långt före insamlingen" in response.get_data(as_text=True)
    assert figures_of(world.team)[2] == 0


def test_only_a_teammate_or_an_admin_is_the_second_to_count_cash(world, login):
    big = services.log_collection(world.team, 9_000_00, clock.today(), "cash", "Bössan",
                                  logged_by=world.cia)
    newcomer = factories.make_user()
    factories.add_member(world.company, newcomer)  # joined the workplace by its link
    factories.commit()
    assert big.awaiting_count

    refused = login(newcomer).post(f"/ledger/entries/{big.id}/confirm-count")
    assert refused.status_code == 403
    assert figures_of(world.team)[1] == 0
    # The mission's staff were not at the cash either: they attest or receive instead.
    assert login(world.eva).post(f"/ledger/entries/{big.id}/confirm-count").status_code == 403
    assert figures_of(world.team)[1] == 0

    assert login(world.anna).post(f"/ledger/entries/{big.id}/confirm-count").status_code == 303
    assert db.session.get(LedgerEntry, big.id).status == "attested"


def test_a_corrected_entry_waits_for_nothing(world, login):
    entry = db.session.get(LedgerEntry, world.by_cia.id)
    services.correct_entry(entry, world.anna, 600_00, entry.collected_on, "swish", "", "Fel")
    factories.commit()

    page = login(world.anna).get(f"/ledger/entries/{world.by_cia.id}").get_data(as_text=True)

    assert "Återtagen eller rättad" in page
    assert "Väntar på:" not in page


def test_payroll_money_cannot_be_typed_into_the_logging_form(world, login):
    response = login(world.cia).post(f"/teams/{world.team.id}/collections", data={
        "amount": "100", "collected_on": clock.today().isoformat(), "method": "payroll",
        "note": "", "idempotency_key": "a" * 32})

    assert response.status_code == 422
    assert "Välj ett av sätten i listan" in response.get_data(as_text=True)
    page = login(world.cia).get(f"/teams/{world.team.id}").get_data(as_text=True)
    assert 'value="payroll"' not in page


# (who, action) -> status. "logger" logged the entry; "giver" is the person it counts for.
MATRIX = {
    ("visitor", "attest"): "login", ("visitor", "receive"): "login",
    ("member", "attest"): 403, ("member", "receive"): 403,
    ("neighbour_admin", "attest"): 403, ("neighbour_admin", "receive"): 403,
    ("logger_admin", "attest"): 403, ("logger_admin", "receive"): 403,
    ("giver_admin", "attest"): 403, ("giver_admin", "receive"): 403,
    ("other_admin", "attest"): 303, ("other_admin", "receive"): 403,
    ("staff", "attest"): 303, ("staff", "receive"): 303,
    ("logger_staff", "attest"): 403, ("logger_staff", "receive"): 403,
}


@pytest.mark.parametrize(("who", "action"), sorted(MATRIX))
def test_permission_matrix_of_attest_and_receive(app, world, login, who, action):
    people = {"member": world.cia, "neighbour_admin": world.dan, "logger_admin": world.anna,
              "giver_admin": world.bo, "other_admin": world.bo, "staff": world.eva,
              "logger_staff": world.fia}
    logger = {"logger_admin": world.anna, "logger_staff": world.fia}.get(who, world.cia)
    giver = world.bo.id if who == "giver_admin" else logger.id
    entry = services.log_collection(world.team, 300_00, clock.today(), "swish", "",
                                    logged_by=logger, giver_id=giver)
    factories.commit()
    client = app.test_client() if who == "visitor" else login(people[who])

    data = receive_form() if action == "receive" else {}
    response = client.post(f"/ledger/entries/{entry.id}/{action}", data=data)

    want = MATRIX[(who, action)]
    if want == "login":
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")
    else:
        assert response.status_code == want, response.get_data(as_text=True)[:300]
    expected = {"attest": "attested", "receive": "received"}[action] if want == 303 else "pending"
    assert db.session.get(LedgerEntry, entry.id).status == expected
