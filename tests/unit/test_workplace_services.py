"""Rules of workplaces and teams, without HTTP."""

import pytest

from lokalamal_app.companies import services as companies
from lokalamal_app.companies.services import CompanyError
from lokalamal_app.extensions import db
from lokalamal_app.models import AuditEvent, Membership, TeamMember
from lokalamal_app.teams import services as teams
from lokalamal_app.teams.services import TeamError
from tests import factories


def test_removing_the_captain_from_the_workplace_passes_captaincy_on(app_ctx):
    admin = factories.make_user()
    company = factories.make_company(admin=admin)
    captain = factories.make_user()
    first_mate = factories.make_user()
    team = factories.make_team(company, captain=captain)
    factories.join_team(team, first_mate)
    factories.join_team(team, factories.make_user())
    companies.remove_member(company, captain, admin)
    assert team.captain_id == first_mate.id
    actions = db.session.execute(db.select(AuditEvent.action)).scalars().all()
    assert "company.remove" in actions and "team.remove" in actions


def test_last_one_out_leaves_a_team_without_captain(app_ctx):
    captain = factories.make_user()
    team = factories.make_team(factories.make_company(), captain=captain)
    teams.leave_team(team, captain, actor=captain)
    assert team.captain_id is None
    assert db.session.execute(db.select(TeamMember)).first() is None


def test_a_captain_with_teammates_cannot_start_another_team(app_ctx):
    company = factories.make_company()
    captain = factories.make_user()
    team = factories.make_team(company, captain=captain)
    factories.join_team(team, factories.make_user())
    with pytest.raises(TeamError, match="Lämna över kaptensrollen"):
        teams.create_team(company, {"name": "Nytt", "goal_id": factories.goal(1).id}, captain)


def test_a_team_name_is_taken_regardless_of_case_and_spacing(app_ctx):
    company = factories.make_company()
    factories.make_team(company, name="Lunch Löparna")
    assert teams.name_taken(company, "  lunch   LÖPARNA ")
    assert not teams.name_taken(factories.make_company(), "Lunch Löparna")


def test_team_references_are_short_and_unique(app_ctx):
    company = factories.make_company()
    user = factories.make_user()
    factories.add_member(company, user)
    made = []
    for n in range(5):
        other = factories.make_user()
        factories.add_member(company, other)
        made.append(teams.create_team(company, {"name": f"Lag {n}", "goal_id": factories.goal(2).id},
                                      other).reference)
    assert len(set(made)) == 5
    assert all(len(ref) == 7 and ref.startswith("LM") for ref in made)


def test_a_join_request_is_answered_once(app_ctx):
    admin = factories.make_user()
    company = factories.make_company(admin=admin)
    asker = factories.make_user()
    request = companies.request_to_join(company, asker)
    companies.decide_join_request(request, False, admin)
    with pytest.raises(CompanyError, match="redan besvarad"):
        companies.decide_join_request(request, True, admin)
    assert db.session.execute(db.select(Membership).where(
        Membership.user_id == asker.id)).first() is None


def test_joining_by_link_closes_an_open_request(app_ctx):
    admin = factories.make_user()
    company = factories.make_company(admin=admin)
    asker = factories.make_user()
    request = companies.request_to_join(company, asker)
    companies.join_company(company, asker)
    db.session.refresh(request)
    assert request.status == "approved"
