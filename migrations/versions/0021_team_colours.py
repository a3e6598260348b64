"""Teams get a colour and an emblem from a fixed palette (both optional: a team that has not
chosen gets one derived from its id).

Revision ID: 0021_team_colours
Revises: 0026_no_hot_rows
Create Date: 2026-11-30 22:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0021_team_colours"
down_revision = "0026_no_hot_rows"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("team", schema=None) as batch_op:
        batch_op.add_column(sa.Column("colour", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("emblem", sa.String(length=16), nullable=True))


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        # In place: rebuilding the team table fails the foreign key check once other rows
        # point at it (members, entries).
        op.execute("ALTER TABLE team DROP COLUMN emblem")
        op.execute("ALTER TABLE team DROP COLUMN colour")
        return
    with op.batch_alter_table("team", schema=None) as batch_op:
        batch_op.drop_column("emblem")
        batch_op.drop_column("colour")
