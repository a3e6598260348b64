"""One organisation number, one workplace: a claim on a taken number goes to staff review;
staff reject the claim or merge the duplicate; staff mark a workplace checked."""

import threading

import pytest

from lokalamal_app.extensions import db
from lokalamal_app.ledger import check, totals
from lokalamal_app.models import (
    AuditEvent,
    Challenge,
    Company,
    LedgerEntry,
    Membership,
    Notification,
    Team,
    TeamMember,
)
from lokalamal_app.orgnr import luhn_check_digit
from tests import challenge_helpers, factories
from tests.races import statuses_at_once

NUMBER = "5560360793"
FIRST = {"name": "Kopparlunden Teknik AB", "org_number": "556036-0793", "street": "",
         "postcode": "", "city": "Västerås", "headcount": "48"}


def _by_name(name: str) -> Company:
    return db.session.execute(db.select(Company).where(Company.name == name)).scalar_one()


def _register_first(login):
    admin = factories.make_user()
    factories.commit()
    assert login(admin).post("/companies/new", data=FIRST).status_code == 302
    return admin, _by_name(FIRST["name"])


@pytest.mark.parametrize("typed", ["556036-0793", "5560360793", "16556036-0793", "165560360793"])
def test_a_second_workplace_with_a_taken_number_goes_to_review_and_the_first_admins_are_told(
    login, app_ctx, typed
):
    admin, first = _register_first(login)
    other = factories.make_user()
    factories.commit()
    response = login(other).post("/companies/new", data={**FIRST, "name": "Kopparlunden Två",
                                                         "org_number": typed})
    assert response.status_code == 302
    db.session.expire_all()
    second = _by_name("Kopparlunden Två")
    assert (second.org_number, second.claimed_org_number, second.orgnr_status) == (
        None, NUMBER, "review")
    assert first.org_number == NUMBER
    told = db.session.execute(db.select(Notification).where(
        Notification.user_id == admin.id)).scalars().all()
    assert any("Kopparlunden Två" in n.text for n in told)


def test_the_twelve_digit_form_is_stored_as_ten_digits(login, app_ctx):
    user = factories.make_user()
    factories.commit()
    login(user).post("/companies/new", data={**FIRST, "org_number": "16556036-0793"})
    assert _by_name(FIRST["name"]).org_number == NUMBER


def test_editing_to_a_taken_number_is_refused_at_the_field(login, app_ctx):
    _register_first(login)
    admin = factories.make_user()
    company = factories.make_company(admin=admin, name="Annat AB", slug="annat-ab")
    factories.commit()
    response = login(admin).post("/companies/annat-ab/edit", data={
        **FIRST, "name": "Annat AB", "org_number": "16 5560360793"})
    assert response.status_code == 422
    assert "tillhör redan en annan arbetsplats" in response.get_data(as_text=True)
    db.session.expire_all()
    assert company.org_number is None


def test_a_workplace_in_review_can_still_edit_its_details(login, app_ctx):
    _register_first(login)
    claimant = factories.make_user()
    factories.commit()
    client = login(claimant)
    client.post("/companies/new", data={**FIRST, "name": "Kopparlunden Två"})
    second = _by_name("Kopparlunden Två")
    form = client.get(f"/companies/{second.slug}/edit").get_data(as_text=True)
    assert 'value="556036-0793"' in form
    response = client.post(f"/companies/{second.slug}/edit", data={
        **FIRST, "name": "Kopparlunden Två", "headcount": "12"})
    assert response.status_code == 302
    db.session.expire_all()
    assert (second.headcount, second.claimed_org_number, second.orgnr_status) == (
        12, NUMBER, "review")


def test_staff_reject_the_claim_and_the_workplace_goes_on_without_the_number(login, app_ctx):
    _register_first(login)
    claimant = factories.make_user()
    staff = factories.make_user(is_staff=True)
    factories.commit()
    login(claimant).post("/companies/new", data={**FIRST, "name": "Kopparlunden Två"})
    second = _by_name("Kopparlunden Två")
    page = login(staff).get("/staff/workplaces").get_data(as_text=True)
    assert "Kopparlunden Två" in page
    response = login(staff).post(f"/staff/workplaces/{second.slug}/reject-claim")
    assert response.status_code == 302
    db.session.expire_all()
    assert (second.org_number, second.claimed_org_number, second.orgnr_status) == (
        None, None, "rejected")
    again = login(staff).post(f"/staff/workplaces/{second.slug}/reject-claim")
    assert again.status_code == 409


def test_staff_merge_a_duplicate_with_teams_members_and_entries(login, app_ctx, runner):
    _register_first(login)
    target = _by_name(FIRST["name"])
    target_admin = db.session.execute(db.select(Membership).where(
        Membership.company_id == target.id)).scalar_one().user
    target_team = factories.make_team(target, captain=target_admin, name="Lag A")
    factories.make_collection(target_team, amount_ore=100_00, logged_by=target_admin)
    dup_admin = factories.make_user()
    both = factories.make_user()
    factories.add_member(target, both, role="member")
    duplicate = factories.make_company(admin=dup_admin, name="Kopparlunden Dubblett",
                                       slug="kopparlunden-dubblett",
                                       claimed_org_number=NUMBER, orgnr_status="review")
    factories.add_member(duplicate, both, role="admin")
    dup_team = factories.make_team(duplicate, captain=dup_admin, name="Lag B")
    factories.join_team(dup_team, both)
    factories.make_collection(dup_team, amount_ore=250_00, logged_by=dup_admin)
    gift = factories.make_collection(dup_team, amount_ore=50_00, logged_by=both)
    staff = factories.make_user(is_staff=True)
    factories.commit()
    dup_id, team_id, gift_id = duplicate.id, dup_team.id, gift.id

    refused = login(staff).post("/staff/workplaces/kopparlunden-dubblett",
                                data={"target": target.slug})
    assert refused.status_code == 422
    assert "Bekräfta att det är samma arbetsplats" in refused.get_data(as_text=True)

    response = login(staff).post("/staff/workplaces/kopparlunden-dubblett",
                                 data={"target": "16556036-0793", "confirm": "y"})
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Company, dup_id) is None
    assert db.session.get(Team, team_id).company_id == target.id
    assert db.session.get(LedgerEntry, gift_id).company_id == target.id
    roles = dict(db.session.execute(db.select(Membership.user_id, Membership.role).where(
        Membership.company_id == target.id)).all())
    assert roles == {target_admin.id: "admin", dup_admin.id: "admin", both.id: "admin"}
    assert db.session.execute(db.select(TeamMember.company_id).where(
        TeamMember.user_id == both.id)).scalar_one() == target.id
    assert totals.figures("company", target.id).reported_ore == 400_00
    assert check.all_differences() == []
    result = runner.invoke(args=["ledger-check"])
    assert result.exit_code == 0, result.output
    moved = db.session.execute(db.select(AuditEvent).where(
        AuditEvent.action == "ledger.merge_move")).scalars().all()
    assert [(e.subject_id, f'"company_id": {dup_id}' in e.before) for e in moved] == [
        (team_id, True)]
    assert db.session.execute(db.select(AuditEvent).where(
        AuditEvent.action == "company.merge")).scalar_one().subject_id == target.id
    html = login(staff).get(f"/companies/{target.slug}").get_data(as_text=True)
    assert "400 kr" in html.replace("\u00a0", " ")


def test_a_merge_with_a_clashing_team_name_is_refused_with_a_message(login, app_ctx):
    admin = factories.make_user()
    one = factories.make_company(admin=admin, name="Ett AB", slug="ett-ab")
    two = factories.make_company(admin=admin, name="Två AB", slug="tva-ab")
    factories.make_team(one, name="Kaffelaget")
    factories.make_team(two, name="Kaffelaget")
    staff = factories.make_user(is_staff=True)
    factories.commit()
    response = login(staff).post("/staff/workplaces/tva-ab",
                                 data={"target": "ett-ab", "confirm": "y"})
    assert response.status_code == 422
    assert "Kaffelaget" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Company, two.id) is not None


def test_marking_a_workplace_checked_shows_on_its_page(login, client, app_ctx):
    admin = factories.make_user()
    company = factories.make_company(admin=admin, name="Ett AB", slug="ett-ab")
    staff = factories.make_user(is_staff=True)
    factories.commit()
    assert "Kontrollerad av stadsmissionen" not in client.get("/companies/ett-ab").get_data(
        as_text=True)
    response = login(staff).post("/staff/workplaces/ett-ab/checked", data={"checked": "1"})
    assert response.status_code == 302
    assert "Kontrollerad av stadsmissionen" in client.get("/companies/ett-ab").get_data(
        as_text=True)
    db.session.expire_all()
    assert company.checked_by_id == staff.id


@pytest.mark.parametrize("path", ["/staff/workplaces/ett-ab", "/staff/workplaces/ett-ab/checked",
                                  "/staff/workplaces/ett-ab/reject-claim"])
def test_only_staff_merge_check_or_reject(login, app_ctx, path):
    admin = factories.make_user()
    factories.make_company(admin=admin, name="Ett AB", slug="ett-ab")
    factories.make_company(admin=admin, name="Två AB", slug="tva-ab")
    factories.commit()
    response = login(admin).post(path, data={"target": "tva-ab", "confirm": "y", "checked": "1"})
    assert response.status_code == 403
    assert db.session.execute(db.select(db.func.count(Company.id))).scalar_one() == 2


def _valid_number(n: int) -> str:
    stem = f"55{n:07d}"
    return stem + str(luhn_check_digit(stem))


def _register_twice_at_once(login, name: str, number: str) -> list:
    """Two people register "<name> 0" and "<name> 1" with one number, released together."""
    people = [factories.make_user(), factories.make_user()]
    factories.commit()
    clients = [login(person) for person in people]
    barrier = threading.Barrier(2)
    answers: list = [None, None]

    def run(side: int) -> None:
        barrier.wait()
        answers[side] = clients[side].post("/companies/new", data={
            **FIRST, "name": f"{name} {side}", "org_number": number}).status_code

    threads = [threading.Thread(target=run, args=(side,)) for side in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return answers


def test_two_registrations_with_one_number_at_once_end_with_one_holder(app, login, app_ctx):
    if db.session.get_bind().dialect.name != "postgresql":
        pytest.skip("SQLite runs one writer at a time; the race needs PostgreSQL")
    for round_ in range(8):
        number = _valid_number(round_ + 1)
        answers = _register_twice_at_once(login, f"Samtidigt {round_}", number)
        assert answers == [302, 302]
        db.session.rollback()
        rows = db.session.execute(
            db.select(Company.id, Company.org_number, Company.claimed_org_number,
                      Company.orgnr_status)
            .where(Company.name.like(f"Samtidigt {round_} %"))).all()
        outcomes = {(r.org_number, r.claimed_org_number, r.orgnr_status) for r in rows}
        assert outcomes == {(number, None, ""), (None, number, "review")}, outcomes
        created = db.session.execute(db.select(AuditEvent.subject_id).where(
            AuditEvent.action == "company.create",
            AuditEvent.subject_id.in_([r.id for r in rows]))).scalars().all()
        assert sorted(created) == sorted(r.id for r in rows)


def test_a_captain_in_teams_at_both_keeps_the_target_team_and_hands_over(login, app_ctx):
    target, target_admin = challenge_helpers.workplace(name="Ett AB", slug="ett-ab")
    duplicate, dup_admin = challenge_helpers.workplace(name="Två AB", slug="tva-ab")
    person = factories.make_user()
    factories.join_team(factories.make_team(target, name="Lag A"), person)
    dup_team = factories.make_team(duplicate, captain=person, name="Lag B")
    factories.join_team(dup_team, dup_admin)
    factories.make_collection(dup_team, amount_ore=70_00, logged_by=person)
    staff = factories.make_user(is_staff=True)
    factories.commit()
    response = login(staff).post("/staff/workplaces/tva-ab",
                                 data={"target": "ett-ab", "confirm": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    team = db.session.get(Team, dup_team.id)
    assert team.captain_id == dup_admin.id
    assert db.session.execute(db.select(Team.name).join(
        TeamMember, TeamMember.team_id == Team.id).where(
        TeamMember.user_id == person.id)).scalars().all() == ["Lag A"]
    assert totals.figures("team", team.id).reported_ore == 70_00
    assert check.all_differences() == []


def test_merging_the_holder_into_the_claimant_gives_the_claimant_the_number(login, app_ctx):
    holder, _admin = challenge_helpers.workplace(name="Ett AB", slug="ett-ab",
                                                 org_number=NUMBER)
    claimant, _other = challenge_helpers.workplace(name="Två AB", slug="tva-ab",
                                                   claimed_org_number=NUMBER,
                                                   orgnr_status="review")
    staff = factories.make_user(is_staff=True)
    factories.commit()
    response = login(staff).post("/staff/workplaces/ett-ab",
                                 data={"target": "tva-ab", "confirm": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    claimant = db.session.get(Company, claimant.id)
    assert (claimant.org_number, claimant.claimed_org_number, claimant.orgnr_status) == (
        NUMBER, None, "")


def test_a_challenge_between_the_two_refuses_the_merge(login, app_ctx):
    one, one_admin = challenge_helpers.workplace(name="Ett AB", slug="ett-ab")
    two, two_admin = challenge_helpers.workplace(name="Två AB", slug="tva-ab")
    challenge_helpers.running(one, one_admin, [(two, two_admin)])
    staff = factories.make_user(is_staff=True)
    factories.commit()
    response = login(staff).post("/staff/workplaces/tva-ab",
                                 data={"target": "ett-ab", "confirm": "y"})
    assert response.status_code == 422
    assert "Båda arbetsplatserna är med i utmaning" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Company, two.id) is not None


def test_a_running_challenge_moves_to_the_target_with_its_figures(login, app_ctx, runner):
    target, _t = challenge_helpers.workplace(name="Ett AB", slug="ett-ab")
    duplicate, dup_admin = challenge_helpers.workplace(name="Två AB", slug="tva-ab")
    neighbour, n_admin = challenge_helpers.workplace(name="Granne AB", slug="granne-ab")
    challenge = challenge_helpers.running(duplicate, dup_admin, [(neighbour, n_admin)])
    challenge_helpers.people_logging(duplicate, 2, amount_ore=30_00)
    staff = factories.make_user(is_staff=True)
    factories.commit()
    assert check.all_differences() == []
    response = login(staff).post("/staff/workplaces/tva-ab",
                                 data={"target": "ett-ab", "confirm": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Challenge, challenge.id).challenger_id == target.id
    assert sorted(p.company_id for p in db.session.get(Challenge, challenge.id).participants) \
        == sorted([target.id, neighbour.id])
    assert check.all_differences() == []
    assert runner.invoke(args=["ledger-check"]).exit_code == 0


def test_one_merge_sent_by_two_staff_at_once_is_made_and_told_once(login, app_ctx):
    """Two staff members merge the same duplicate at the same moment: one merge; the other
    is refused (409), or, coming after it, finds the duplicate gone (404). The target's
    admins are told once."""
    for round_number in range(3):
        target_admin, dup_admin = factories.make_user(), factories.make_user()
        target = factories.make_company(admin=target_admin, name=f"Målet {round_number} AB")
        duplicate = factories.make_company(admin=dup_admin, name=f"Dubbletten {round_number} AB")
        factories.make_collection(factories.make_team(duplicate, captain=dup_admin),
                                  amount_ore=120_00, logged_by=dup_admin)
        first, second = factories.make_user(is_staff=True), factories.make_user(is_staff=True)
        factories.commit()
        url, data = f"/staff/workplaces/{duplicate.slug}", {"target": target.slug, "confirm": "y"}
        answers = statuses_at_once((login(first), url, data), (login(second), url, data))
        assert answers.count(302) == 1 and set(answers) - {302} <= {404, 409}
        assert db.session.execute(db.select(db.func.count(AuditEvent.id)).where(
            AuditEvent.action == "company.merge",
            AuditEvent.subject_id == target.id)).scalar_one() == 1
        assert check.all_differences() == []
