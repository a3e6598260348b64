"""No row that every ledger change writes: the overall ("all", 0) totals go (the whole is
the sum of the five goals' rows), and on PostgreSQL the live boards' version comes from a
sequence advanced after commit instead of the locked board_version row.

Revision ID: 0026_no_hot_rows
Revises: 0018_reconciliation
Create Date: 2026-11-30 22:30:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = "0026_no_hot_rows"
down_revision = "0018_reconciliation"
branch_labels = None
depends_on = None

_MONEY = ("reported_ore", "attested_ore", "received_ore", "match_reported_ore",
          "match_attested_ore", "match_received_ore", "entry_count")


def upgrade():
    op.execute("DELETE FROM tally WHERE subject = 'all'")
    if op.get_bind().dialect.name == "postgresql":
        # Start past the row's number, so that no open board takes a new version for one
        # it has already shown.
        op.execute("CREATE SEQUENCE board_version_seq")
        op.execute("SELECT setval('board_version_seq', "
                   "COALESCE((SELECT version FROM board_version WHERE id = 1), 0) + 1)")


def downgrade():
    columns = ", ".join(_MONEY)
    sums = ", ".join(f"SUM({name})" for name in _MONEY)
    op.execute(
        f"INSERT INTO tally (subject, subject_id, period, {columns}, changed_at) "
        f"SELECT 'all', 0, period, {sums}, MAX(changed_at) FROM tally "
        f"WHERE subject = 'goal' GROUP BY period"
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("UPDATE board_version SET version = "
                   "(SELECT last_value FROM board_version_seq) + 1 WHERE id = 1")
        op.execute("DROP SEQUENCE board_version_seq")
