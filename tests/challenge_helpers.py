"""Builders for challenge tests."""

from datetime import timedelta

from lokalamal_app import clock
from lokalamal_app.challenges import services
from tests import factories


def workplace(headcount: int = 10, **kw):
    """A workplace with its own admin: (company, admin)."""
    admin = factories.make_user()
    company = factories.make_company(admin=admin, headcount=headcount, **kw)
    return company, admin


def running(challenger, admin, opponents, measure: str = "total", goal_id=None,
            days: int = 10, accept: bool = True):
    """A challenge from today for `days` days, accepted by every opponent's first admin."""
    today = clock.today()
    challenge = services.propose_challenge(
        challenger, [c for c, _ in opponents], today, today + timedelta(days=days - 1), measure,
        goal_id, "Hej grannar!", actor=admin,
    )
    if accept:
        for company, their_admin in opponents:
            services.answer_challenge(challenge, company, True, "", their_admin)
    return challenge


def people_logging(company, count: int, amount_ore: int = 100_00, status: str = "received"):
    """`count` different people in one team of `company` each log one collection."""
    team = factories.make_team(company)
    entries = []
    for _ in range(count):
        person = factories.make_user()
        factories.join_team(team, person)
        entries.append(factories.make_collection(team, amount_ore=amount_ore, logged_by=person,
                                                 status=status))
    return team, entries


def settle_day(challenge, app):
    return challenge.ends_on + timedelta(days=app.config["CHALLENGE_RECONCILE_DAYS"] + 1)
