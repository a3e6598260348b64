"""The stored challenge figures always equal what the ledger says: when a challenge is
proposed at the very moment one of its workplaces logs, attests, receives or rejects
money, in
`ledger-check`'s recomputation, and after a rebuild."""

import threading
from datetime import timedelta

import pytest

from lokalamal_app import clock
from lokalamal_app.challenges import figures, services
from lokalamal_app.extensions import db
from lokalamal_app.ledger import services as ledger
from lokalamal_app.ledger import totals
from lokalamal_app.models import (
    Challenge,
    ChallengeTally,
    Company,
    LedgerEntry,
    Team,
    User,
)
from tests import factories
from tests.challenge_helpers import running, workplace
from tests.conftest import build_app, dispose

ROUNDS = 25


def _postgresql_only(app):
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("SQLite runs one writing transaction at a time: nothing to race")


def _together(app, *actions) -> list[Exception]:
    """Run each action in its own thread, app context, session and transaction, released
    at the same moment by a barrier; each commits. The exceptions raised, if any."""
    barrier = threading.Barrier(len(actions))
    errors: list[Exception] = []

    def run(action):
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                action()
                db.session.commit()
            except Exception as exc:  # noqa: BLE001 - reported by the test
                db.session.rollback()
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


def _ledger_company_sums(challenge: Challenge) -> dict[int, tuple[int, int, int]]:
    """(reported, attested, received) per workplace, summed from the ledger directly."""
    sums = {}
    for p in challenge.participants:
        rows = db.session.execute(
            db.select(LedgerEntry.amount_ore, LedgerEntry.status).where(
                LedgerEntry.company_id == p.company_id,
                LedgerEntry.collected_on.between(challenge.starts_on, challenge.ends_on),
                LedgerEntry.status.in_(("pending", "attested", "received")))
        ).all()
        sums[p.company_id] = (sum(a for a, _ in rows),
                              sum(a for a, s in rows if s in ("attested", "received")),
                              sum(a for a, s in rows if s == "received"))
    return sums


def _stored_company_figures(challenge: Challenge) -> dict[int, tuple[int, int, int]]:
    stored = {p.company_id: (0, 0, 0) for p in challenge.participants}
    for t in db.session.execute(db.select(ChallengeTally).where(
            ChallengeTally.challenge_id == challenge.id, ChallengeTally.kind == "company")
    ).scalars():
        stored[t.company_id] = (t.reported_ore, t.attested_ore, t.received_ore)
    return stored


def _round(action: str):
    """Two new workplaces and a pending entry of the first, committed; ids for the threads."""
    a, admin_a = workplace()
    b, _admin_b = workplace()
    team = factories.make_team(a)
    member = factories.make_user()
    factories.join_team(team, member)
    entry = factories.make_collection(team, amount_ore=250_00, logged_by=member)
    staff = factories.make_user(is_staff=True)
    factories.commit()
    return {"a": a.id, "b": b.id, "admin": admin_a.id, "team": team.id, "member": member.id,
            "entry": entry.id, "staff": staff.id}


@pytest.mark.parametrize("action", ["attest", "receive", "log", "reject", "reverse"])
def test_a_challenge_proposed_while_its_workplace_changes_the_ledger_misses_nothing(
        app, app_ctx, action):
    _postgresql_only(app)
    today = clock.today()
    for _ in range(ROUNDS):
        ids = _round(action)

        def propose(ids=ids):
            services.propose_challenge(
                db.session.get(Company, ids["a"]), [db.session.get(Company, ids["b"])],
                today, today + timedelta(days=9), "total", None, "",
                actor=db.session.get(User, ids["admin"]))

        def change(ids=ids):
            admin = db.session.get(User, ids["admin"])
            entry = db.session.get(LedgerEntry, ids["entry"])
            if action == "attest":
                ledger.attest_entry(entry, admin)
            elif action == "receive":
                ledger.receive_entry(entry, db.session.get(User, ids["staff"]), "Kvitto 1")
            elif action == "reject":
                ledger.reject_entry(entry, admin, "Kom aldrig in")
            elif action == "reverse":
                ledger.reverse_entry(entry, admin, "Dubbelt loggad")
            else:
                ledger.log_collection(db.session.get(Team, ids["team"]), 123_45, today,
                                      "swish", "", logged_by=db.session.get(User, ids["member"]))

        assert _together(app, propose, change) == []

    db.session.rollback()  # a fresh look at what the threads committed
    challenges = db.session.execute(db.select(Challenge)).scalars().all()
    assert len(challenges) == ROUNDS
    for challenge in challenges:
        assert _stored_company_figures(challenge) == _ledger_company_sums(challenge)
    assert figures.challenge_differences() == []


def test_a_changed_challenge_figure_is_reported_and_the_rebuild_puts_it_right(app_ctx):
    a, admin_a = workplace()
    b, admin_b = workplace()
    challenge = running(a, admin_a, [(b, admin_b)], measure="participation")
    team = factories.make_team(a)
    person = factories.make_user()
    kept = factories.make_collection(team, amount_ore=300_00, logged_by=person)
    ledger.receive_entry(kept, factories.make_user(is_staff=True), "Kvitto 1")
    gone = factories.make_collection(team, amount_ore=40_00, logged_by=person)
    ledger.reverse_entry(gone, admin_a, "Fel belopp")
    factories.commit()
    assert figures.challenge_differences() == []

    row = db.session.execute(db.select(ChallengeTally).where(
        ChallengeTally.challenge_id == challenge.id, ChallengeTally.company_id == a.id,
        ChallengeTally.kind == "company")).scalar_one()
    row.received_ore += 1_00
    db.session.execute(db.delete(ChallengeTally).where(
        ChallengeTally.challenge_id == challenge.id, ChallengeTally.kind == "person"))
    factories.commit()

    found = figures.challenge_differences()
    assert (f"utmaning {challenge.id} arbetsplats {a.id} company  received_ore: "
            f"lagrat 30100, enligt huvudboken 30000 (skillnad +100)") in found
    assert any(f"arbetsplats {a.id} person {person.id} reported_count: lagrat 0, "
               f"enligt huvudboken 1" in line for line in found), found

    assert figures.rebuild_challenge_figures() > 0
    factories.commit()
    assert figures.challenge_differences() == []
    assert _stored_company_figures(challenge)[a.id] == (300_00, 300_00, 300_00)


def test_settled_and_withdrawn_challenges_are_not_checked_against_the_ledger(app, app_ctx):
    a, admin_a = workplace()
    b, admin_b = workplace()
    c, _admin_c = workplace()
    settled = running(a, admin_a, [(b, admin_b)])
    withdrawn = running(a, admin_a, [(c, _admin_c)], accept=False)
    services.withdraw_challenge(withdrawn, admin_a)
    services.settle_challenge(settled, settled.ends_on + timedelta(days=30))
    # Money logged after both stopped keeping figures: that is no difference.
    factories.make_collection(factories.make_team(a), amount_ore=99_00)
    factories.commit()
    assert figures.challenge_differences() == []


def test_the_challenge_listener_is_wired_once_however_many_apps_are_built(app):
    other = build_app()
    try:
        assert totals._listeners.count(figures.on_ledger_change) == 1
    finally:
        dispose(other)


def test_thousands_of_figure_rows_at_once_are_each_added_once(app_ctx):
    """A backfill of a long challenge in a large workplace adds thousands of rows at once:
    they go in parts, under the databases' limits on parameters, and each is added once."""
    a, admin_a = workplace()
    b, admin_b = workplace()
    challenge = running(a, admin_a, [(b, admin_b)])
    rows = [{"challenge_id": challenge.id, "company_id": a.id, "kind": "day",
             "key": f"dag {n:04d}", "reported_ore": n, "attested_ore": 0, "received_ore": 0,
             "reported_count": 1, "attested_count": 0, "received_count": 0}
            for n in range(1, 1_201)]
    assert figures._upsert(rows) == 1_200
    assert figures._upsert(rows[:2]) == 2  # once more: added to the rows already there
    stored = dict(db.session.execute(
        db.select(ChallengeTally.key, ChallengeTally.reported_ore).where(
            ChallengeTally.challenge_id == challenge.id, ChallengeTally.kind == "day")).all())
    assert len(stored) == 1_200
    assert (stored["dag 0001"], stored["dag 0002"], stored["dag 1200"]) == (2, 4, 1_200)
    assert sum(stored.values()) == sum(range(1, 1_201)) + 1 + 2
