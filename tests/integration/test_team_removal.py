"""A captain taking someone out of the team: asked first, the person told, undone for a day."""

from datetime import timedelta

from lokalamal_app.extensions import db
from lokalamal_app.models import Notification, TeamMember
from lokalamal_app.models.base import utcnow
from lokalamal_app.teams import services
from tests import factories


def _world():
    company = factories.make_company(name="Borttagning AB")
    captain = factories.make_user(display_name="Kim Kapten")
    mate = factories.make_user(display_name="Mo Medlem")
    team = factories.make_team(company, captain=captain, name="Borttagslaget")
    factories.join_team(team, mate)
    factories.commit()
    return company, captain, mate, team


def _in_team(team, user) -> bool:
    return db.session.execute(db.select(TeamMember.id).where(
        TeamMember.team_id == team.id, TeamMember.user_id == user.id)).first() is not None


def test_removing_asks_first_tells_the_member_and_can_be_undone(app_ctx, login):
    _company, captain, mate, team = _world()
    client = login(captain)

    ask = client.get(f"/teams/{team.id}/members/{mate.id}/remove")
    assert ask.status_code == 200
    assert "Ta bort Mo Medlem ur Borttagslaget?" in ask.get_data(as_text=True)
    assert _in_team(team, mate)  # asking changes nothing

    assert client.post(f"/teams/{team.id}/members/{mate.id}/remove").status_code == 302
    assert not _in_team(team, mate)
    told = db.session.execute(db.select(Notification.text).where(
        Notification.user_id == mate.id)).scalars().all()
    assert any("Kim Kapten tog bort dig ur laget Borttagslaget" in t for t in told)
    page = client.get(f"/teams/{team.slug}").get_data(as_text=True)
    assert "Borttagna det senaste dygnet" in page and "Ångra" in page

    assert client.post(f"/teams/{team.id}/members/{mate.id}/restore").status_code == 302
    assert _in_team(team, mate)
    # Undone once: there is nothing left to undo.
    assert client.post(f"/teams/{team.id}/members/{mate.id}/restore").status_code == 409


def test_a_removal_cannot_be_undone_after_a_day_or_once_they_joined_another_team(
        app_ctx, login):
    company, captain, mate, team = _world()
    client = login(captain)
    client.post(f"/teams/{team.id}/members/{mate.id}/remove")

    assert services.recent_removals(team, now=utcnow() + timedelta(hours=25)) == []
    other = factories.make_team(company, name="Andra laget")
    factories.join_team(other, mate)
    factories.commit()
    assert client.post(f"/teams/{team.id}/members/{mate.id}/restore").status_code == 409
    assert not _in_team(team, mate)


def test_only_the_captain_or_an_admin_may_undo(app_ctx, login):
    _company, captain, mate, team = _world()
    bystander = factories.make_user()
    factories.join_team(team, bystander)
    factories.commit()
    login(captain).post(f"/teams/{team.id}/members/{mate.id}/remove")

    assert login(bystander).post(
        f"/teams/{team.id}/members/{mate.id}/restore").status_code == 403
    assert not _in_team(team, mate)
