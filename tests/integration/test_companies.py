"""Workplaces: create, page, edit, join by link or by asking, roles, leaving."""

import pytest

from lokalamal_app.extensions import db
from lokalamal_app.models import Company, JoinRequest, Membership, Notification, TeamMember
from tests import factories

VALID = {"name": "Kopparlunden Teknik AB", "org_number": "556036-0793",
         "street": "Kopparbergsvägen 17", "postcode": "722 13", "city": "Västerås",
         "headcount": "48"}


def companies():
    return db.session.execute(db.select(Company)).scalars().all()


def test_creating_a_workplace_makes_the_creator_its_admin(login, app_ctx):
    user = factories.make_user()
    factories.commit()
    response = login(user).post("/companies/new", data=VALID)
    assert response.status_code == 302
    company = db.session.execute(db.select(Company)).scalar_one()
    assert response.headers["Location"] == f"/companies/{company.slug}"
    assert (company.name, company.org_number, company.postcode, company.headcount) == (
        "Kopparlunden Teknik AB", "5560360793", "72213", 48)
    role = db.session.execute(db.select(Membership.role).where(
        Membership.company_id == company.id, Membership.user_id == user.id)).scalar_one()
    assert role == "admin"


def test_org_number_is_shown_with_a_dash(login, client, app_ctx):
    user = factories.make_user()
    factories.commit()
    login(user).post("/companies/new", data=VALID)
    html = client.get("/companies/kopparlunden-teknik-ab").get_data(as_text=True)
    assert "556036-0793" in html


BAD = [
    ({"name": ""}, "Skriv arbetsplatsens namn"),
    ({"name": "   "}, "Skriv arbetsplatsens namn"),
    ({"name": "x" * 121}, "högst 120 tecken"),
    ({"org_number": "556036-0794"}, "kontrollsiffran är fel"),
    ({"org_number": "12345"}, "tio siffror"),
    ({"postcode": "7221"}, "fem siffror"),
    ({"postcode": "72213a"}, "fem siffror"),
    ({"headcount": "0"}, "mellan 1 och 1 000 000"),
    ({"headcount": "-3"}, "mellan 1 och 1 000 000"),
    ({"headcount": "1000001"}, "mellan 1 och 1 000 000"),
    ({"headcount": "många"}, "som ett heltal"),
    ({"headcount": ""}, "hur många som jobbar"),
]


@pytest.mark.parametrize(("change", "message"), BAD)
def test_bad_workplace_input_is_refused_at_the_field_and_nothing_is_saved(
    login, app_ctx, change, message
):
    user = factories.make_user()
    factories.commit()
    data = {**VALID, **change}
    response = login(user).post("/companies/new", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html
    assert 'value="Kopparbergsvägen 17"' in html  # what they typed is kept
    assert companies() == []
    assert db.session.execute(db.select(Membership)).scalars().all() == []


def test_an_existing_name_in_other_case_and_spacing_offers_to_ask_to_join(login, app_ctx):
    factories.make_company(name="Kopparlunden Teknik AB")
    user = factories.make_user()
    factories.commit()
    response = login(user).post("/companies/new", data={**VALID, "name": "  kopparlunden   TEKNIK ab"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Det finns redan en arbetsplats med det namnet" in html
    assert "Be om att få gå med i Kopparlunden Teknik AB" in html
    assert len(companies()) == 1


def test_company_page_shows_teams_totals_per_employee_and_goals(client, app_ctx):
    company = factories.make_company(name="Aros Logistik AB", headcount=4)
    first = factories.make_team(company, name="Truckförarna", goal_number=1)
    second = factories.make_team(company, name="Nattskiftet", goal_number=2)
    factories.make_collection(first, amount_ore=1_000_00)
    factories.make_collection(second, amount_ore=3_000_00)
    factories.commit()
    response = client.get("/companies/aros-logistik-ab")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.index("Nattskiftet") < html.index("Truckförarna")  # most raised first
    assert "4\u00a0000\u00a0kr" in html  # company total
    assert "1\u00a0000\u00a0kr" in html  # per employee: 4 000 kr / 4
    assert "Ingen hemlöshet" in html and "Alla är trygga" in html
    assert "Ingen ensamhet" not in html.split("Målen vi samlar till")[1].split("</section>")[0]


def test_unknown_company_is_a_friendly_404(client):
    response = client.get("/companies/finns-inte")
    assert response.status_code == 404
    assert "Sidan finns inte" in response.get_data(as_text=True)


def test_admin_edits_the_headcount(login, app_ctx):
    admin = factories.make_user()
    company = factories.make_company(admin=admin, name="Lundby Design AB")
    factories.commit()
    client = login(admin)
    assert client.get("/companies/lundby-design-ab/edit").status_code == 200
    data = {**VALID, "name": "Lundby Design AB", "headcount": "12"}
    assert client.post("/companies/lundby-design-ab/edit", data=data).status_code == 302
    db.session.refresh(company)
    assert company.headcount == 12
    bad = client.post("/companies/lundby-design-ab/edit", data={**data, "headcount": "0"})
    assert bad.status_code == 422
    db.session.refresh(company)
    assert company.headcount == 12


def test_joining_by_invite_link(login, client, app_ctx):
    company = factories.make_company(name="Stenby Vård AB")
    user = factories.make_user()
    factories.commit()
    page = client.get(f"/join/{company.join_code}")
    assert page.status_code == 200
    assert "Gå med i Stenby Vård AB" in page.get_data(as_text=True)
    visitor_post = client.post(f"/join/{company.join_code}")
    assert visitor_post.status_code == 302 and "/login" in visitor_post.headers["Location"]
    me = login(user)
    response = me.post(f"/join/{company.join_code}")
    assert response.status_code == 302
    assert response.headers["Location"] == "/companies/stenby-vard-ab"
    assert db.session.execute(db.select(Membership.role).where(
        Membership.user_id == user.id)).scalar_one() == "member"
    twice = me.post(f"/join/{company.join_code}")
    assert twice.status_code == 409
    assert "Du är redan med i Stenby Vård AB" in twice.get_data(as_text=True)
    assert len(db.session.execute(db.select(Membership)).scalars().all()) == 1


def test_renewed_invite_code_stops_working_at_once(login, client, app_ctx):
    admin = factories.make_user()
    company = factories.make_company(admin=admin, name="Mälarhamnen AB")
    factories.commit()
    old = company.join_code
    assert login(admin).post("/companies/malarhamnen-ab/invite/renew").status_code == 302
    db.session.refresh(company)
    assert company.join_code != old
    response = client.get(f"/join/{old}")
    assert response.status_code == 404
    assert "Länken fungerar inte" in response.get_data(as_text=True)
    late = factories.make_user()
    factories.commit()
    assert login(late).post(f"/join/{old}").status_code == 404
    assert client.get(f"/join/{company.join_code}").status_code == 200


def test_unknown_invite_code_is_a_friendly_404(client):
    response = client.get("/join/inte-en-kod")
    assert response.status_code == 404
    assert "Länken fungerar inte" in response.get_data(as_text=True)


def test_asking_to_join_then_approval_tells_the_asker(login, app_ctx):
    admin = factories.make_user()
    company = factories.make_company(admin=admin, name="Sjöhagens Bygg AB")
    asker = factories.make_user(display_name="Leila K.")
    factories.commit()
    me = login(asker)
    assert me.post("/companies/sjohagens-bygg-ab/ask", data={"message": "Jag jobbar på lagret"}).status_code == 302
    again = me.post("/companies/sjohagens-bygg-ab/ask", data={})
    assert again.status_code == 409
    assert "redan bett" in again.get_data(as_text=True)
    join_request = db.session.execute(db.select(JoinRequest)).scalar_one()
    admin_client = login(admin)
    members_page = admin_client.get("/companies/sjohagens-bygg-ab/members").get_data(as_text=True)
    assert "Leila K." in members_page and "Jag jobbar på lagret" in members_page
    response = admin_client.post(f"/companies/sjohagens-bygg-ab/requests/{join_request.id}",
                                 data={"decision": "approve"})
    assert response.status_code == 302
    db.session.refresh(join_request)
    assert join_request.status == "approved"
    assert db.session.execute(db.select(Membership.role).where(
        Membership.user_id == asker.id, Membership.company_id == company.id)).scalar_one() == "member"
    note = db.session.execute(
        db.select(Notification).where(Notification.user_id == asker.id)).scalar_one()
    assert "Du är nu med i Sjöhagens Bygg AB" in note.text
    account = me.get("/account").get_data(as_text=True)
    assert "Du är nu med i Sjöhagens Bygg AB" in account
    twice = admin_client.post(f"/companies/sjohagens-bygg-ab/requests/{join_request.id}",
                              data={"decision": "decline"})
    assert twice.status_code == 409


def test_declined_request_tells_the_asker_and_lets_nobody_in(login, app_ctx):
    admin = factories.make_user()
    company = factories.make_company(admin=admin, name="Aros AB")
    asker = factories.make_user()
    factories.commit()
    login(asker).post("/companies/aros-ab/ask")
    join_request = db.session.execute(db.select(JoinRequest)).scalar_one()
    response = login(admin).post(f"/companies/aros-ab/requests/{join_request.id}",
                                 data={"decision": "decline"})
    assert response.status_code == 302
    assert db.session.execute(db.select(Membership).where(
        Membership.user_id == asker.id, Membership.company_id == company.id)).first() is None
    note = db.session.execute(
        db.select(Notification.text).where(Notification.user_id == asker.id)).scalar_one()
    assert "inte godkänd" in note


def test_a_request_of_another_workplace_is_not_found_through_mine(login, app_ctx):
    admin = factories.make_user()
    factories.make_company(admin=admin, name="Mitt AB")
    other = factories.make_company(name="Annat AB")
    asker = factories.make_user()
    factories.commit()
    login(asker).post("/companies/annat-ab/ask")
    join_request = db.session.execute(db.select(JoinRequest)).scalar_one()
    response = login(admin).post(f"/companies/mitt-ab/requests/{join_request.id}",
                                 data={"decision": "approve"})
    assert response.status_code == 404
    db.session.refresh(join_request)
    assert join_request.status == "pending"
    assert db.session.execute(db.select(Membership).where(
        Membership.company_id == other.id)).first() is None


def test_admins_promote_and_demote_but_never_the_last_admin(login, app_ctx):
    admin = factories.make_user()
    colleague = factories.make_user()
    company = factories.make_company(admin=admin, name="Roller AB")
    factories.add_member(company, colleague)
    factories.commit()
    client = login(admin)
    alone = client.post(f"/companies/roller-ab/members/{admin.id}/role", data={"role": "member"})
    assert alone.status_code == 409
    assert "minst en administratör" in alone.get_data(as_text=True)
    leave = client.post("/companies/roller-ab/leave")
    assert leave.status_code == 409
    assert "sista administratören" in leave.get_data(as_text=True)
    assert client.post(f"/companies/roller-ab/members/{colleague.id}/role",
                       data={"role": "admin"}).status_code == 302
    assert client.post(f"/companies/roller-ab/members/{admin.id}/role",
                       data={"role": "member"}).status_code == 302
    roles = dict(db.session.execute(db.select(Membership.user_id, Membership.role)).all())
    assert roles == {admin.id: "member", colleague.id: "admin"}
    bad = login(colleague).post(f"/companies/roller-ab/members/{admin.id}/role",
                                data={"role": "kung"})
    assert bad.status_code == 422


def test_removed_member_leaves_team_but_their_money_stays(login, app_ctx):
    admin = factories.make_user()
    company = factories.make_company(admin=admin, name="Ut AB")
    member = factories.make_user()
    team = factories.make_team(company, captain=admin)
    factories.join_team(team, member)
    factories.make_collection(team, amount_ore=700_00, logged_by=member)
    factories.commit()
    response = login(admin).post(f"/companies/ut-ab/members/{member.id}/remove")
    assert response.status_code == 302
    assert db.session.execute(db.select(Membership).where(
        Membership.user_id == member.id)).first() is None
    assert db.session.execute(db.select(TeamMember).where(
        TeamMember.user_id == member.id)).first() is None
    from lokalamal_app.ledger import totals

    assert totals.figures("team", team.id).reported_ore == 700_00


def test_changing_a_user_id_to_someone_elsewhere_finds_nobody(login, app_ctx):
    admin = factories.make_user()
    factories.make_company(admin=admin, name="Här AB")
    stranger = factories.make_user()
    elsewhere = factories.make_company(admin=stranger, name="Där AB")
    factories.commit()
    client = login(admin)
    assert client.post(f"/companies/har-ab/members/{stranger.id}/remove").status_code == 404
    assert client.post(f"/companies/har-ab/members/{stranger.id}/role",
                       data={"role": "member"}).status_code == 404
    assert db.session.execute(db.select(Membership.role).where(
        Membership.user_id == stranger.id, Membership.company_id == elsewhere.id)).scalar_one() == "admin"


def test_poster_png_for_members(login, app_ctx):
    admin = factories.make_user()
    factories.make_company(admin=admin, name="Affisch AB")
    factories.commit()
    response = login(admin).get("/companies/affisch-ab/invite.png")
    assert response.status_code == 200
    assert response.mimetype == "image/png"
    assert response.data[:8] == b"\x89PNG\r\n\x1a\n"


def test_company_page_query_count_does_not_grow_with_teams(client, app_ctx, count_queries):
    company = factories.make_company(name="Räkna AB")
    factories.make_collection(factories.make_team(company, captain=factories.make_user()))
    factories.commit()
    with count_queries() as few:
        client.get("/companies/rakna-ab")
    for number in (1, 2, 4, 5):
        team = factories.make_team(company, captain=factories.make_user(), goal_number=number)
        factories.make_collection(team)
    factories.commit()
    with count_queries() as many:
        assert client.get("/companies/rakna-ab").status_code == 200
    assert many.count == few.count


@pytest.mark.parametrize("typed", ["malarhamnen", "Mälarhamnen", "MALARHAMNENS redovisning",
                                   "malarhämnen", "Ö"])
def test_finding_a_workplace_ignores_accents(client, app_ctx, typed):
    factories.make_company(name="Mälarhamnens Redovisning Öst AB")
    factories.make_company(name="Lundby Design AB")
    factories.commit()
    html = client.get("/companies", query_string={"q": typed}).get_data(as_text=True)
    assert "Mälarhamnens Redovisning Öst AB" in html
    assert "Lundby Design AB" not in html


def test_a_renamed_workplace_is_found_by_its_new_name_without_accents(client, app_ctx):
    company = factories.make_company(name="Gamla Namnet AB")
    factories.commit()
    company.name = "Sjöhagens Bygg AB"
    factories.commit()
    assert "Sjöhagens Bygg AB" in client.get("/companies?q=sjohagens").get_data(as_text=True)
    assert "Sjöhagens" not in client.get("/companies?q=gamla").get_data(as_text=True)


def test_finding_a_workplace_by_name_ignores_case_and_spacing(client, app_ctx):
    factories.make_company(name="Kopparlunden Teknik AB")
    factories.make_company(name="Lundby Design AB")
    factories.make_company(name="100% Rabatt_AB")
    factories.commit()
    html = client.get("/companies?q=  KOPPARLUNDEN   teknik").get_data(as_text=True)
    assert 'href="/companies/kopparlunden-teknik-ab#ga-med"' in html
    assert "Lundby Design AB" not in html
    assert "100% Rabatt_AB" in client.get("/companies?q=100%25").get_data(as_text=True)
    assert "Kopparlunden" not in client.get("/companies?q=%25").get_data(as_text=True)
    nothing = client.get("/companies?q=finns+inte")
    assert nothing.status_code == 200
    assert "Vi hittar ingen arbetsplats" in nothing.get_data(as_text=True)


def test_the_search_key_migration_fills_existing_workplaces_and_downgrades(app, make_app):
    import os
    import tempfile

    from flask_migrate import downgrade, upgrade
    from sqlalchemy import inspect, text

    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("the migration's own SQL is dialect-free; one scratch database suffices")
    path = os.path.join(tempfile.mkdtemp(prefix="lokalamal-migration-"), "db.sqlite")
    scratch = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}")
    with scratch.app_context():
        upgrade(revision="0016_orgnr_review")
        with db.engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO company (name, name_key, slug, street, postcode, city, headcount, "
                "join_code, orgnr_status, created_at) VALUES ('Mälarhamnen  AB', "
                "'mälarhamnen ab', 'malarhamnen-ab', '', '', 'Västerås', 1, 'kod', '', "
                "CURRENT_TIMESTAMP)"))
        upgrade(revision="0020_phone")
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT search_key FROM company")).scalar_one() == \
                "malarhamnen ab"
        downgrade(revision="0016_orgnr_review")
        assert "search_key" not in {c["name"] for c in inspect(db.engine).get_columns("company")}
        db.session.remove()
