"""Swish files: each imported Swish or bank report is recorded, and every row of it with its
state (booked, waiting for a person, refused with its reason).

Revision ID: 0027_swish_files
Revises: 0023_activities
Create Date: 2026-11-30 22:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0027_swish_files"
down_revision = "0023_activities"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "swish_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("layout", sa.String(length=20), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=True),
        sa.Column("last_day", sa.Date(), nullable=True),
        sa.Column("payment_count", sa.Integer(), nullable=False),
        sa.Column("total_ore", sa.BigInteger(), nullable=False),
        sa.Column("earlier_count", sa.Integer(), nullable=False),
        sa.Column("earlier_ore", sa.BigInteger(), nullable=False),
        sa.Column("imported_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["imported_by_id"], ["user.id"],
                                name=op.f("fk_swish_file_imported_by_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_swish_file")),
        sa.UniqueConstraint("content_hash", name=op.f("uq_swish_file_content_hash")),
    )
    with op.batch_alter_table("swish_payment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("file_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("line", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("payer_name", sa.String(length=70), nullable=False,
                                      server_default=""))
        # Every row stored before this revision was booked.
        batch_op.add_column(sa.Column("status", sa.String(length=10), nullable=False,
                                      server_default="booked"))
        batch_op.add_column(sa.Column("reason", sa.String(length=500), nullable=False,
                                      server_default=""))
        batch_op.add_column(sa.Column("handled_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("handled_at", sa.DateTime(timezone=True), nullable=True))
        for name, type_ in (("import_key", sa.String(length=64)), ("paid_on", sa.Date()),
                            ("amount_ore", sa.BigInteger()), ("team_id", sa.Integer()),
                            ("entry_id", sa.Integer())):
            batch_op.alter_column(name, existing_type=type_, nullable=True)
        batch_op.create_foreign_key(batch_op.f("fk_swish_payment_file_id_swish_file"),
                                    "swish_file", ["file_id"], ["id"])
        batch_op.create_foreign_key(batch_op.f("fk_swish_payment_handled_by_id_user"),
                                    "user", ["handled_by_id"], ["id"])
        batch_op.create_index(batch_op.f("ix_swish_payment_file_id"), ["file_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_swish_payment_status"), ["status"], unique=False)
    # The defaults were only for the rows already there; the app always writes these.
    with op.batch_alter_table("swish_payment", schema=None) as batch_op:
        for name, type_ in (("payer_name", sa.String(length=70)), ("status", sa.String(length=10)),
                            ("reason", sa.String(length=500))):
            batch_op.alter_column(name, existing_type=type_, existing_nullable=False,
                                  server_default=None)


def downgrade():
    # Rows that wait or were refused hold no money and have no place in the old table.
    op.execute(sa.text("DELETE FROM swish_payment WHERE status <> 'booked'"))
    with op.batch_alter_table("swish_payment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_swish_payment_status"))
        batch_op.drop_index(batch_op.f("ix_swish_payment_file_id"))
        batch_op.drop_constraint(batch_op.f("fk_swish_payment_handled_by_id_user"),
                                 type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_swish_payment_file_id_swish_file"),
                                 type_="foreignkey")
        for name, type_ in (("import_key", sa.String(length=64)), ("paid_on", sa.Date()),
                            ("amount_ore", sa.BigInteger()), ("team_id", sa.Integer()),
                            ("entry_id", sa.Integer())):
            batch_op.alter_column(name, existing_type=type_, nullable=False)
        for name in ("handled_at", "handled_by_id", "reason", "status", "payer_name", "line",
                     "file_id"):
            batch_op.drop_column(name)
    op.drop_table("swish_file")
