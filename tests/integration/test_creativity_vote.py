"""The creativity vote of a finished challenge: colleagues vote for the other side's best
activity, once; the public only when the challenge allows it, once per browser."""

import threading
from datetime import timedelta

import pytest

from lokalamal_app.extensions import db
from lokalamal_app.models import CreativityVote, CreativityVoteSetting
from tests import factories
from tests.activity_helpers import ended_challenge, post


@pytest.fixture
def ended(app_ctx):
    world = ended_challenge()
    factories.commit()
    return world


def _vote(client, world, activity):
    return client.post(f"/challenges/{world.challenge.id}/creativity/vote",
                       data={"activity": activity.id})


def _votes():
    db.session.rollback()  # read afresh: another app (another connection) may have voted
    return db.session.execute(db.select(CreativityVote)).scalars().all()


def test_a_colleague_votes_for_the_other_sides_activity(ended, login):
    client = login(ended.a.colleague)
    response = _vote(client, ended, ended.b_activity)
    assert response.status_code == 302
    (vote,) = _votes()
    assert vote.user_id == ended.a.colleague.id and vote.voter_company_id == ended.a.company.id
    page = client.get(f"/challenges/{ended.challenge.id}").get_data(as_text=True)
    assert "Du har röstat" in page and "varje röst är en poäng" in page
    assert "1 röst" in page


def test_nobody_votes_for_their_own_side(ended, login):
    response = _vote(login(ended.a.member), ended, ended.a_activity)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="activity-error"' in page
    assert "Rösta på den andra arbetsplatsens aktivitet, inte på er egen." in page
    assert _votes() == []


def test_a_second_vote_of_the_same_person_is_refused(ended, login):
    other = post(ended.b.team, ended.b.captain, "Pepparkaksbak",
                 days_ago=2)
    factories.commit()
    client = login(ended.a.member)
    assert _vote(client, ended, ended.b_activity).status_code == 302
    again = _vote(client, ended, other)
    assert again.status_code == 409
    assert "Du har redan röstat i den här utmaningen." in again.get_data(as_text=True)
    assert len(_votes()) == 1


def test_the_vote_opens_when_the_challenge_ends_and_closes_later(app_ctx, login, app):
    running = ended_challenge(days_since_end=0)  # ends today: still running
    closed = ended_challenge(days_since_end=app.config["CREATIVITY_VOTE_DAYS"] + 1)
    factories.commit()
    before = _vote(login(running.a.member), running, running.b_activity)
    assert before.status_code == 409
    assert "Omröstningen öppnar när utmaningen är slut." in before.get_data(as_text=True)
    after = _vote(login(closed.a.member), closed, closed.b_activity)
    assert after.status_code == 409 and "Omröstningen är stängd." in after.get_data(as_text=True)
    assert _votes() == []


def test_only_activities_of_the_challenge_shown_to_everyone_can_get_votes(ended, login):
    hidden = post(ended.b.team, ended.b.member, "Bara för oss", days_ago=1, public=False)
    too_early = post(ended.b.team, ended.b.member, "Före utmaningen", days_ago=20)
    factories.commit()
    client = login(ended.a.member)
    for activity in (hidden, too_early):
        response = _vote(client, ended, activity)
        assert response.status_code == 422
        assert "Välj en av aktiviteterna i listan." in response.get_data(as_text=True)
    missing = client.post(f"/challenges/{ended.challenge.id}/creativity/vote", data={})
    assert missing.status_code == 422
    assert _votes() == []


def test_outsiders_may_not_vote_unless_the_public_may(ended, login, client):
    outsider = login(ended.a.outsider)
    refused = _vote(outsider, ended, ended.a_activity)
    assert refused.status_code == 403
    assert "I den här utmaningen röstar bara arbetsplatsernas folk." in refused.get_data(
        as_text=True)
    assert _vote(client, ended, ended.a_activity).status_code == 403
    assert _votes() == []


def test_the_workplaces_admins_or_staff_let_the_public_vote(ended, login):
    url = f"/challenges/{ended.challenge.id}/creativity/settings"
    assert login(ended.a.member).post(url, data={"public_votes": "y"}).status_code == 403
    assert login(ended.a.outsider).post(url, data={"public_votes": "y"}).status_code == 403
    assert login(ended.b.admin).post(url, data={"public_votes": "y"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(CreativityVoteSetting, ended.challenge.id).public_votes
    staff = factories.make_user(is_staff=True)
    factories.commit()
    assert login(staff).post(url, data={}).status_code == 302
    db.session.expire_all()
    assert not db.session.get(CreativityVoteSetting, ended.challenge.id).public_votes


def _allow_public(world):
    db.session.add(CreativityVoteSetting(challenge_id=world.challenge.id, public_votes=True))
    factories.commit()


def test_the_public_votes_once_per_browser(ended, app):
    _allow_public(ended)
    browser = app.test_client()
    page = browser.get(f"/challenges/{ended.challenge.id}").get_data(as_text=True)
    assert "Vilken aktivitet var mest kreativ?" in page and "Loppis i entrén" in page
    assert _vote(browser, ended, ended.a_activity).status_code == 302
    again = _vote(browser, ended, ended.b_activity)
    assert again.status_code == 409
    assert "Du har redan röstat" in again.get_data(as_text=True)
    another_browser = app.test_client()
    assert _vote(another_browser, ended, ended.b_activity).status_code == 302
    votes = _votes()
    assert len(votes) == 2 and all(v.user_id is None and v.browser_key for v in votes)
    assert all(v.origin_key and "127.0.0.1" not in v.origin_key for v in votes)


def test_public_votes_from_one_address_are_rate_limited(ended, make_app):
    _allow_public(ended)
    limited = make_app(CREATIVITY_PUBLIC_VOTES_PER_HOUR=2)
    answers = [_vote(limited.test_client(), ended, ended.a_activity).status_code
               for _ in range(3)]
    assert answers == [302, 302, 429]
    assert len(_votes()) == 2


def test_the_result_names_the_winner_once_the_vote_has_closed(app_ctx, login, client, app,
                                                              freeze_clock):
    from lokalamal_app import clock

    world = ended_challenge()
    factories.commit()
    for person in (world.a.member, world.a.captain):
        assert _vote(login(person), world, world.b_activity).status_code == 302
    assert _vote(login(world.b.member), world, world.a_activity).status_code == 302
    freeze_clock(clock.now() + timedelta(days=app.config["CREATIVITY_VOTE_DAYS"] + 1))
    page = client.get(f"/challenges/{world.challenge.id}").get_data(as_text=True)
    assert f"Kreativitetspriset går till {world.b.company.name}." in page
    assert "2 röster" in page and "1 röst" in page


@pytest.mark.parametrize("round_", range(6))
def test_two_votes_of_one_person_at_once_count_once(ended, login, round_):
    """Two requests of the same person released together: one vote, the other told."""
    second = post(ended.b.team, ended.b.captain, "Tipspromenad", days_ago=1)
    factories.commit()
    clients = [login(ended.a.member), login(ended.a.member)]
    targets = [ended.b_activity.id, second.id]
    url = f"/challenges/{ended.challenge.id}/creativity/vote"
    barrier = threading.Barrier(2)
    answers = [None, None]

    def run(side):
        barrier.wait()
        answers[side] = clients[side].post(url, data={"activity": targets[side]}).status_code

    threads = [threading.Thread(target=run, args=(side,)) for side in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(answers) == [302, 409], answers
    assert len(_votes()) == 1


def test_the_demo_has_activities_photos_reactions_and_a_decided_vote(app, runner, app_ctx,
                                                                    client):
    from lokalamal_app.models import Activity, ActivityReaction, Challenge

    assert runner.invoke(args=["demo-data"]).exit_code == 0
    db.session.rollback()
    activities = db.session.execute(db.select(Activity)).scalars().all()
    teams = {a.team_id for a in activities}
    assert len(activities) > len(teams) and any(a.photo for a in activities)
    assert db.session.execute(db.select(db.func.count(ActivityReaction.id))).scalar_one() > 0
    finished = db.session.execute(
        db.select(Challenge).where(Challenge.settled_at.is_not(None))).scalars().first()
    photo = next(a for a in activities if a.photo and a.is_public)
    assert client.get(f"/activities/{photo.id}/photo").status_code == 200
    page = client.get(f"/challenges/{finished.id}").get_data(as_text=True)
    assert "Kreativitetspriset går till" in page
