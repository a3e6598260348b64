"""Ledger: corrections linked to the entry they replace; second count of large cash sums.

Existing entries get needs_count_confirm false.

Revision ID: 0004_ledger
Revises: 0007_payroll
Create Date: 2026-11-26 22:40:27.558489

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004_ledger'
down_revision = "0007_payroll"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('ledger_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('corrects_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('needs_count_confirm', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('count_confirmed_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('count_confirmed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_ledger_entry_corrects_id'), ['corrects_id'])
        batch_op.create_foreign_key(batch_op.f('fk_ledger_entry_corrects_id_ledger_entry'), 'ledger_entry', ['corrects_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_ledger_entry_count_confirmed_by_id_user'), 'user', ['count_confirmed_by_id'], ['id'])


def downgrade():
    with op.batch_alter_table('ledger_entry', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_ledger_entry_count_confirmed_by_id_user'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_ledger_entry_corrects_id_ledger_entry'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_ledger_entry_corrects_id'), type_='unique')
        batch_op.drop_column('count_confirmed_at')
        batch_op.drop_column('count_confirmed_by_id')
        batch_op.drop_column('needs_count_confirm')
        batch_op.drop_column('corrects_id')
