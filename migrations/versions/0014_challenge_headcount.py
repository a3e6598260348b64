"""The headcount a workplace is measured on in a challenge, fixed when it accepted.

Accepted participants of accepted challenges get the headcount their result was frozen on, or, for a
challenge still running, their workplace's headcount today (the best that is known).

Revision ID: 0014_challenge_headcount
Revises: 0012_campaigns
Create Date: 2026-11-28 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0014_challenge_headcount"
down_revision = "0012_campaigns"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("challenge_participant", schema=None) as batch_op:
        batch_op.add_column(sa.Column("headcount", sa.Integer(), nullable=True))
    participant = sa.table(
        "challenge_participant",
        sa.column("challenge_id", sa.Integer()),
        sa.column("company_id", sa.Integer()),
        sa.column("status", sa.String()),
        sa.column("final_headcount", sa.Integer()),
        sa.column("headcount", sa.Integer()),
    )
    challenge = sa.table("challenge", sa.column("id", sa.Integer()),
                         sa.column("status", sa.String()))
    company = sa.table("company", sa.column("id", sa.Integer()),
                       sa.column("headcount", sa.Integer()))
    today = (sa.select(company.c.headcount)
             .where(company.c.id == participant.c.company_id).scalar_subquery())
    op.execute(
        participant.update()
        .where(participant.c.status == "accepted",
               participant.c.challenge_id.in_(
                   sa.select(challenge.c.id).where(challenge.c.status == "accepted")))
        .values(headcount=sa.func.coalesce(participant.c.final_headcount, today))
    )


def downgrade():
    with op.batch_alter_table("challenge_participant", schema=None) as batch_op:
        batch_op.drop_column("headcount")
