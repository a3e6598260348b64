"""Rounds of a campaign, their stored honours, and a challenge's chosen scoring.

Revision ID: 0025_rounds
Revises: 0022_english_texts
Create Date: 2026-11-30 22:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0025_rounds"
down_revision = "0022_english_texts"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "round",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaign.id"],
                                name=op.f("fk_round_campaign_id_campaign")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_round")),
        sa.UniqueConstraint("campaign_id", "starts_on", name=op.f("uq_round_campaign_id")),
    )
    op.create_index(op.f("ix_round_campaign_id"), "round", ["campaign_id"])
    op.create_table(
        "round_result",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("stored_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["round_id"], ["round.id"],
                                name=op.f("fk_round_result_round_id_round")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_round_result")),
        sa.UniqueConstraint("round_id", name=op.f("uq_round_result_round_id")),
    )
    op.create_table(
        "round_honour",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("result_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("challenge_id", sa.Integer(), nullable=False),
        sa.Column("place", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=160), nullable=False),
        sa.Column("amount_ore", sa.BigInteger(), nullable=False),
        sa.Column("scoring", sa.String(length=24), nullable=False),
        sa.Column("score", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(["result_id"], ["round_result.id"],
                                name=op.f("fk_round_honour_result_id_round_result")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_round_honour")),
        sa.UniqueConstraint("result_id", "kind", "challenge_id", "place",
                            name=op.f("uq_round_honour_result_id")),
    )
    op.create_index(op.f("ix_round_honour_result_id"), "round_honour", ["result_id"])
    op.create_table(
        "challenge_scoring",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("challenge_id", sa.Integer(), nullable=False),
        sa.Column("scoring", sa.String(length=24), nullable=False),
        sa.ForeignKeyConstraint(["challenge_id"], ["challenge.id"],
                                name=op.f("fk_challenge_scoring_challenge_id_challenge")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_challenge_scoring")),
        sa.UniqueConstraint("challenge_id", name=op.f("uq_challenge_scoring_challenge_id")),
    )


def downgrade():
    op.drop_table("challenge_scoring")
    op.drop_index(op.f("ix_round_honour_result_id"), table_name="round_honour")
    op.drop_table("round_honour")
    op.drop_table("round_result")
    op.drop_index(op.f("ix_round_campaign_id"), table_name="round")
    op.drop_table("round")
