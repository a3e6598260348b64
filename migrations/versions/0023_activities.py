"""Activities of teams, reactions to them and the creativity vote of challenges.

Revision ID: 0023_activities
Revises: 0025_rounds
Create Date: 2026-11-30 22:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0023_activities"
down_revision = "0025_rounds"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "activity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("happened_on", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("volunteer_half_hours", sa.Integer(), nullable=False),
        sa.Column("is_public", sa.Boolean(), nullable=False),
        sa.Column("photo", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"], name=op.f("fk_activity_team_id_team")),
        sa.ForeignKeyConstraint(["company_id"], ["company.id"],
                                name=op.f("fk_activity_company_id_company")),
        sa.ForeignKeyConstraint(["author_id"], ["user.id"],
                                name=op.f("fk_activity_author_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activity")),
    )
    op.create_index(op.f("ix_activity_team_id"), "activity", ["team_id"])
    op.create_index(op.f("ix_activity_company_id"), "activity", ["company_id"])
    op.create_index(op.f("ix_activity_author_id"), "activity", ["author_id"])
    op.create_index(op.f("ix_activity_happened_on"), "activity", ["happened_on"])
    op.create_table(
        "activity_reaction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["activity_id"], ["activity.id"],
                                name=op.f("fk_activity_reaction_activity_id_activity")),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"],
                                name=op.f("fk_activity_reaction_user_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activity_reaction")),
        sa.UniqueConstraint("activity_id", "user_id", "kind",
                            name=op.f("uq_activity_reaction_activity_id")),
    )
    op.create_index(op.f("ix_activity_reaction_activity_id"), "activity_reaction", ["activity_id"])
    op.create_index(op.f("ix_activity_reaction_user_id"), "activity_reaction", ["user_id"])
    op.create_table(
        "creativity_vote",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("challenge_id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("voter_company_id", sa.Integer(), nullable=True),
        sa.Column("browser_key", sa.String(length=64), nullable=True),
        sa.Column("origin_key", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["challenge_id"], ["challenge.id"],
                                name=op.f("fk_creativity_vote_challenge_id_challenge")),
        sa.ForeignKeyConstraint(["activity_id"], ["activity.id"],
                                name=op.f("fk_creativity_vote_activity_id_activity")),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"],
                                name=op.f("fk_creativity_vote_user_id_user")),
        sa.ForeignKeyConstraint(["voter_company_id"], ["company.id"],
                                name=op.f("fk_creativity_vote_voter_company_id_company")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_creativity_vote")),
        sa.UniqueConstraint("user_id", "challenge_id", name=op.f("uq_creativity_vote_user_id")),
        sa.UniqueConstraint("browser_key", "challenge_id",
                            name=op.f("uq_creativity_vote_browser_key")),
    )
    op.create_index(op.f("ix_creativity_vote_challenge_id"), "creativity_vote", ["challenge_id"])
    op.create_index(op.f("ix_creativity_vote_activity_id"), "creativity_vote", ["activity_id"])
    op.create_index(op.f("ix_creativity_vote_origin_key"), "creativity_vote", ["origin_key"])
    op.create_table(
        "creativity_vote_setting",
        sa.Column("challenge_id", sa.Integer(), nullable=False),
        sa.Column("public_votes", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["challenge_id"], ["challenge.id"],
                                name=op.f("fk_creativity_vote_setting_challenge_id_challenge")),
        sa.PrimaryKeyConstraint("challenge_id", name=op.f("pk_creativity_vote_setting")),
    )


def downgrade():
    op.drop_table("creativity_vote_setting")
    op.drop_table("creativity_vote")
    op.drop_table("activity_reaction")
    op.drop_table("activity")
