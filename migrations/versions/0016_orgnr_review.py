"""One organisation number, one workplace: a claim on a taken number waits for staff review;
staff can mark a workplace as checked.

Existing duplicates keep the number on the oldest workplace; the others get it as a claim
in review, so the unique index can be built.

Revision ID: 0016_orgnr_review
Revises: 0015_name_visibility
Create Date: 2026-11-30 17:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0016_orgnr_review"
down_revision = "0015_name_visibility"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("company", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claimed_org_number", sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column("orgnr_status", sa.String(length=10), nullable=False,
                                      server_default=""))
        batch_op.add_column(sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("checked_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_company_checked_by_id_user", "user",
                                    ["checked_by_id"], ["id"])
    company = sa.table(
        "company",
        sa.column("id", sa.Integer()),
        sa.column("org_number", sa.String()),
        sa.column("claimed_org_number", sa.String()),
        sa.column("orgnr_status", sa.String()),
    )
    first = (sa.select(sa.func.min(company.c.id)).group_by(company.c.org_number)
             .where(company.c.org_number.is_not(None)))
    op.execute(
        company.update()
        .where(company.c.org_number.is_not(None), company.c.id.not_in(first))
        .values(claimed_org_number=company.c.org_number, org_number=None,
                orgnr_status="review")
    )
    op.create_index("uq_company_org_number", "company", ["org_number"], unique=True,
                    postgresql_where=sa.text("org_number IS NOT NULL"),
                    sqlite_where=sa.text("org_number IS NOT NULL"))


def downgrade():
    op.drop_index("uq_company_org_number", table_name="company")
    with op.batch_alter_table("company", schema=None) as batch_op:
        batch_op.drop_constraint("fk_company_checked_by_id_user", type_="foreignkey")
        batch_op.drop_column("checked_by_id")
        batch_op.drop_column("checked_at")
        batch_op.drop_column("orgnr_status")
        batch_op.drop_column("claimed_org_number")
