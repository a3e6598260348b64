"""Milestones with promises, intranet origins for the embeddable widget, outgoing webhooks
and their outbox.

Revision ID: 0024_milestones
Revises: 0021_team_colours
Create Date: 2026-11-30 22:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0024_milestones"
down_revision = "0021_team_colours"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "milestone",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("campaign_id", sa.Integer(), nullable=True),
        sa.Column("amount_ore", sa.BigInteger(), nullable=False),
        sa.Column("promise", sa.String(length=200), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("reached_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["company_id"], ["company.id"],
                                name=op.f("fk_milestone_company_id_company")),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"], name=op.f("fk_milestone_team_id_team")),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaign.id"],
                                name=op.f("fk_milestone_campaign_id_campaign")),
        sa.ForeignKeyConstraint(["created_by_id"], ["user.id"],
                                name=op.f("fk_milestone_created_by_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_milestone")),
        sa.UniqueConstraint("company_id", "team_id", "amount_ore",
                            name=op.f("uq_milestone_company_id")),
    )
    op.create_index(op.f("ix_milestone_company_id"), "milestone", ["company_id"])
    op.create_index(op.f("ix_milestone_team_id"), "milestone", ["team_id"])
    op.create_index(op.f("ix_milestone_campaign_id"), "milestone", ["campaign_id"])
    op.create_index(op.f("ix_milestone_reached_at"), "milestone", ["reached_at"])
    op.create_index("ix_milestone_open", "milestone", ["company_id", "reached_at"])

    op.create_table(
        "embed_origin",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("origin", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["company_id"], ["company.id"],
                                name=op.f("fk_embed_origin_company_id_company")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_embed_origin")),
        sa.UniqueConstraint("company_id", "origin", name=op.f("uq_embed_origin_company_id")),
    )
    op.create_index(op.f("ix_embed_origin_company_id"), "embed_origin", ["company_id"])

    op.create_table(
        "webhook_endpoint",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["company_id"], ["company.id"],
                                name=op.f("fk_webhook_endpoint_company_id_company")),
        sa.ForeignKeyConstraint(["created_by_id"], ["user.id"],
                                name=op.f("fk_webhook_endpoint_created_by_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_endpoint")),
        sa.UniqueConstraint("company_id", "url", name=op.f("uq_webhook_endpoint_company_id")),
    )
    op.create_index(op.f("ix_webhook_endpoint_company_id"), "webhook_endpoint", ["company_id"])

    op.create_table(
        "webhook_delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("endpoint_id", sa.Integer(), nullable=True),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("event", sa.String(length=40), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["endpoint_id"], ["webhook_endpoint.id"],
                                name=op.f("fk_webhook_delivery_endpoint_id_webhook_endpoint"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_delivery")),
    )
    op.create_index(op.f("ix_webhook_delivery_endpoint_id"), "webhook_delivery", ["endpoint_id"])
    op.create_index(op.f("ix_webhook_delivery_sent_at"), "webhook_delivery", ["sent_at"])


def downgrade():
    op.drop_table("webhook_delivery")
    op.drop_table("webhook_endpoint")
    op.drop_table("embed_origin")
    op.drop_table("milestone")
