"""The core ledger rules: logging, verifying, rejecting, reversing, and the totals."""

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
    tally = totals.figures("team", team.id)
    return (tally.reported_ore, tally.received_ore) if tally else (0, 0)


def test_a_logged_collection_counts_as_reported_everywhere(team):
    version = totals.board_version()
    factories.make_collection(team, amount_ore=25_000)
    factories.commit()
    assert figures(team) == (25_000, 0)
    assert totals.figures("company", team.company_id).reported_ore == 25_000
    assert totals.figures("goal", team.goal_id).reported_ore == 25_000
    assert totals.figures("all", 0).reported_ore == 25_000
    assert totals.board_version() == version + 1


def test_verify_then_reverse_brings_every_total_back(team):
    user = factories.make_user()
    entry = factories.make_collection(team, amount_ore=10_000)
    services.verify_entry(entry, user)
    assert figures(team) == (10_000, 10_000)
    reversal = services.reverse_entry(entry, user, "Fel belopp")
    assert reversal.amount_ore == -10_000
    assert figures(team) == (0, 0)
    with pytest.raises(services.LedgerError):
        services.reverse_entry(entry, user, "igen")
    actions = db.session.execute(db.select(AuditEvent.action)).scalars().all()
    assert actions.count("collection.reverse") == 1


def test_rejecting_needs_a_reason_and_stops_counting(team):
    user = factories.make_user()
    entry = factories.make_collection(team, amount_ore=10_000)
    with pytest.raises(services.LedgerError, match="varför"):
        services.reject_entry(entry, user, "  ")
    services.reject_entry(entry, user, "Kom aldrig in")
    assert figures(team) == (0, 0)
    with pytest.raises(services.LedgerError):
        services.verify_entry(entry, user)


def test_verifying_twice_is_refused(team):
    user = factories.make_user()
    entry = factories.make_collection(team)
    services.verify_entry(entry, user)
    with pytest.raises(services.LedgerError):
        services.verify_entry(entry, user)


def test_a_withdrawn_pending_entry_cannot_be_verified(team):
    user = factories.make_user()
    entry = factories.make_collection(team, amount_ore=7_000)
    services.reverse_entry(entry, user, "Återtagen")
    assert figures(team) == (0, 0)
    with pytest.raises(services.LedgerError):
        services.verify_entry(entry, user)


def test_amounts_are_never_changed_only_reversed(team):
    user = factories.make_user()
    entry = factories.make_collection(team, amount_ore=5_000)
    services.verify_entry(entry, user)
    services.reverse_entry(entry, user, "Rättelse")
    amounts = db.session.execute(
        db.select(LedgerEntry.amount_ore).order_by(LedgerEntry.id)
    ).scalars().all()
    assert amounts == [5_000, -5_000]
