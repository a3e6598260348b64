"""Mina sidor: workplaces, teams, roles, what I logged, privacy and notifications."""

from lokalamal_app.extensions import db
from lokalamal_app.models import Notification
from lokalamal_app.notifications import notify
from tests import factories


def test_my_page_lists_workplaces_roles_teams_and_what_i_logged(login, app_ctx):
    me = factories.make_user(display_name="Erik Nilsson")
    mine = factories.make_company(admin=me, name="Kopparlunden Teknik AB")
    team = factories.make_team(mine, captain=me, name="Fikagänget")
    factories.add_member(factories.make_company(name="Lundby Design AB"), me)
    factories.make_collection(team, amount_ore=1_250_50, logged_by=me, method="swish")
    factories.make_collection(team, amount_ore=999_00)  # someone else's
    factories.commit()
    html = login(me).get("/account").get_data(as_text=True)
    assert "Kopparlunden Teknik AB" in html and "Lundby Design AB" in html
    assert "administratör" in html and "medlem" in html and "lagkapten" in html
    assert "Fikagänget" in html
    assert "1\u00a0250,50\u00a0kr" in html and "Swish" in html
    assert "999\u00a0kr" not in html


def test_choosing_to_show_my_name_shows_it_to_visitors_and_unchoosing_hides_it(
        login, client, app_ctx):
    me = factories.make_user(display_name="Sanna Persson")
    team = factories.make_team(factories.make_company(), captain=me)
    factories.commit()
    page = client.get(f"/teams/{team.id}").get_data(as_text=True)
    assert "Sanna Persson" not in page and "En medarbetare" in page
    mine = login(me)
    assert "Visa mitt namn för alla" in mine.get("/account").get_data(as_text=True)
    assert mine.post("/account/privacy", data={"show_name": "y"}).status_code == 302
    db.session.refresh(me)
    assert me.show_name is True
    assert "Sanna Persson" in client.get(f"/teams/{team.id}").get_data(as_text=True)
    assert mine.post("/account/privacy", data={}).status_code == 302
    db.session.refresh(me)
    assert me.show_name is False
    assert "Sanna Persson" not in client.get(f"/teams/{team.id}").get_data(as_text=True)


def test_unread_notifications_show_until_marked_read(login, app_ctx):
    me = factories.make_user()
    notify(me, "Din förfrågan blev godkänd.", "/companies/x")
    factories.commit()
    client = login(me)
    assert "Din förfrågan blev godkänd." in client.get("/account").get_data(as_text=True)
    assert client.post("/account/notifications/read").status_code == 302
    assert "Din förfrågan blev godkänd." not in client.get("/account").get_data(as_text=True)
    assert db.session.execute(db.select(Notification.read_at)).scalar_one() is not None


def test_nav_links_to_my_page_and_home_offers_workplace_links(login, client, app_ctx):
    me = factories.make_user()
    factories.commit()
    html = login(me).get("/").get_data(as_text=True)
    assert 'href="/account">Min sida<' in html
    assert 'href="/companies/new"' in html
    assert 'href="/companies/new"' in client.get("/").get_data(as_text=True)
