"""ledger-check names every stored figure that disagrees with the ledger; ledger-rebuild
--dry-run lists them and changes nothing; ledger-rebuild writes them from the ledger."""

from datetime import date

import pytest
from sqlalchemy import create_engine, text, update
from sqlalchemy.exc import OperationalError

from lokalamal_app.extensions import db
from lokalamal_app.ledger import check, services
from lokalamal_app.models import Tally
from lokalamal_app.payroll import matching
from tests import factories

FIELDS = ("reported_ore", "attested_ore", "received_ore", "match_reported_ore",
          "match_attested_ore", "match_received_ore", "entry_count")


@pytest.fixture
def world(app_ctx):
    staff = factories.make_user(is_staff=True)
    admin = factories.make_user()
    company = factories.make_company(admin=admin, name="Kopparlunden AB")
    member = factories.make_user()
    team = factories.make_team(company, captain=member, name="Fikagänget")
    # The employer matches half of every attested gift: the totals hold matched money too
    # (the gift received, its match attested).
    matching.add_rule(company, 50, 1_000_000, "all", date(2026, 9, 1), None, admin)
    entry = factories.make_collection(team, 500_00, collected_on=date(2026, 10, 3),
                                      logged_by=member)
    services.receive_entry(entry, staff, "Kvitto 1")
    factories.make_collection(team, 120_00, collected_on=date(2026, 11, 2))
    factories.commit()
    return type("World", (), dict(**locals()))


def stored() -> dict:
    """Every stored total, as the rebuild must leave it."""
    return {
        (t.subject, t.subject_id, t.period): tuple(getattr(t, f) for f in FIELDS)
        for t in db.session.execute(db.select(Tally)).scalars()
    }


def tamper(subject, subject_id, period, field, by=7) -> None:
    db.session.execute(
        update(Tally).where(Tally.subject == subject, Tally.subject_id == subject_id,
                            Tally.period == period)
        .values({field: getattr(Tally, field) + by})
    )
    factories.commit()


@pytest.mark.parametrize("field", FIELDS)
def test_a_tampered_figure_is_named_listed_by_a_dry_run_and_fixed_by_the_rebuild(
        world, runner, field):
    good = stored()
    subject = f"tg:{world.team.goal_id}"
    tamper(subject, world.team.id, "c1", field)
    tampered = stored()

    result = runner.invoke(args=["ledger-check"])
    assert result.exit_code == 1
    line = f"{subject} {world.team.id} c1 {field}: lagrat "
    assert line in result.output and "(skillnad +7)" in result.output

    result = runner.invoke(args=["ledger-rebuild", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert line in result.output and "1 skillnader skulle rättas" in result.output
    db.session.remove()
    assert stored() == tampered

    result = runner.invoke(args=["ledger-rebuild"])
    assert result.exit_code == 0, result.output
    assert "tally: 1 rader skrevs om." in result.output
    db.session.remove()
    assert stored() == good
    assert runner.invoke(args=["ledger-check"]).exit_code == 0


def test_the_rebuild_puts_back_a_missing_row_and_removes_one_the_ledger_does_not_know(
        world, runner):
    good = stored()
    db.session.execute(db.delete(Tally).where(Tally.subject == "goal"))
    db.session.add(Tally(subject="team", subject_id=world.team.id, period="2025-01",
                         reported_ore=10_00, received_ore=0, match_reported_ore=0,
                         match_received_ore=0, entry_count=1))
    factories.commit()
    assert runner.invoke(args=["ledger-check"]).exit_code == 1
    result = runner.invoke(args=["ledger-rebuild"])
    assert result.exit_code == 0, result.output
    db.session.remove()
    assert stored() == good
    assert runner.invoke(args=["ledger-check"]).exit_code == 0


def test_a_rebuild_of_the_demo_data_changes_nothing(runner, app_ctx):
    assert runner.invoke(args=["demo-data"]).exit_code == 0
    db.session.remove()
    before = stored()
    result = runner.invoke(args=["ledger-rebuild", "--dry-run"])
    assert result.exit_code == 0 and "inget att rätta" in result.output, result.output
    result = runner.invoke(args=["ledger-rebuild"])
    assert result.exit_code == 0, result.output
    assert "Klart: 0 rader skrevs om" in result.output
    db.session.remove()
    assert stored() == before


@pytest.mark.ledger_tampered
def test_ledger_check_still_compares_entry_counts(world, runner):
    tamper("team", world.team.id, "all", "entry_count", by=-1)
    result = runner.invoke(args=["ledger-check"])
    assert result.exit_code == 1
    assert f"team {world.team.id} all entry_count: lagrat 2, enligt huvudboken 3" \
        in result.output


def test_a_registered_figure_is_checked_and_rebuilt_with_the_tallies(world, runner,
                                                                     monkeypatch):
    monkeypatch.setattr(check, "_registry", dict(check._registry))
    kept = {"wrong": 2}

    def differences():
        return [f"exempel: {n} fel" for n in range(kept["wrong"])]

    def rebuild():
        fixed, kept["wrong"] = kept["wrong"], 0
        return fixed

    check.register("exempel", lambda: ["ska ersättas"])
    check.register("exempel", differences, rebuild)  # again: replaces
    assert check.registered()[0] == "tally" and check.registered()[-1] == "exempel"
    assert check.registered().count("exempel") == 1
    assert check.all_differences() == ["exempel: 0 fel", "exempel: 1 fel"]

    result = runner.invoke(args=["ledger-check"])
    assert result.exit_code == 1 and "exempel: 1 fel" in result.output
    assert "ska ersättas" not in result.output
    result = runner.invoke(args=["ledger-rebuild", "--dry-run"])
    assert "exempel: 0 fel" in result.output and kept["wrong"] == 2
    result = runner.invoke(args=["ledger-rebuild"])
    assert result.exit_code == 0 and "exempel: 2 rader skrevs om." in result.output
    assert runner.invoke(args=["ledger-check"]).exit_code == 0


def test_a_figure_without_a_rebuild_is_only_checked(world, runner, monkeypatch):
    monkeypatch.setattr(check, "_registry", dict(check._registry))
    check.register("bara-kontroll", lambda: [])
    result = runner.invoke(args=["ledger-rebuild"])
    assert result.exit_code == 0 and "bara-kontroll" not in result.output


def test_the_rebuild_keeps_ledger_writes_out_while_it_runs(world, app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time anyway")
    check.lock_ledger()
    other = create_engine(db.engine.url)
    try:
        with other.connect() as conn, pytest.raises(OperationalError):
            conn.execute(text("SET lock_timeout = '300ms'"))
            # What an INSERT or UPDATE of an entry takes first.
            conn.execute(text("LOCK TABLE ledger_entry IN ROW EXCLUSIVE MODE"))
    finally:
        db.session.rollback()
        other.dispose()
