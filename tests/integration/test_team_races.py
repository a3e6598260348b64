"""Two people changing who is in a team at the same moment: each change happens once, a
lost race is told with 409, and the team is never left with a captain outside it.

Each round the two requests are released together (tests/races.py); the tests run on both
databases, and only PostgreSQL shows a race.
"""

from lokalamal_app.extensions import db
from lokalamal_app.models import (
    AuditEvent,
    JoinRequest,
    Membership,
    Notification,
    Team,
    TeamMember,
)
from tests import factories
from tests.races import statuses_at_once

ROUNDS = 6


def _one_done(answers: list[int]) -> bool:
    """One request did it; the other lost the race (409) or, when it came in after the first
    was committed, was answered as anyone after it is: not in the team (404), no longer
    an admin (403)."""
    return answers.count(302) == 1 and set(answers) - {302} <= {403, 404, 409}


def _team_with_admin():
    """A workplace with an admin, a team with its captain and two teammates, committed."""
    admin = factories.make_user()
    company = factories.make_company(admin=admin)
    captain = factories.make_user()
    team = factories.make_team(company, captain=captain)
    first, second = factories.make_user(), factories.make_user()
    factories.join_team(team, first)
    factories.join_team(team, second)
    factories.commit()
    return admin, captain, first, second, team


def _count(model, *conditions) -> int:
    return db.session.execute(
        db.select(db.func.count(model.id)).where(*conditions)).scalar_one()


def _captain_is_in_the_team(team_id: int) -> bool:
    captain_id = db.session.get(Team, team_id, populate_existing=True).captain_id
    return captain_id is None or _count(
        TeamMember, TeamMember.team_id == team_id, TeamMember.user_id == captain_id) == 1


def test_one_member_removed_by_two_people_at_once_is_removed_and_told_once(app_ctx, login):
    for _ in range(ROUNDS):
        admin, captain, mate, _other, team = _team_with_admin()
        url = f"/teams/{team.id}/members/{mate.id}/remove"
        answers = statuses_at_once((login(captain), url), (login(admin), url))
        assert _one_done(answers)
        assert _count(TeamMember, TeamMember.team_id == team.id,
                      TeamMember.user_id == mate.id) == 0
        assert _count(AuditEvent, AuditEvent.action == "team.remove",
                      AuditEvent.subject_id == team.id) == 1
        assert _count(Notification, Notification.user_id == mate.id,
                      Notification.text.contains("tog bort dig")) == 1


def test_a_removal_undone_by_two_people_at_once_puts_the_member_back_once(app_ctx, login):
    for _ in range(ROUNDS):
        admin, captain, mate, _other, team = _team_with_admin()
        assert login(captain).post(
            f"/teams/{team.id}/members/{mate.id}/remove").status_code == 302
        url = f"/teams/{team.id}/members/{mate.id}/restore"
        answers = statuses_at_once((login(captain), url), (login(admin), url))
        assert _one_done(answers)
        assert _count(TeamMember, TeamMember.team_id == team.id,
                      TeamMember.user_id == mate.id) == 1
        assert _count(AuditEvent, AuditEvent.action == "team.restore",
                      AuditEvent.subject_id == team.id) == 1
        assert _count(Notification, Notification.user_id == mate.id,
                      Notification.text.contains("igen")) == 1


def test_captaincy_handed_to_someone_removed_at_that_moment_stays_in_the_team(app_ctx, login):
    """The captain hands over to a teammate while the admin removes that teammate: one of
    the two is refused, and the captain is always someone in the team."""
    for _ in range(ROUNDS):
        admin, captain, mate, _other, team = _team_with_admin()
        answers = statuses_at_once(
            (login(captain), f"/teams/{team.id}/captain", {"user_id": str(mate.id)}),
            (login(admin), f"/teams/{team.id}/members/{mate.id}/remove"))
        assert _captain_is_in_the_team(team.id)
        assert 500 not in answers


def test_a_captain_leaving_while_the_next_captain_is_removed_leaves_a_captain_in_the_team(
        app_ctx, login):
    """The captain is taken out by the admin (the longest-standing teammate takes over)
    while the captain removes that teammate: the team's captain is someone in it."""
    for _ in range(ROUNDS):
        admin, captain, mate, _other, team = _team_with_admin()
        answers = statuses_at_once(
            (login(admin), f"/companies/{team.company.slug}/members/{captain.id}/remove"),
            (login(captain), f"/teams/{team.id}/members/{mate.id}/remove"))
        assert _captain_is_in_the_team(team.id)
        assert 500 not in answers


def _two_admins():
    first, second = factories.make_user(), factories.make_user()
    company = factories.make_company(admin=first)
    factories.add_member(company, second, role="admin")
    factories.commit()
    return company, first, second


def _admins(company_id: int) -> int:
    return _count(Membership, Membership.company_id == company_id, Membership.role == "admin")


def test_two_admins_making_each_other_members_at_once_leave_one_admin(app_ctx, login):
    for _ in range(ROUNDS):
        company, first, second = _two_admins()
        base = f"/companies/{company.slug}/members"
        answers = statuses_at_once((login(first), f"{base}/{second.id}/role", {"role": "member"}),
                           (login(second), f"{base}/{first.id}/role", {"role": "member"}))
        assert _one_done(answers)
        assert _admins(company.id) == 1


def test_two_admins_removing_each_other_at_once_leave_one_admin(app_ctx, login):
    for _ in range(ROUNDS):
        company, first, second = _two_admins()
        base = f"/companies/{company.slug}/members"
        answers = statuses_at_once((login(first), f"{base}/{second.id}/remove"),
                           (login(second), f"{base}/{first.id}/remove"))
        assert _one_done(answers)
        assert _admins(company.id) == 1


def test_a_request_to_join_answered_by_two_admins_at_once_is_answered_once(app_ctx, login):
    for _ in range(ROUNDS):
        company, first, second = _two_admins()
        asker = factories.make_user()
        factories.commit()
        assert login(asker).post(f"/companies/{company.slug}/ask").status_code == 302
        asked = db.session.execute(db.select(JoinRequest).where(
            JoinRequest.user_id == asker.id)).scalar_one()
        url = f"/companies/{company.slug}/requests/{asked.id}"
        answers = statuses_at_once((login(first), url, {"decision": "approve"}),
                           (login(second), url, {"decision": "decline"}))
        assert _one_done(answers)
        decided = db.session.get(JoinRequest, asked.id, populate_existing=True).status
        member = _count(Membership, Membership.company_id == company.id,
                        Membership.user_id == asker.id)
        assert (decided, member) in (("approved", 1), ("declined", 0))
        assert _count(Notification, Notification.user_id == asker.id) == 1


def test_an_admin_made_a_member_at_that_moment_removes_nobody(app_ctx, login):
    """One admin makes the other a member while that other removes someone: when the
    demotion comes first, the removal is refused (409); the person is never taken out by
    someone who is no longer an admin."""
    for _ in range(ROUNDS):
        admin, captain, mate, _other, team = _team_with_admin()
        second = factories.make_user()
        factories.add_member(team.company, second, role="admin")
        factories.commit()
        base = f"/companies/{team.company.slug}/members"
        answers = statuses_at_once(
            (login(admin), f"{base}/{second.id}/role", {"role": "member"}),
            (login(second), f"{base}/{mate.id}/remove"))
        assert answers[0] == 302 and answers[1] in (302, 403, 409)
        events = db.session.execute(db.select(AuditEvent.action).where(
            AuditEvent.action.in_(("company.role", "company.remove")),
            AuditEvent.subject_id == team.company_id).order_by(AuditEvent.id)).scalars().all()
        # Removed only by someone who was an admin when it was done: before the demotion.
        assert events in (["company.role"], ["company.remove", "company.role"])


def test_a_captain_replaced_at_that_moment_removes_nobody(app_ctx, login):
    """The admin hands the captaincy to another teammate at the moment the captain removes
    someone: the removal happens only while the captain still is one."""
    for _ in range(ROUNDS):
        admin, captain, mate, other, team = _team_with_admin()
        answers = statuses_at_once(
            (login(admin), f"/teams/{team.id}/captain", {"user_id": str(other.id)}),
            (login(captain), f"/teams/{team.id}/members/{mate.id}/remove"))
        assert answers[0] == 302 and answers[1] in (302, 403, 409)
        events = db.session.execute(db.select(AuditEvent.action, AuditEvent.actor_id).where(
            AuditEvent.action.in_(("team.captain", "team.remove")),
            AuditEvent.subject_id == team.id).order_by(AuditEvent.id)).all()
        assert [action for action, _actor in events] in (
            ["team.captain"], ["team.remove", "team.captain"])
