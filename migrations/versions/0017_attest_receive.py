"""Two steps of confirmation: "verified" becomes attested (by the workplace) or received (by
the mission's staff).

What was verified by one of the mission's staff (or booked from a Swish report) becomes
received: the money was on the mission's account. What a workplace verified itself (its
admins, its payroll runs, its employer matches) becomes attested: the workplace says it is
genuine, the mission has not confirmed it. A reversal follows the entry it reverses. Migrated
received entries keep the day they were verified as the day the money came in, with the
reference "verifierad före attest och mottagning".

The stored figures move with them without reading the whole ledger twice: attested money
(attested or received) is everything that was verified, and received money is that less the
entries that became attested, subtracted from every total and live challenge figure they
counted in. `flask --app wsgi ledger-check` proves the result.

Revision ID: 0017_attest_receive
Revises: 0016_orgnr_review
Create Date: 2026-11-30 19:30:00.000000

"""
from collections import defaultdict
from datetime import date

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0017_attest_receive"
down_revision = "0016_orgnr_review"
branch_labels = None
depends_on = None

MIGRATED_REFERENCE = "verifierad före attest och mottagning"


# The four new columns of ledger_entry. SQLite cannot add a foreign key to a table without
# rebuilding it, and a rebuild of a table that other rows point at (reversals, matches,
# Swish payments) fails the foreign key check; it can add a column with REFERENCES in place,
# so that is what it does. It cannot drop such a column in place either, so on SQLite the
# downgrade leaves these nullable columns where they are and the upgrade reuses them.
NEW_COLUMNS = (
    ("attested_by_id", 'INTEGER REFERENCES "user" (id)'),
    ("attested_at", "DATETIME"),
    ("received_on", "DATE"),
    ("received_reference", "VARCHAR(120) DEFAULT '' NOT NULL"),
)


def _add_entry_columns():
    if op.get_bind().dialect.name == "sqlite":
        have = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("ledger_entry")}
        for name, kind in NEW_COLUMNS:
            if name not in have:
                op.execute(f"ALTER TABLE ledger_entry ADD COLUMN {name} {kind}")
        return
    with op.batch_alter_table("ledger_entry", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attested_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("attested_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("received_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("received_reference", sa.String(length=120),
                                      nullable=False, server_default=""))
        batch_op.create_foreign_key("fk_ledger_entry_attested_by_id_user", "user",
                                    ["attested_by_id"], ["id"])


def upgrade():
    _add_entry_columns()
    with op.batch_alter_table("tally", schema=None) as batch_op:
        batch_op.alter_column("verified_ore", new_column_name="received_ore")
        batch_op.alter_column("match_verified_ore", new_column_name="match_received_ore")
        batch_op.add_column(sa.Column("attested_ore", sa.BigInteger(), nullable=False,
                                      server_default="0"))
        batch_op.add_column(sa.Column("match_attested_ore", sa.BigInteger(), nullable=False,
                                      server_default="0"))
    with op.batch_alter_table("challenge_tally", schema=None) as batch_op:
        batch_op.alter_column("verified_ore", new_column_name="received_ore")
        batch_op.alter_column("verified_count", new_column_name="received_count")
        batch_op.add_column(sa.Column("attested_ore", sa.BigInteger(), nullable=False,
                                      server_default="0"))
        batch_op.add_column(sa.Column("attested_count", sa.Integer(), nullable=False,
                                      server_default="0"))

    conn = op.get_bind()
    # Everything verified was at least attested.
    conn.execute(sa.text("UPDATE tally SET attested_ore = received_ore, "
                         "match_attested_ore = match_received_ore"))
    conn.execute(sa.text("UPDATE challenge_tally SET attested_ore = received_ore, "
                         "attested_count = received_count"))
    conn.execute(sa.text("UPDATE swish_payment SET action = 'receive' WHERE action = 'verify'"))

    entries = conn.execute(sa.text(
        "SELECT e.id, e.team_id, e.company_id, e.goal_id, e.amount_ore, e.collected_on, "
        "e.method, e.reverses_id, e.giver_id, e.status_changed_at, e.created_at, "
        "COALESCE(s.is_staff, l.is_staff) AS by_staff "
        "FROM ledger_entry e "
        "LEFT JOIN \"user\" s ON s.id = e.status_changed_by_id "
        "LEFT JOIN \"user\" l ON l.id = e.logged_by_id "
        "WHERE e.status = 'verified' ORDER BY e.id"
    )).mappings().all()
    by_id = {row["id"]: row for row in entries}

    def received(row) -> bool:
        # A reversal counts as the entry it reverses; a match is the workplace's promise.
        if row["reverses_id"] is not None and row["reverses_id"] in by_id:
            return received(by_id[row["reverses_id"]])
        return bool(row["by_staff"]) and row["method"] != "match"

    attested_rows = [row for row in entries if not received(row)]
    for row in entries:
        if received(row):
            day = _day(row["status_changed_at"] or row["created_at"]) or row["collected_on"]
            conn.execute(sa.text(
                "UPDATE ledger_entry SET status = 'received', received_on = :day, "
                "received_reference = :ref WHERE id = :id"
            ), {"day": day, "ref": MIGRATED_REFERENCE, "id": row["id"]})
        else:
            conn.execute(sa.text(
                "UPDATE ledger_entry SET status = 'attested', "
                "attested_by_id = status_changed_by_id, attested_at = status_changed_at "
                "WHERE id = :id"
            ), {"id": row["id"]})

    _move_tallies(conn, attested_rows)
    _move_challenge_figures(conn, attested_rows)


def _day(value):
    if value is None:
        return None
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    return value.date() if hasattr(value, "date") else value


def _as_date(value):
    return date.fromisoformat(value) if isinstance(value, str) else value


def _move_tallies(conn, rows):
    """Take the entries that became attested out of the received figures they were in."""
    campaigns = [(f"c{c.id}", _as_date(c.starts_on), _as_date(c.ends_on)) for c in conn.execute(
        sa.text("SELECT id, starts_on, ends_on FROM campaign"))]
    minus = defaultdict(lambda: [0, 0])
    for row in rows:
        day = _as_date(row["collected_on"])
        periods = ["all", f"{day.year:04d}-{day.month:02d}"] + [
            key for key, start, end in campaigns if start <= day and (end is None or day <= end)]
        subjects = [("team", row["team_id"]), ("company", row["company_id"]),
                    ("goal", row["goal_id"]), (f"cg:{row['goal_id']}", row["company_id"]),
                    (f"tg:{row['goal_id']}", row["team_id"]), ("all", 0)]
        for subject in subjects:
            for period in periods:
                figures = minus[(*subject, period)]
                figures[0] += row["amount_ore"]
                figures[1] += row["amount_ore"] if row["method"] == "match" else 0
    for (subject, subject_id, period), (amount, match) in minus.items():
        conn.execute(sa.text(
            "UPDATE tally SET received_ore = received_ore - :amount, "
            "match_received_ore = match_received_ore - :match "
            "WHERE subject = :subject AND subject_id = :subject_id AND period = :period"
        ), {"amount": amount, "match": match, "subject": subject, "subject_id": subject_id,
            "period": period})


def _move_challenge_figures(conn, rows):
    """The same for the figures of challenges still being kept (settled ones are frozen)."""
    challenges = conn.execute(sa.text(
        "SELECT id, starts_on, ends_on, goal_id FROM challenge "
        "WHERE status IN ('proposed', 'accepted') AND settled_at IS NULL"
    )).mappings().all()
    minus = defaultdict(lambda: [0, 0])
    for challenge in challenges:
        counting = {r[0] for r in conn.execute(sa.text(
            "SELECT company_id FROM challenge_participant "
            "WHERE challenge_id = :id AND status != 'declined'"), {"id": challenge["id"]})}
        start, end = _as_date(challenge["starts_on"]), _as_date(challenge["ends_on"])
        for row in rows:
            day = _as_date(row["collected_on"])
            if row["company_id"] not in counting or not start <= day <= end:
                continue
            if challenge["goal_id"] is not None and row["goal_id"] != challenge["goal_id"]:
                continue
            keys = [("company", ""), ("team", str(row["team_id"])), ("day", day.isoformat())]
            if row["giver_id"] is not None:
                keys.append(("person", str(row["giver_id"])))
            sign = (row["amount_ore"] > 0) - (row["amount_ore"] < 0)
            for kind, key in keys:
                figures = minus[(challenge["id"], row["company_id"], kind, key)]
                figures[0] += row["amount_ore"]
                figures[1] += sign
    for (challenge_id, company_id, kind, key), (amount, count) in minus.items():
        conn.execute(sa.text(
            "UPDATE challenge_tally SET received_ore = received_ore - :amount, "
            "received_count = received_count - :count WHERE challenge_id = :challenge_id "
            "AND company_id = :company_id AND kind = :kind AND key = :key"
        ), {"amount": amount, "count": count, "challenge_id": challenge_id,
            "company_id": company_id, "kind": kind, "key": key})


def downgrade():
    conn = op.get_bind()
    conn.execute(sa.text("UPDATE ledger_entry SET status = 'verified' "
                         "WHERE status IN ('attested', 'received')"))
    conn.execute(sa.text("UPDATE tally SET received_ore = attested_ore, "
                         "match_received_ore = match_attested_ore"))
    conn.execute(sa.text("UPDATE challenge_tally SET received_ore = attested_ore, "
                         "received_count = attested_count"))
    conn.execute(sa.text("UPDATE swish_payment SET action = 'verify' WHERE action = 'receive'"))
    with op.batch_alter_table("challenge_tally", schema=None) as batch_op:
        batch_op.drop_column("attested_count")
        batch_op.drop_column("attested_ore")
        batch_op.alter_column("received_count", new_column_name="verified_count")
        batch_op.alter_column("received_ore", new_column_name="verified_ore")
    with op.batch_alter_table("tally", schema=None) as batch_op:
        batch_op.drop_column("match_attested_ore")
        batch_op.drop_column("attested_ore")
        batch_op.alter_column("match_received_ore", new_column_name="match_verified_ore")
        batch_op.alter_column("received_ore", new_column_name="verified_ore")
    if conn.dialect.name == "sqlite":
        conn.execute(sa.text("UPDATE ledger_entry SET attested_by_id = NULL, "
                             "attested_at = NULL, received_on = NULL, received_reference = ''"))
        return
    with op.batch_alter_table("ledger_entry", schema=None) as batch_op:
        batch_op.drop_constraint("fk_ledger_entry_attested_by_id_user", type_="foreignkey")
        batch_op.drop_column("received_reference")
        batch_op.drop_column("received_on")
        batch_op.drop_column("attested_at")
        batch_op.drop_column("attested_by_id")
