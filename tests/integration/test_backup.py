"""Backup, wipe, restore: every stored total still equals its ledger (SQLite and PostgreSQL)."""

import pytest
from sqlalchemy import text

from lokalamal_app.extensions import db
from lokalamal_app.ledger import services as ledger
from lokalamal_app.ledger import totals
from lokalamal_app.ledger.check import differences as mismatches
from lokalamal_app.ledger.check import expected_totals
from lokalamal_app.models import LedgerEntry, Tally, Team, User
from tests import factories as f


def _some_money():
    admin = f.make_user()
    company = f.make_company(admin=admin)
    other = f.make_company(admin=f.make_user())
    teams = [
        f.make_team(company, captain=admin, goal_number=1),
        f.make_team(company, goal_number=3),
        f.make_team(other, goal_number=3),
    ]
    for n, team in enumerate(teams, start=1):
        for k in range(3):
            f.make_collection(team, amount_ore=(n * 100 + k) * 100, logged_by=admin)
    entries = db.session.execute(db.select(LedgerEntry).order_by(LedgerEntry.id)).scalars().all()
    staff = f.make_user(is_staff=True)
    ledger.receive_entry(entries[0], staff, "Kvitto 1")
    ledger.attest_entry(entries[3], staff)
    ledger.reject_entry(entries[1], admin, "Dubbelrapporterad")
    ledger.reverse_entry(entries[2], admin, "Fel lag")
    f.commit()
    return teams


def _wipe():
    """Lose everything, as after a broken disk or a bad migration."""
    db.session.remove()
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        else:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())


def _ledger_rows() -> int:
    """Entries in the ledger; 0 when even the table is gone."""
    db.session.remove()
    with db.engine.connect() as conn:
        exists = db.inspect(conn).has_table("ledger_entry")
        return conn.execute(text("SELECT count(*) FROM ledger_entry")).scalar() if exists else 0


def test_backup_wipe_restore_keeps_every_total(app_ctx, runner, tmp_path):
    teams = _some_money()
    before = totals.figures("team", teams[0].id)
    team_total = (before.reported_ore, before.attested_ore, before.received_ore)
    assert team_total[2] > 0
    counts = {m: db.session.execute(db.select(db.func.count()).select_from(m)).scalar_one()
              for m in (User, Team, LedgerEntry, Tally)}
    assert mismatches() == [] and len(expected_totals()) >= 3
    copy = tmp_path / "kopia.backup"

    made = runner.invoke(args=["backup", str(copy)])
    assert made.exit_code == 0, made.output
    assert copy.stat().st_size > 0

    _wipe()
    assert _ledger_rows() == 0

    refused = runner.invoke(args=["restore", str(copy)], input="n\n")
    assert refused.exit_code != 0
    restored = runner.invoke(args=["restore", "--yes", str(copy)])
    assert restored.exit_code == 0, restored.output

    assert _ledger_rows() == counts[LedgerEntry] > 0
    for model, count in counts.items():
        assert db.session.execute(
            db.select(db.func.count()).select_from(model)).scalar_one() == count
    after = totals.figures("team", teams[0].id)
    assert (after.reported_ore, after.attested_ore, after.received_ore) == team_total
    # The receipt behind the received money came back too.
    assert db.session.execute(db.select(db.func.count(LedgerEntry.id)).where(
        LedgerEntry.received_reference == "Kvitto 1")).scalar_one() == 1
    checked = runner.invoke(args=["ledger-check"])
    assert checked.exit_code == 0, checked.output
    assert "Alla summor stämmer" in checked.output
    assert mismatches() == []


@pytest.mark.ledger_tampered
def test_ledger_check_finds_a_total_that_does_not_match(app_ctx, runner):
    teams = _some_money()
    db.session.execute(
        db.update(Tally).where(Tally.subject == "team", Tally.subject_id == teams[1].id,
                               Tally.period == "all").values(reported_ore=Tally.reported_ore + 1)
    )
    f.commit()

    result = runner.invoke(args=["ledger-check"])

    assert result.exit_code != 0
    assert f"team {teams[1].id}" in result.output
    assert [(m.subject, m.subject_id) for m in mismatches()] == [("team", teams[1].id)]


def test_restore_refuses_a_file_that_is_not_a_backup(app_ctx, runner, tmp_path):
    junk = tmp_path / "inte-en-kopia.backup"
    junk.write_text("hej")
    result = runner.invoke(args=["restore", "--yes", str(junk)])
    assert result.exit_code != 0
    assert db.session.execute(db.select(db.func.count()).select_from(Team)).scalar_one() == 0
