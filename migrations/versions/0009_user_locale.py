"""Each person's language, for the notifications and e-mail they receive.

Existing accounts get Swedish, the app's default language.

Revision ID: 0009_user_locale
Revises: 0004_ledger
Create Date: 2026-11-27 01:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0009_user_locale"
down_revision = "0004_ledger"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("locale", sa.String(length=5), nullable=False,
                                      server_default="sv"))


def downgrade():
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("locale")
