"""Campaigns as data; stored totals per campaign ('c<id>') and per team and goal ('tg:<id>').

Creates the first campaign from the old CAMPAIGN_START setting (default 2026-09-01, open),
drops the old 'campaign' totals and computes the new campaign's totals and every team's
totals per goal from the ledger itself.

Revision ID: 0012_campaigns
Revises: 0011_outbox_delivery
Create Date: 2026-11-30 16:00:00.000000

"""
import os
from collections import defaultdict
from datetime import UTC, date, datetime

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0012_campaigns"
down_revision = "0011_outbox_delivery"
branch_labels = None
depends_on = None

FIELDS = ("reported_ore", "verified_ore", "match_reported_ore", "match_verified_ore",
          "entry_count")

tally = sa.table(
    "tally",
    sa.column("subject", sa.String), sa.column("subject_id", sa.Integer),
    sa.column("period", sa.String), sa.column("reported_ore", sa.BigInteger),
    sa.column("verified_ore", sa.BigInteger), sa.column("match_reported_ore", sa.BigInteger),
    sa.column("match_verified_ore", sa.BigInteger), sa.column("entry_count", sa.Integer),
    sa.column("changed_at", sa.DateTime(timezone=True)),
)
ledger_entry = sa.table(
    "ledger_entry",
    sa.column("team_id", sa.Integer), sa.column("company_id", sa.Integer),
    sa.column("goal_id", sa.Integer), sa.column("amount_ore", sa.BigInteger),
    sa.column("collected_on", sa.Date), sa.column("method", sa.String),
    sa.column("status", sa.String), sa.column("reverses_id", sa.Integer),
)


def _month(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def upgrade():
    campaign = op.create_table(
        "campaign",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign")),
    )
    starts_on = date.fromisoformat(os.environ.get("CAMPAIGN_START") or "2026-09-01")
    now = datetime.now(UTC)
    op.bulk_insert(campaign, [{"id": 1, "name": f"Lokala mål {starts_on.year}",
                               "starts_on": starts_on, "ends_on": None, "created_at": now}])
    if op.get_bind().dialect.name == "postgresql":
        op.execute("SELECT setval(pg_get_serial_sequence('campaign', 'id'), 1)")

    # New figures, from the ledger: every subject in campaign 1, and teams per goal
    # ('tg:<goal>') in every period.
    op.execute(tally.delete().where(tally.c.period == "campaign"))
    figures = defaultdict(lambda: dict.fromkeys(FIELDS, 0))
    rows = op.get_bind().execute(sa.select(
        ledger_entry.c.team_id, ledger_entry.c.company_id, ledger_entry.c.goal_id,
        ledger_entry.c.amount_ore, ledger_entry.c.collected_on, ledger_entry.c.method,
        ledger_entry.c.status, ledger_entry.c.reverses_id,
    ))
    for row in rows:
        reported = row.amount_ore if row.status in ("pending", "verified") else 0
        verified = row.amount_ore if row.status == "verified" else 0
        is_match = row.method == "match"
        keys = [(f"tg:{row.goal_id}", row.team_id, "all"),
                (f"tg:{row.goal_id}", row.team_id, _month(row.collected_on))]
        if row.collected_on >= starts_on:
            keys.append((f"tg:{row.goal_id}", row.team_id, "c1"))
            for subject, subject_id in (("team", row.team_id), ("company", row.company_id),
                                        ("goal", row.goal_id),
                                        (f"cg:{row.goal_id}", row.company_id), ("all", 0)):
                keys.append((subject, subject_id, "c1"))
        for key in keys:
            f = figures[key]
            f["reported_ore"] += reported
            f["verified_ore"] += verified
            f["match_reported_ore"] += reported if is_match else 0
            f["match_verified_ore"] += verified if is_match else 0
            f["entry_count"] += 1 if row.reverses_id is None else 0
    if figures:
        op.bulk_insert(tally, [
            {"subject": s, "subject_id": i, "period": p, **f, "changed_at": now}
            for (s, i, p), f in figures.items()
        ])


def downgrade():
    # Back to one 'campaign' period: the first campaign's totals take the old name.
    op.execute(tally.delete().where(tally.c.subject.like("tg:%")))
    op.execute(tally.delete().where(tally.c.period.like("c%") & (tally.c.period != "c1")))
    op.execute(tally.update().where(tally.c.period == "c1").values(period="campaign"))
    op.drop_table("campaign")
