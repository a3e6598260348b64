"""English versions of the texts staff write: a goal's title, summary and body, and each
impact line. Empty means the Swedish is shown.

Revision ID: 0022_english_texts
Revises: 0024_milestones
Create Date: 2026-11-30 22:30:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0022_english_texts"
down_revision = "0024_milestones"
branch_labels = None
depends_on = None

COLUMNS = {
    "goal": [("title_en", sa.String(length=120)), ("summary_en", sa.Text()),
             ("body_en", sa.Text())],
    "impact_line": [("text_en", sa.String(length=200))],
}


def upgrade():
    # Plain ADD COLUMN on both databases: SQLite adds a column with a constant default in
    # place, so no table is rebuilt.
    for table, columns in COLUMNS.items():
        for name, type_ in columns:
            op.add_column(table, sa.Column(name, type_, nullable=False, server_default=""))


def downgrade():
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table, columns in COLUMNS.items():
        for name, _type in reversed(columns):
            if sqlite:
                # In place: rebuilding the table would fail the foreign key check once other
                # rows point at it (teams at goals, entries at goals).
                op.execute(f"ALTER TABLE {table} DROP COLUMN {name}")
            else:
                op.drop_column(table, name)
