"""Names are private by default: "Visa mitt namn för alla" replaces "visa mig som en kollega".

Everyone starts private (show_name false), whatever they chose before: the old choice only
hid a name from colleagues, and the public should never have seen it.

Revision ID: 0015_name_visibility
Revises: 0014_challenge_headcount
Create Date: 2026-11-30 17:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0015_name_visibility"
down_revision = "0014_challenge_headcount"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("show_name", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.drop_column("hide_name")


def downgrade():
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("hide_name", sa.Boolean(), nullable=False,
                                      server_default=sa.true()))
    user = sa.table("user", sa.column("hide_name", sa.Boolean()),
                    sa.column("show_name", sa.Boolean()))
    op.execute(user.update().values(hide_name=sa.not_(user.c.show_name)))
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("show_name")
