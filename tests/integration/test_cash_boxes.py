"""Collection boxes: a workplace registers sealed, numbered boxes, hands them over, and two
colleagues count each box together; the second count attests the cash entry."""

import pytest

from lokalamal_app import clock
from lokalamal_app.extensions import db
from lokalamal_app.ledger import services as ledger
from lokalamal_app.models import (
    CashBox,
    CashBoxCount,
    CashBoxEvent,
    LedgerEntry,
    Notification,
)
from tests import factories


@pytest.fixture
def world(app_ctx):
    admin = factories.make_user(display_name="Anna Admin")
    company = factories.make_company(admin=admin, name="Kopparlunden AB")
    captain = factories.make_user(display_name="Kalle Kapten")
    team = factories.make_team(company, captain=captain, name="Fikagänget")
    maja = factories.make_user(display_name="Maja")
    factories.join_team(team, maja)
    bo = factories.make_user(display_name="Bo")
    factories.join_team(team, bo)  # the second to count is in the team (or an admin)
    outsider = factories.make_user(display_name="Utomstående")
    factories.make_company(admin=outsider, name="Grannen AB")
    staff = factories.make_user(is_staff=True, display_name="Stina Stadsmission")
    factories.commit()
    return type("World", (), dict(**locals()))


def _box(world, number="12", seal="P-1001", keeper=None) -> CashBox:
    from lokalamal_app.cashboxes import services

    box = services.register_box(world.company, world.team, number, seal,
                                keeper or world.maja, world.admin)
    factories.commit()
    return box


def _count_form(**overrides) -> dict:
    today = clock.today().isoformat()
    data = {"amount": "350", "counted_on": today, "seal_intact": "yes",
            "deposit_kind": "bank", "deposit_reference": "Kvitto 5521", "deposited_on": today,
            "idempotency_key": "a" * 32}
    data.update(overrides)
    return data


def _count(client, box_id, **overrides):
    return client.post(f"/boxes/{box_id}/count", data=_count_form(**overrides))


def _only_count(box_id) -> CashBoxCount:
    db.session.rollback()
    return db.session.execute(
        db.select(CashBoxCount).where(CashBoxCount.box_id == box_id)).scalar_one()


def test_an_admin_registers_a_box_and_colleagues_see_it(world, login):
    admin = login(world.admin)
    response = admin.post(f"/companies/{world.company.slug}/boxes/new", data={
        "number": " 12 ", "seal_number": "P-1001", "team": str(world.team.id),
        "keeper": str(world.maja.id)})
    assert response.status_code == 303
    db.session.rollback()
    box = db.session.execute(db.select(CashBox)).scalar_one()
    assert (box.number, box.seal_number, box.keeper_id, box.team_id) == \
        ("12", "P-1001", world.maja.id, world.team.id)
    page = login(world.bo).get(f"/companies/{world.company.slug}/boxes")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Bössa 12" in html and "Maja" in html and "P-1001" in html
    shown = login(world.bo).get(f"/boxes/{box.id}").get_data(as_text=True)
    assert "Registrerad med plombering P-1001" in shown


def test_workplace_and_team_pages_link_the_boxes(world, login):
    client = login(world.maja)
    company_page = client.get(f"/companies/{world.company.slug}").get_data(as_text=True)
    assert f"/companies/{world.company.slug}/boxes" in company_page
    team_page = client.get(f"/teams/{world.team.slug}").get_data(as_text=True)
    assert f"/companies/{world.company.slug}/boxes?team={world.team.id}" in team_page


def test_the_captain_registers_boxes_for_the_team_and_a_member_may_not(world, login):
    captain = login(world.captain)
    assert captain.get(f"/companies/{world.company.slug}/boxes/new").status_code == 200
    response = captain.post(f"/companies/{world.company.slug}/boxes/new", data={
        "number": "7", "seal_number": "P-7", "team": str(world.team.id),
        "keeper": str(world.captain.id)})
    assert response.status_code == 303
    member = login(world.maja)
    assert member.get(f"/companies/{world.company.slug}/boxes/new").status_code == 403
    assert member.post(f"/companies/{world.company.slug}/boxes/new", data={
        "number": "8", "seal_number": "P-8", "team": str(world.team.id),
        "keeper": str(world.maja.id)}).status_code == 403
    db.session.rollback()
    assert [b.number for b in db.session.execute(db.select(CashBox)).scalars()] == ["7"]


def test_a_box_number_is_unique_at_the_workplace_and_the_form_keeps_what_was_typed(world,
                                                                                    login):
    _box(world, number="12")
    response = login(world.admin).post(f"/companies/{world.company.slug}/boxes/new", data={
        "number": "12", "seal_number": "P-2002", "team": str(world.team.id),
        "keeper": str(world.bo.id)})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Arbetsplatsen har redan en bössa med nummer 12." in html
    assert 'value="P-2002"' in html


@pytest.mark.parametrize("field,value,message", [
    ("number", "", "Skriv bössans nummer."),
    ("seal_number", "", "Skriv plomberingens nummer."),
    ("keeper", "999999", "Välj en kollega på arbetsplatsen."),
    ("team", "abc", "Välj ett lag i listan."),
])
def test_registering_with_bad_input_says_what_is_wrong(world, login, field, value, message):
    data = {"number": "3", "seal_number": "P-3", "team": str(world.team.id),
            "keeper": str(world.bo.id), field: value}
    response = login(world.admin).post(f"/companies/{world.company.slug}/boxes/new", data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_someone_from_another_workplace_cannot_see_or_count_a_box(world, login, client):
    box = _box(world)
    outsider = login(world.outsider)
    assert outsider.get(f"/boxes/{box.id}").status_code == 403
    assert outsider.get(f"/companies/{world.company.slug}/boxes").status_code == 403
    assert _count(outsider, box.id).status_code == 403
    assert client.get(f"/boxes/{box.id}").status_code == 302  # to the login page
    assert login(world.maja).get("/boxes/999999").status_code == 404


def test_handing_over_a_box_is_kept_in_its_history(world, login):
    box = _box(world, keeper=world.maja)
    response = login(world.captain).post(f"/boxes/{box.id}/handover",
                                         data={"keeper": str(world.bo.id)})
    assert response.status_code == 303
    db.session.rollback()
    assert db.session.get(CashBox, box.id).keeper_id == world.bo.id
    kinds = [e.kind for e in db.session.execute(
        db.select(CashBoxEvent).where(CashBoxEvent.box_id == box.id)
        .order_by(CashBoxEvent.id)).scalars()]
    assert kinds == ["registered", "handover"]
    html = login(world.maja).get(f"/boxes/{box.id}").get_data(as_text=True)
    assert "Överlämnad från Maja till Bo." in html


def test_only_admins_and_the_captain_hand_over_or_reseal(world, login):
    box = _box(world)
    member = login(world.bo)
    assert member.post(f"/boxes/{box.id}/handover",
                       data={"keeper": str(world.bo.id)}).status_code == 403
    assert member.post(f"/boxes/{box.id}/seal", data={"seal_number": "P-9"}).status_code == 403
    admin = login(world.admin)
    assert admin.post(f"/boxes/{box.id}/handover",
                      data={"keeper": str(world.outsider.id)}).status_code == 422
    assert admin.post(f"/boxes/{box.id}/seal", data={"seal_number": "P-9"}).status_code == 303
    db.session.rollback()
    assert db.session.get(CashBox, box.id).seal_number == "P-9"
    assert "Ny plombering: P-9." in admin.get(f"/boxes/{box.id}").get_data(as_text=True)


def test_a_count_writes_cash_for_the_team_that_waits_for_the_second_count(world, login):
    box = _box(world)
    # 350 kr is under the amount that otherwise needs a second count: a box always does.
    assert _count(login(world.maja), box.id).status_code == 303
    count = _only_count(box.id)
    entry = count.entry
    assert (entry.team_id, entry.method, entry.amount_ore, entry.status) == \
        (world.team.id, "cash", 350_00, "pending")
    assert entry.awaiting_count and entry.logged_by_id == world.maja.id
    assert entry.giver_id is None
    assert (count.seal_number, count.seal_intact, count.deposit_reference) == \
        ("P-1001", True, "Kvitto 5521")
    html = login(world.bo).get(f"/boxes/{box.id}").get_data(as_text=True)
    assert "350\xa0kr" in html and "Väntar på att en kollega till räknar." in html
    # The queue cannot attest it before the second count either.
    with pytest.raises(ledger.LedgerError):
        ledger.attest_entry(entry.id, world.admin)
    db.session.rollback()


def test_a_posted_count_twice_is_recorded_once(world, login):
    box = _box(world)
    client = login(world.maja)
    assert _count(client, box.id).status_code == 303
    assert _count(client, box.id).status_code == 303
    db.session.rollback()
    assert db.session.execute(db.select(db.func.count(CashBoxCount.id))).scalar_one() == 1


def test_the_second_colleague_confirms_and_the_count_is_attested(world, login):
    box = _box(world)
    _count(login(world.maja), box.id)
    count = _only_count(box.id)
    response = login(world.bo).post(f"/boxes/{box.id}/counts/{count.id}/confirm")
    assert response.status_code == 303
    db.session.rollback()
    entry = db.session.get(LedgerEntry, count.entry_id)
    assert entry.status == "attested"
    assert entry.count_confirmed_by_id == world.bo.id and entry.attested_by_id == world.bo.id
    html = login(world.maja).get(f"/boxes/{box.id}").get_data(as_text=True)
    assert "Attesterad av arbetsplatsen" in html and "Maja och Bo" in html


def test_the_first_counter_cannot_confirm_their_own_count(world, login):
    box = _box(world)
    maja = login(world.maja)
    _count(maja, box.id)
    count = _only_count(box.id)
    response = maja.post(f"/boxes/{box.id}/counts/{count.id}/confirm")
    assert response.status_code == 403
    assert "En annan kollega än den som registrerade posten måste räkna." in \
        response.get_data(as_text=True)
    assert "Jag räknade också" not in maja.get(f"/boxes/{box.id}").get_data(as_text=True)
    db.session.rollback()
    assert db.session.get(LedgerEntry, count.entry_id).status == "pending"


def test_a_count_confirmed_already_answers_409(world, login):
    box = _box(world)
    _count(login(world.maja), box.id)
    count = _only_count(box.id)
    assert login(world.bo).post(f"/boxes/{box.id}/counts/{count.id}/confirm").status_code == 303
    again = login(world.captain).post(f"/boxes/{box.id}/counts/{count.id}/confirm")
    assert again.status_code == 409
    assert "redan" in again.get_data(as_text=True)


def test_an_outsider_cannot_confirm_a_count(world, login):
    box = _box(world)
    _count(login(world.maja), box.id)
    count = _only_count(box.id)
    assert login(world.outsider).post(
        f"/boxes/{box.id}/counts/{count.id}/confirm").status_code == 403
    assert login(world.bo).post(f"/boxes/{box.id}/counts/999999/confirm").status_code == 404


def test_a_broken_seal_is_shown_and_told_to_the_admins_and_the_mission(world, login):
    box = _box(world)
    assert _count(login(world.maja), box.id, seal_intact="no").status_code == 303
    count = _only_count(box.id)
    assert count.seal_intact is False
    assert "bruten" in login(world.bo).get(f"/boxes/{box.id}").get_data(as_text=True)
    listing = login(world.bo).get(f"/companies/{world.company.slug}/boxes")
    assert "En räkning hade bruten plombering" in listing.get_data(as_text=True)
    told = db.session.execute(
        db.select(Notification).where(Notification.user_id == world.admin.id)).scalars().all()
    assert any("bruten plombering" in n.text for n in told)
    # Once counted twice, the mission's staff see it on the entry in their queue.
    assert login(world.bo).post(f"/boxes/{box.id}/counts/{count.id}/confirm").status_code == 303
    queue = login(world.staff).get("/ledger/queue").get_data(as_text=True)
    assert "Bössa 12, plombering P-1001 – plomberingen var bruten" in queue


@pytest.mark.parametrize("overrides,message", [
    ({"deposit_reference": ""}, "Skriv numret på bankens insättningskvitto."),
    ({"amount": "tusen"}, None),
    ({"amount": "0"}, "Beloppet måste vara större än noll."),
    ({"seal_intact": ""}, "Svara om plomberingen var hel."),
    ({"deposit_kind": "skogen"}, "Välj var pengarna lämnades."),
    ({"counted_on": "2999-01-01"}, "Datumet kan inte ligga i framtiden."),
    ({"deposited_on": "2001-01-01"}, "Pengarna kan inte ha lämnats före räkningen."),
])
def test_a_count_with_bad_input_says_so_and_keeps_what_was_typed(world, login, overrides,
                                                                 message):
    box = _box(world)
    response = _count(login(world.maja), box.id, note="x", **overrides)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    if message:
        assert message in html
    if "amount" not in overrides:
        assert 'value="350"' in html
    db.session.rollback()
    assert db.session.execute(db.select(db.func.count(LedgerEntry.id))).scalar_one() == 0


def test_left_at_the_mission_needs_no_receipt_number(world, login):
    box = _box(world)
    assert _count(login(world.maja), box.id, deposit_kind="mission",
                  deposit_reference="").status_code == 303
    assert "Lämnad till stadsmissionen" in \
        login(world.bo).get(f"/boxes/{box.id}").get_data(as_text=True)


def test_my_collections_list_box_counts_waiting_for_me(world, login):
    box = _box(world)
    maja = login(world.maja)
    _count(maja, box.id)
    count = _only_count(box.id)
    assert f"box-count-{count.id}" not in maja.get("/ledger/mine").get_data(as_text=True)
    bo = login(world.bo)
    mine = bo.get("/ledger/mine").get_data(as_text=True)
    assert f"box-count-{count.id}" in mine and "Bössa 12" in mine
    response = bo.post(f"/boxes/{box.id}/counts/{count.id}/confirm", data={"next": "mine"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/ledger/mine")
    assert f"box-count-{count.id}" not in bo.get("/ledger/mine").get_data(as_text=True)


def test_a_withdrawn_count_says_so_on_the_box_page(world, login):
    box = _box(world)
    maja = login(world.maja)
    _count(maja, box.id)
    count = _only_count(box.id)
    assert maja.post(f"/ledger/entries/{count.entry_id}/withdraw").status_code == 303
    assert "Tillbakatagen" in maja.get(f"/boxes/{box.id}").get_data(as_text=True)
    assert f"box-count-{count.id}" not in login(world.bo).get("/ledger/mine").get_data(
        as_text=True)


def test_money_received_by_the_mission_shows_on_the_box(world, login):
    box = _box(world)
    _count(login(world.maja), box.id)
    count = _only_count(box.id)
    login(world.bo).post(f"/boxes/{box.id}/counts/{count.id}/confirm")
    response = login(world.staff).post(f"/ledger/entries/{count.entry_id}/receive", data={
        "reference": "Kvitto 5521", "received_on": clock.today().isoformat()})
    assert response.status_code == 303
    assert "Mottagen av stadsmissionen" in \
        login(world.maja).get(f"/boxes/{box.id}").get_data(as_text=True)


def test_demo_data_has_a_confirmed_box_and_one_waiting_for_its_second_count(app, runner,
                                                                            app_ctx):
    result = runner.invoke(args=["demo-data"])
    assert result.exit_code == 0, result.output
    boxes = db.session.execute(db.select(CashBox).order_by(CashBox.number)).scalars().all()
    assert [b.number for b in boxes] == ["1", "2"]
    assert len({b.company_id for b in boxes}) == 1
    statuses = {c.box.number: (c.entry.status, c.entry.awaiting_count) for c in
                db.session.execute(db.select(CashBoxCount)).scalars()}
    assert statuses == {"1": ("attested", False), "2": ("pending", True)}
    client = app.test_client()
    client.post("/login", data={"email": "medarbetare@demo.lokalamal.se",
                                "password": app.config["DEMO_PASSWORD"]})
    mine = client.get("/ledger/mine").get_data(as_text=True)
    assert "Bössor att räkna tillsammans" in mine and "Bössa 2" in mine


def test_merging_a_duplicate_workplace_moves_its_boxes(login, app_ctx):
    from lokalamal_app.cashboxes import services

    admin = factories.make_user()
    one = factories.make_company(admin=admin, name="Ett AB", slug="ett-ab")
    two = factories.make_company(admin=admin, name="Två AB", slug="tva-ab")
    team = factories.make_team(two, captain=admin, name="Bösslaget")
    services.register_box(two, team, "5", "P-5", admin, admin)
    staff = factories.make_user(is_staff=True)
    factories.commit()
    response = login(staff).post("/staff/workplaces/tva-ab",
                                 data={"target": "ett-ab", "confirm": "y"})
    assert response.status_code in (302, 303)
    db.session.expire_all()
    assert db.session.execute(db.select(CashBox.company_id)).scalar_one() == one.id


def test_a_merge_with_two_boxes_of_one_number_is_refused_with_a_message(login, app_ctx):
    from lokalamal_app.cashboxes import services

    admin = factories.make_user()
    one = factories.make_company(admin=admin, name="Ett AB", slug="ett-ab")
    two = factories.make_company(admin=admin, name="Två AB", slug="tva-ab")
    services.register_box(one, factories.make_team(one, name="A"), "5", "P-1", admin, admin)
    services.register_box(two, factories.make_team(two, name="B"), "5", "P-2", admin, admin)
    staff = factories.make_user(is_staff=True)
    factories.commit()
    response = login(staff).post("/staff/workplaces/tva-ab",
                                 data={"target": "ett-ab", "confirm": "y"})
    assert response.status_code == 422
    assert "insamlingsbössa med nummer 5" in response.get_data(as_text=True)
