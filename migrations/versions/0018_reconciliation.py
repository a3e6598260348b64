"""Reconciliation: imported BgMax files and their payments, each recorded once.

Revision ID: 0018_reconciliation
Revises: 0019_cash_boxes
Create Date: 2026-11-30 19:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0018_reconciliation"
down_revision = "0019_cash_boxes"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "bank_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bgc_timestamp", sa.String(length=20), nullable=False),
        sa.Column("file_date", sa.Date(), nullable=False),
        sa.Column("test_file", sa.Boolean(), nullable=False),
        sa.Column("payee_bankgiro", sa.String(length=10), nullable=False),
        sa.Column("deposit_serials", sa.String(length=200), nullable=False),
        sa.Column("payment_count", sa.Integer(), nullable=False),
        sa.Column("total_ore", sa.BigInteger(), nullable=False),
        sa.Column("earlier_count", sa.Integer(), nullable=False),
        sa.Column("earlier_ore", sa.BigInteger(), nullable=False),
        sa.Column("imported_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["imported_by_id"], ["user.id"],
                                name=op.f("fk_bank_file_imported_by_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_file")),
        sa.UniqueConstraint("payee_bankgiro", "bgc_timestamp",
                            name=op.f("uq_bank_file_payee_bankgiro")),
    )
    op.create_table(
        "bank_payment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("bgc_serial", sa.String(length=12), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("amount_ore", sa.BigInteger(), nullable=False),
        sa.Column("reference", sa.String(length=25), nullable=False),
        sa.Column("message", sa.String(length=200), nullable=False),
        sa.Column("payer_name", sa.String(length=70), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("entry_id", sa.Integer(), nullable=True),
        sa.Column("payroll_run_id", sa.Integer(), nullable=True),
        sa.Column("handled_by_id", sa.Integer(), nullable=True),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["file_id"], ["bank_file.id"],
                                name=op.f("fk_bank_payment_file_id_bank_file")),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"], name=op.f("fk_bank_payment_team_id_team")),
        sa.ForeignKeyConstraint(["entry_id"], ["ledger_entry.id"],
                                name=op.f("fk_bank_payment_entry_id_ledger_entry")),
        sa.ForeignKeyConstraint(["payroll_run_id"], ["payroll_run.id"],
                                name=op.f("fk_bank_payment_payroll_run_id_payroll_run")),
        sa.ForeignKeyConstraint(["handled_by_id"], ["user.id"],
                                name=op.f("fk_bank_payment_handled_by_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_payment")),
        sa.UniqueConstraint("bgc_serial", name=op.f("uq_bank_payment_bgc_serial")),
        sa.UniqueConstraint("entry_id", name=op.f("uq_bank_payment_entry_id")),
    )
    with op.batch_alter_table("bank_payment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_bank_payment_file_id"), ["file_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_bank_payment_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_bank_payment_payroll_run_id"), ["payroll_run_id"],
                              unique=False)


def downgrade():
    with op.batch_alter_table("bank_payment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bank_payment_payroll_run_id"))
        batch_op.drop_index(batch_op.f("ix_bank_payment_status"))
        batch_op.drop_index(batch_op.f("ix_bank_payment_file_id"))
    op.drop_table("bank_payment")
    op.drop_table("bank_file")
