"""Collection boxes: sealed, numbered boxes kept by a colleague, their history and counts.

Revision ID: 0019_cash_boxes
Revises: 0020_phone
Create Date: 2026-11-30 19:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0019_cash_boxes"
down_revision = "0020_phone"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "cash_box",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("seal_number", sa.String(length=40), nullable=False),
        sa.Column("keeper_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["company_id"], ["company.id"],
                                name=op.f("fk_cash_box_company_id_company")),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"], name=op.f("fk_cash_box_team_id_team")),
        sa.ForeignKeyConstraint(["keeper_id"], ["user.id"],
                                name=op.f("fk_cash_box_keeper_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cash_box")),
        sa.UniqueConstraint("company_id", "number", name=op.f("uq_cash_box_company_id")),
    )
    op.create_index(op.f("ix_cash_box_company_id"), "cash_box", ["company_id"])
    op.create_index(op.f("ix_cash_box_team_id"), "cash_box", ["team_id"])
    op.create_table(
        "cash_box_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("box_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("from_user_id", sa.Integer(), nullable=True),
        sa.Column("to_user_id", sa.Integer(), nullable=True),
        sa.Column("seal_number", sa.String(length=40), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["box_id"], ["cash_box.id"],
                                name=op.f("fk_cash_box_event_box_id_cash_box")),
        sa.ForeignKeyConstraint(["from_user_id"], ["user.id"],
                                name=op.f("fk_cash_box_event_from_user_id_user")),
        sa.ForeignKeyConstraint(["to_user_id"], ["user.id"],
                                name=op.f("fk_cash_box_event_to_user_id_user")),
        sa.ForeignKeyConstraint(["by_id"], ["user.id"], name=op.f("fk_cash_box_event_by_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cash_box_event")),
    )
    op.create_index(op.f("ix_cash_box_event_box_id"), "cash_box_event", ["box_id"])
    op.create_table(
        "cash_box_count",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("box_id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("seal_number", sa.String(length=40), nullable=False),
        sa.Column("seal_intact", sa.Boolean(), nullable=False),
        sa.Column("deposit_kind", sa.String(length=10), nullable=False),
        sa.Column("deposit_reference", sa.String(length=80), nullable=False),
        sa.Column("deposited_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["box_id"], ["cash_box.id"],
                                name=op.f("fk_cash_box_count_box_id_cash_box")),
        sa.ForeignKeyConstraint(["entry_id"], ["ledger_entry.id"],
                                name=op.f("fk_cash_box_count_entry_id_ledger_entry")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cash_box_count")),
        sa.UniqueConstraint("entry_id", name=op.f("uq_cash_box_count_entry_id")),
    )
    op.create_index(op.f("ix_cash_box_count_box_id"), "cash_box_count", ["box_id"])


def downgrade():
    op.drop_index(op.f("ix_cash_box_count_box_id"), table_name="cash_box_count")
    op.drop_table("cash_box_count")
    op.drop_index(op.f("ix_cash_box_event_box_id"), table_name="cash_box_event")
    op.drop_table("cash_box_event")
    op.drop_index(op.f("ix_cash_box_team_id"), table_name="cash_box")
    op.drop_index(op.f("ix_cash_box_company_id"), table_name="cash_box")
    op.drop_table("cash_box")
