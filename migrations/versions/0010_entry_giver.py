"""Who a gift counts for: the giver, recorded on every entry instead of inferred.

`logged_by_id` stays who typed the entry. Existing entries get their giver from what was
known: the person who logged it, the pledger of a payroll deduction, the giver of the entry
a correction replaces, a match's matched gift, and a reversal's original (in that order, so
that each step can build on the last; chains of corrections are short).

Revision ID: 0010_entry_giver
Revises: 0009_user_locale
Create Date: 2026-11-30 16:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


revision = "0010_entry_giver"
down_revision = "0009_user_locale"
branch_labels = None
depends_on = None

CORRECTION_DEPTH = 10


def upgrade():
    with op.batch_alter_table("ledger_entry", schema=None) as batch_op:
        batch_op.add_column(sa.Column("giver_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_ledger_entry_giver_id_user", "user",
                                    ["giver_id"], ["id"])
        batch_op.create_index("ix_ledger_entry_giver_id", ["giver_id"])
    op.execute("UPDATE ledger_entry SET giver_id = logged_by_id")
    op.execute("""
        UPDATE ledger_entry SET giver_id = (
            SELECT d.user_id FROM payroll_deduction d WHERE d.entry_id = ledger_entry.id)
        WHERE EXISTS (SELECT 1 FROM payroll_deduction d WHERE d.entry_id = ledger_entry.id)
    """)
    for _ in range(CORRECTION_DEPTH):
        op.execute("""
            UPDATE ledger_entry SET giver_id = (
                SELECT o.giver_id FROM ledger_entry o WHERE o.id = ledger_entry.corrects_id)
            WHERE corrects_id IS NOT NULL
        """)
    op.execute("""
        UPDATE ledger_entry SET giver_id = (
            SELECT m.giver_id FROM ledger_entry m WHERE m.id = ledger_entry.matches_id)
        WHERE matches_id IS NOT NULL
    """)
    op.execute("""
        UPDATE ledger_entry SET giver_id = (
            SELECT o.giver_id FROM ledger_entry o WHERE o.id = ledger_entry.reverses_id)
        WHERE reverses_id IS NOT NULL
    """)


def downgrade():
    with op.batch_alter_table("ledger_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_ledger_entry_giver_id")
        batch_op.drop_constraint("fk_ledger_entry_giver_id_user", type_="foreignkey")
        batch_op.drop_column("giver_id")
