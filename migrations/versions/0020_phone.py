"""Workplace search ignores accents: each workplace keeps its name folded to plain letters
("Mälarhamnen" -> "malarhamnen") beside the name, filled here for the existing ones.

Revision ID: 0020_phone
Revises: 0017_attest_receive
Create Date: 2026-11-30 19:00:00.000000

"""
import unicodedata

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0020_phone"
down_revision = "0017_attest_receive"
branch_labels = None
depends_on = None


def _fold(name: str) -> str:
    # The same as models.company.search_key at the time of writing; kept here so the
    # migration does not change when the model does.
    decomposed = unicodedata.normalize("NFKD", " ".join((name or "").split()).casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))[:120]


def upgrade():
    with op.batch_alter_table("company", schema=None) as batch_op:
        batch_op.add_column(sa.Column("search_key", sa.String(length=120), nullable=False,
                                      server_default=""))
    company = sa.table("company", sa.column("id", sa.Integer()), sa.column("name", sa.String()),
                       sa.column("search_key", sa.String()))
    bind = op.get_bind()
    for row in bind.execute(sa.select(company.c.id, company.c.name)).all():
        bind.execute(company.update().where(company.c.id == row.id)
                     .values(search_key=_fold(row.name)))


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        # In place: rebuilding the company table fails the foreign key check once other
        # rows point at it (teams, members, entries).
        op.execute("ALTER TABLE company DROP COLUMN search_key")
        return
    with op.batch_alter_table("company", schema=None) as batch_op:
        batch_op.drop_column("search_key")
