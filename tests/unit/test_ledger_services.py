"""The core ledger rules: logging, attesting, receiving, rejecting, reversing, and the
totals."""

import pytest

from lokalamal_app.extensions import db
from lokalamal_app.ledger import services, totals
from lokalamal_app.models import AuditEvent, LedgerEntry
from tests import factories


@pytest.fixture
def team(app_ctx):
    company = factories.make_company()
    team = factories.make_team(company)
    factories.commit()
    return team


def figures(team):
    """The team's reported, attested and received figures."""
    tally = totals.figures("team", team.id)
    return (tally.reported_ore, tally.attested_ore, tally.received_ore) if tally else (0, 0, 0)


def staff():
    return factories.make_user(is_staff=True)


def workplace_admin(team):
    admin = factories.make_user()
    factories.add_member(team.company, admin, role="admin")
    return admin


def test_a_logged_collection_counts_as_reported_everywhere(team):
    version = totals.board_version()
    factories.make_collection(team, amount_ore=25_000)
    factories.commit()
    assert figures(team) == (25_000, 0, 0)
    assert totals.figures("company", team.company_id).reported_ore == 25_000
    assert totals.figures("goal", team.goal_id).reported_ore == 25_000
    assert totals.overall(["all"])["all"].reported_ore == 25_000
    assert totals.board_version() == version + 1


def test_receive_then_reverse_brings_every_total_back(team):
    user = staff()
    entry = factories.make_collection(team, amount_ore=10_000)
    services.receive_entry(entry, user, "Kvitto 1")
    assert figures(team) == (10_000, 10_000, 10_000)
    assert entry.received_reference == "Kvitto 1"
    reversal = services.reverse_entry(entry, user, "Fel belopp")
    assert reversal.amount_ore == -10_000
    assert reversal.status == "received"
    assert figures(team) == (0, 0, 0)
    with pytest.raises(services.LedgerError):
        services.reverse_entry(entry, user, "igen")
    actions = db.session.execute(db.select(AuditEvent.action)).scalars().all()
    assert actions.count("collection.reverse") == 1


def test_attest_then_receive_moves_the_money_one_step_at_a_time(team):
    logger = factories.make_user()
    factories.join_team(team, logger)
    entry = factories.make_collection(team, amount_ore=10_000, logged_by=logger)
    services.attest_entry(entry, workplace_admin(team))
    assert entry.status == "attested"
    assert figures(team) == (10_000, 10_000, 0)
    services.receive_entry(entry, staff(), "Kvitto 1")
    assert entry.status == "received"
    assert figures(team) == (10_000, 10_000, 10_000)
    actions = db.session.execute(db.select(AuditEvent.action)).scalars().all()
    assert actions.count("collection.attest") == 1
    assert actions.count("collection.receive") == 1


def test_receiving_needs_a_reference(team):
    entry = factories.make_collection(team, amount_ore=10_000)
    with pytest.raises(services.LedgerError, match="referens") as refused:
        services.receive_entry(entry, staff(), "   ")
    assert refused.value.status == 422
    assert entry.status == "pending"
    assert figures(team) == (10_000, 0, 0)


def test_only_workplace_admins_and_staff_attest_and_only_staff_receive(team):
    entry = factories.make_collection(team, amount_ore=10_000)
    member = factories.make_user()
    factories.join_team(team, member)
    for attempt in (lambda: services.attest_entry(entry, member),
                    lambda: services.receive_entry(entry, member, "Kvitto 1"),
                    lambda: services.receive_entry(entry, workplace_admin(team), "Kvitto 1")):
        with pytest.raises(services.Refused) as refused:
            attempt()
        assert refused.value.status == 403
    assert entry.status == "pending"
    services.attest_entry(entry, staff())
    assert entry.status == "attested"


def test_nobody_attests_or_receives_what_they_logged_or_gave(team):
    admin = workplace_admin(team)
    clerk = staff()
    factories.join_team(team, admin)
    own = factories.make_collection(team, amount_ore=10_000, logged_by=admin)
    logged_by_staff = factories.make_collection(team, amount_ore=20_000, logged_by=clerk)
    given_by_staff = factories.make_collection(team, amount_ore=30_000, logged_by=admin,
                                               giver_id=clerk.id)
    for attempt in (lambda: services.attest_entry(own, admin),
                    lambda: services.attest_entry(logged_by_staff, clerk),
                    lambda: services.receive_entry(logged_by_staff, clerk, "Kvitto 1"),
                    lambda: services.receive_entry(given_by_staff, clerk, "Kvitto 1")):
        with pytest.raises(services.Refused):
            attempt()
    assert {own.status, logged_by_staff.status, given_by_staff.status} == {"pending"}
    assert figures(team) == (60_000, 0, 0)


def test_rejecting_needs_a_reason_and_stops_counting(team):
    user = workplace_admin(team)
    entry = factories.make_collection(team, amount_ore=10_000)
    with pytest.raises(services.LedgerError, match="varför"):
        services.reject_entry(entry, user, "  ")
    services.reject_entry(entry, user, "Kom aldrig in")
    assert figures(team) == (0, 0, 0)
    with pytest.raises(services.Conflict):
        services.attest_entry(entry, user)
    with pytest.raises(services.Conflict):
        services.receive_entry(entry, staff(), "Kvitto 1")


def test_an_attested_entry_is_rejected_by_staff_not_by_the_workplace(team):
    admin = workplace_admin(team)
    entry = factories.make_collection(team, amount_ore=10_000)
    services.attest_entry(entry, admin)
    with pytest.raises(services.Refused):
        services.reject_entry(entry, workplace_admin(team), "Kom aldrig in")
    assert figures(team) == (10_000, 10_000, 0)
    services.reject_entry(entry, staff(), "Kom aldrig in")
    assert entry.status == "rejected"
    assert figures(team) == (0, 0, 0)


def test_attesting_or_receiving_twice_is_a_conflict(team):
    entry = factories.make_collection(team)
    admin = workplace_admin(team)
    services.attest_entry(entry, admin)
    with pytest.raises(services.Conflict) as second:
        services.attest_entry(entry, admin)
    assert second.value.status == 409
    services.receive_entry(entry, staff(), "Kvitto 1")
    with pytest.raises(services.Conflict):
        services.receive_entry(entry, staff(), "Kvitto 2")
    with pytest.raises(services.Conflict):
        services.attest_entry(entry, admin)
    assert entry.received_reference == "Kvitto 1"


def test_a_withdrawn_pending_entry_cannot_be_attested_or_received(team):
    user = factories.make_user()
    entry = factories.make_collection(team, amount_ore=7_000)
    services.reverse_entry(entry, user, "Återtagen")
    assert figures(team) == (0, 0, 0)
    with pytest.raises(services.Conflict):
        services.attest_entry(entry, workplace_admin(team))
    with pytest.raises(services.Conflict):
        services.receive_entry(entry, staff(), "Kvitto 1")


def test_amounts_are_never_changed_only_reversed(team):
    user = staff()
    entry = factories.make_collection(team, amount_ore=5_000)
    services.receive_entry(entry, user, "Kvitto 1")
    services.reverse_entry(entry, user, "Rättelse")
    amounts = db.session.execute(
        db.select(LedgerEntry.amount_ore).order_by(LedgerEntry.id)
    ).scalars().all()
    assert amounts == [5_000, -5_000]
