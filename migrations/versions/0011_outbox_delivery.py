"""Mail leaves after commit: the outbox keeps each message's claim, attempts, next attempt,
last error and whether it was given up.

Messages already in the outbox were handled when they were written (sent, or shown in the
console without a mail server): they are marked sent so that the first `send-mail` does not
send them again.

Revision ID: 0011_outbox_delivery
Revises: 0010_entry_giver
Create Date: 2026-11-30 15:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0011_outbox_delivery"
down_revision = "0010_entry_giver"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("attempts", sa.Integer(), nullable=False,
                                      server_default="0"))
        batch_op.add_column(sa.Column("next_attempt_at", sa.DateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column("last_error", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("failed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f("ix_outbox_message_sent_at"), ["sent_at"],
                              unique=False)
    outbox = sa.table("outbox_message", sa.column("sent_at", sa.DateTime(timezone=True)),
                      sa.column("created_at", sa.DateTime(timezone=True)))
    op.execute(outbox.update().where(outbox.c.sent_at.is_(None))
               .values(sent_at=outbox.c.created_at))


def downgrade():
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_message_sent_at"))
        batch_op.drop_column("failed_at")
        batch_op.drop_column("last_error")
        batch_op.drop_column("next_attempt_at")
        batch_op.drop_column("attempts")
        batch_op.drop_column("claimed_at")
