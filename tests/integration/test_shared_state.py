"""Shared state between app servers: the live-board version and login throttling, in the
database by default and in Redis when REDIS_URL is set (the tests with `shared_app` run on
both; the Redis ones need TEST_REDIS_URL)."""

from lokalamal_app import shared_state
from lokalamal_app.extensions import db
from lokalamal_app.ledger import services, totals
from lokalamal_app.models import BoardVersion, LoginThrottle
from tests import factories


def _team():
    team = factories.make_team(factories.make_company())
    factories.commit()
    return team


def test_a_committed_ledger_change_bumps_the_board_version(shared_ctx):
    team = _team()
    user = factories.make_user(is_staff=True)  # a new right moves the version too: before
    factories.commit()
    before = totals.board_version()
    factories.make_collection(team, amount_ore=100_00)
    factories.commit()
    assert totals.board_version() == before + 1
    entry = factories.make_collection(team, amount_ore=50_00)
    factories.commit()
    services.receive_entry(entry, user, "Kvitto 1")
    db.session.commit()
    assert totals.board_version() == before + 3


def test_a_rolled_back_ledger_change_never_bumps_the_board_version(shared_ctx):
    team = _team()
    factories.make_collection(team, amount_ore=100_00)
    factories.commit()
    before = totals.board_version()
    factories.make_collection(team, amount_ore=200_00)
    db.session.flush()
    db.session.rollback()
    assert totals.board_version() == before
    # The next committed change bumps once, not twice: nothing was left pending.
    factories.make_collection(team, amount_ore=300_00)
    factories.commit()
    assert totals.board_version() == before + 1


def test_with_redis_the_database_rows_are_left_alone(redis_app, make_app):
    other = make_app(REDIS_URL=redis_app.config["REDIS_URL"])
    with redis_app.app_context():
        seeded = db.session.get(BoardVersion, 1).version
        team = _team()
        factories.make_user(email="erik@example.se")
        factories.make_collection(team, amount_ore=100_00)
        factories.commit()
        client = redis_app.test_client()
        for _ in range(2):
            client.post("/login", data={"email": "erik@example.se", "password": "fel fel fel"})
        db.session.expire_all()
        assert db.session.get(BoardVersion, 1).version == seeded
        assert db.session.scalars(db.select(LoginThrottle)).all() == []
        redis = shared_state.redis_client()
        version = totals.board_version()
        assert int(redis.get(shared_state.key(totals.BOARD_VERSION_KEY))) == version
        db.session.remove()
    # Another server on the same Redis sees the same version.
    with other.app_context():
        assert totals.board_version() == version


def test_an_emptied_redis_never_gives_out_a_board_version_again(redis_app):
    """Servers cache boards by version: after Redis lost the counter (restart, flush) the
    next versions must still be new ones."""
    from tests.conftest import forget_shared_state

    with redis_app.app_context():
        team = _team()
        factories.make_collection(team, amount_ore=100_00)
        factories.commit()
        seen = totals.board_version()
        forget_shared_state(redis_app)
        assert totals.board_version() > seen
        forget_shared_state(redis_app)
        factories.make_collection(team, amount_ore=100_00)
        factories.commit()  # the bump itself starts the lost counter
        assert totals.board_version() > seen + 1
        db.session.remove()


def test_with_redis_away_logins_answer_503_and_readyz_says_unavailable(make_app, app_ctx):
    """Redis refusing connections is an outage like the database's: the friendly 503 page."""
    away = make_app(REDIS_URL="redis://127.0.0.1:9/0", PROPAGATE_EXCEPTIONS=False)
    factories.make_user(email="erik@example.se")
    factories.commit()
    client = away.test_client()
    response = client.post("/login", data={"email": "erik@example.se",
                                           "password": factories.PASSWORD})
    assert response.status_code == 503
    assert response.headers["Retry-After"]
    assert client.get("/readyz").status_code == 503
