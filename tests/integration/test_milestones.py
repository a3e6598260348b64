"""Milestones with promises: set by the captain or the workplace's admins, reached once,
told to the team, shown on the pages and boards, and kept when money is corrected."""

from datetime import timedelta

import pytest

from lokalamal_app import clock
from lokalamal_app.extensions import db
from lokalamal_app.ledger import services as ledger
from lokalamal_app.milestones import queries
from lokalamal_app.models import Milestone, Notification, OutboxMessage
from lokalamal_app.models.base import utcnow
from tests import factories


@pytest.fixture
def world(app_ctx):
    admin = factories.make_user(display_name="Admin")
    company = factories.make_company(admin=admin, name="Kopparlunden AB")
    captain = factories.make_user(display_name="Kapten")
    team = factories.make_team(company, captain=captain, name="Fikagänget")
    member = factories.make_user(display_name="Maja")
    factories.join_team(team, member)
    outsider = factories.make_user(display_name="Utomstående")
    other_admin = factories.make_user()
    factories.make_company(admin=other_admin, name="Grannen AB")
    staff = factories.make_user(is_staff=True)
    factories.commit()
    return type("World", (), dict(**locals()))


def _add(client, team, amount="1 000", promise="Chefen bjuder på tårta"):
    return client.post(f"/teams/{team.slug}/milestones",
                       data={"amount": amount, "promise": promise})


def _milestones(team):
    return db.session.execute(
        db.select(Milestone).where(Milestone.team_id == team.id).order_by(Milestone.amount_ore)
    ).scalars().all()


def test_the_captain_sets_a_promise_and_the_team_page_shows_what_is_left(world, login):
    client = login(world.captain)
    assert _add(client, world.team).status_code == 302
    factories.make_collection(world.team, amount_ore=250_00, logged_by=world.captain)
    factories.commit()
    page = client.get(f"/teams/{world.team.slug}").get_data(as_text=True)
    assert "Chefen bjuder på tårta" in page
    assert "750\u00a0kr kvar" in page
    assert "rapporterade pengar" in page


@pytest.mark.parametrize("amount, promise, message", [
    ("0", "Tårta", "Beloppet måste vara mer än 0 kr."),
    ("-5", "Tårta", None),
    ("tusen", "Tårta", None),
    ("1000", "", "Skriv vad ni lovar."),
    ("1000", "x" * 201, "Löftet får ha högst 200 tecken."),
])
def test_a_bad_milestone_is_refused_at_the_field(world, login, amount, promise, message):
    response = _add(login(world.captain), world.team, amount, promise)
    assert response.status_code == 422
    if message:
        assert message in response.get_data(as_text=True)
    assert _milestones(world.team) == []


def test_two_milestones_at_one_amount_or_too_many_are_refused(world, login):
    client = login(world.captain)
    assert _add(client, world.team, "1000").status_code == 302
    response = _add(client, world.team, "1 000,00", "Något annat")
    assert response.status_code == 422
    assert "Det finns redan ett delmål på det beloppet." in response.get_data(as_text=True)
    for n in range(2, 11):
        assert _add(client, world.team, str(n * 1000)).status_code == 302
    response = _add(client, world.team, "99000")
    assert response.status_code == 422
    assert "högst 10 delmål" in response.get_data(as_text=True)


def test_only_the_captain_admins_and_staff_set_a_teams_milestones(world, login, client):
    assert _add(client, world.team).status_code == 302  # anonymous: to the login page
    assert "/login" in _add(client, world.team).headers["Location"]
    assert _add(login(world.member), world.team).status_code == 403
    assert _add(login(world.other_admin), world.team).status_code == 403
    assert _add(login(world.admin), world.team, "500").status_code == 302
    assert _add(login(world.staff), world.team, "700").status_code == 302
    assert len(_milestones(world.team)) == 2


def test_passing_a_milestone_records_it_once_and_tells_the_team(world, login):
    _add(login(world.captain), world.team, "1000")
    factories.make_collection(world.team, amount_ore=600_00, logged_by=world.member)
    factories.commit()
    assert _milestones(world.team)[0].reached_at is None
    factories.make_collection(world.team, amount_ore=500_00, logged_by=world.member)
    factories.commit()
    milestone = _milestones(world.team)[0]
    assert milestone.reached_at is not None
    reached_at = milestone.reached_at
    factories.make_collection(world.team, amount_ore=500_00, logged_by=world.member)
    factories.commit()
    db.session.expire_all()
    assert _milestones(world.team)[0].reached_at == reached_at
    for person in (world.captain, world.member):
        notes = db.session.execute(db.select(Notification.text).where(
            Notification.user_id == person.id)).scalars().all()
        told = [n for n in notes if "Chefen bjuder på tårta" in n]
        assert len(told) == 1 and "1\u00a0000\u00a0kr" in told[0]
    mails = db.session.execute(db.select(OutboxMessage).where(
        OutboxMessage.to == world.member.email)).scalars().all()
    assert len(mails) == 1 and mails[0].sent_at is not None
    assert world.outsider.id not in db.session.execute(
        db.select(Notification.user_id)).scalars().all()
    page = login(world.member).get(f"/teams/{world.team.slug}").get_data(as_text=True)
    assert "Nått" in page


def test_a_milestone_already_passed_when_set_counts_as_reached(world, login):
    factories.make_collection(world.team, amount_ore=2_000_00, logged_by=world.member)
    factories.commit()
    _add(login(world.captain), world.team, "1000")
    assert _milestones(world.team)[0].reached_at is not None


def test_a_correction_below_the_amount_leaves_the_milestone_reached(world, login):
    _add(login(world.captain), world.team, "1000")
    entry = factories.make_collection(world.team, amount_ore=1_200_00, logged_by=world.member)
    factories.commit()
    ledger.withdraw_entry(entry.id, world.member)
    factories.commit()
    db.session.expire_all()
    assert _milestones(world.team)[0].reached_at is not None
    response = login(world.captain).post(
        f"/teams/{world.team.slug}/milestones/{_milestones(world.team)[0].id}/remove")
    assert response.status_code == 409
    assert "löftet är redan givet" in response.get_data(as_text=True)


def test_an_open_milestone_can_be_removed_by_the_captain_only(world, login):
    _add(login(world.captain), world.team, "1000")
    milestone_id = _milestones(world.team)[0].id
    url = f"/teams/{world.team.slug}/milestones/{milestone_id}/remove"
    assert login(world.member).post(url).status_code == 403
    assert login(world.other_admin).post(url).status_code == 403
    assert login(world.captain).post(url).status_code == 302
    assert _milestones(world.team) == []


def test_a_workplace_milestone_is_set_by_an_admin_and_reached_by_all_its_teams(world, login):
    other_team = factories.make_team(world.company, name="Lagret")
    factories.commit()
    url = f"/companies/{world.company.slug}/milestones"
    assert login(world.captain).post(url, data={"amount": "500", "promise": "Glass"}) \
        .status_code == 403
    assert login(world.admin).post(url, data={"amount": "500", "promise": "Glass"}) \
        .status_code == 302
    factories.make_collection(world.team, amount_ore=300_00, logged_by=world.member)
    factories.make_collection(other_team, amount_ore=300_00)
    factories.commit()
    milestone = db.session.execute(db.select(Milestone).where(
        Milestone.company_id == world.company.id, Milestone.team_id.is_(None))).scalar_one()
    assert milestone.reached_at is not None
    page = login(world.member).get(f"/companies/{world.company.slug}").get_data(as_text=True)
    assert "Glass" in page and "Nått" in page
    assert db.session.execute(db.select(db.func.count(Notification.id)).where(
        Notification.user_id == world.member.id, Notification.text.contains("Glass"))
    ).scalar_one() == 1


def test_the_board_shows_milestones_beside_the_team(world, login):
    client = login(world.captain)
    _add(client, world.team, "100", "Fika")
    _add(client, world.team, "5000", "Tårta")
    factories.make_collection(world.team, amount_ore=150_00, logged_by=world.member)
    factories.commit()
    board = client.get(f"/leaderboards/companies/{world.company.slug}/teams")
    text = board.get_data(as_text=True)
    assert "1 av 2 delmål" in text and "Tårta" in text


def test_staff_see_every_promise_with_reached_or_not(world, login):
    _add(login(world.captain), world.team, "100", "Fika på fredag")
    _add(login(world.admin), world.team, "9000", "Chefen cyklar till jobbet")
    factories.make_collection(world.team, amount_ore=150_00, logged_by=world.member)
    factories.commit()
    assert login(world.admin).get("/staff/milestones").status_code == 403
    client = login(world.staff)
    page = client.get("/staff/milestones").get_data(as_text=True)
    assert "Fika på fredag" in page and "Chefen cyklar till jobbet" in page
    assert "Inte än" in page
    open_only = client.get("/staff/milestones?reached=no").get_data(as_text=True)
    assert "Fika på fredag" not in open_only and "Chefen cyklar" in open_only
    assert client.get("/staff/milestones?reached=kanske").status_code == 400
    assert client.get("/staff/milestones?campaign=999999").status_code == 404


def test_reached_since_lists_what_was_reached_after_a_moment(world, login):
    before = utcnow() - timedelta(seconds=1)
    _add(login(world.captain), world.team, "100", "Fika")
    assert queries.reached_since(before) == []
    factories.make_collection(world.team, amount_ore=150_00, logged_by=world.member)
    factories.commit()
    reached = queries.reached_since(before)
    assert [(r.promise, r.team_name, r.company_name) for r in reached] == [
        ("Fika", "Fikagänget", "Kopparlunden AB")]
    assert queries.reached_since(reached[0].reached_at) == []


def test_the_challenge_page_shows_the_workplaces_promises(world, login):
    from tests import challenge_helpers

    _add(login(world.captain), world.team, "100", "Fika i parken")
    neighbour = challenge_helpers.workplace(name="Grannhuset AB")
    challenge = challenge_helpers.running(world.company, world.admin, [neighbour])
    factories.commit()
    page = login(world.captain).get(f"/challenges/{challenge.id}").get_data(as_text=True)
    assert "Fika i parken" in page


def test_milestones_are_measured_in_the_running_campaign(world, login, app):
    from lokalamal_app import campaigns
    from lokalamal_app.models import Campaign

    factories.make_collection(world.team, amount_ore=5_000_00, logged_by=world.member,
                              collected_on=clock.today() - timedelta(days=40))
    db.session.add(Campaign(name="Vårkampanjen", starts_on=clock.today() - timedelta(days=5),
                            ends_on=None))
    campaigns.changed(db.session)
    factories.commit()
    _add(login(world.captain), world.team, "1000", "Tårta")
    # Money from before the campaign does not count towards a campaign's promise.
    assert _milestones(world.team)[0].reached_at is None
    page = login(world.captain).get(f"/teams/{world.team.slug}").get_data(as_text=True)
    assert "under Vårkampanjen" in page
    factories.make_collection(world.team, amount_ore=1_000_00, logged_by=world.member)
    factories.commit()
    assert _milestones(world.team)[0].reached_at is not None
