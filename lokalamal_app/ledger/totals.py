"""Keeping the stored totals (Tally) in step with the ledger.

Every change goes through `apply()`, inside the caller's transaction, as one SQL upsert
that adds to the stored figures (`reported_ore = tally.reported_ore + :delta`): never a
read-modify-write in Python, so concurrent workers cannot lose an increment.
"""

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from sqlalchemy import func, text, update

from .. import campaigns, database, shared_state
from ..extensions import db
from ..models import BoardVersion, LedgerEntry, Tally
from ..models.base import utcnow
from ..models.ledger import ATTESTED, RECEIVED, REPORTED

PERIOD_ALL = "all"


def month_key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def campaign_key(campaign_id: int) -> str:
    """The period of one campaign's totals ("c1")."""
    return f"c{campaign_id}"


def periods_for(day: date, campaign_list=None) -> list[str]:
    """The periods a collection on `day` counts in: all time, its month and every campaign
    whose dates contain it (from this process's campaign list unless one is given)."""
    periods = [PERIOD_ALL, month_key(day)]
    periods.extend(c.period for c in campaigns.containing(day, campaign_list))
    return periods


def company_goal_subject(goal_id: int) -> str:
    """Subject name for a workplace's totals on one goal ("cg:3"); its id is the company's."""
    return f"cg:{goal_id}"


def team_goal_subject(goal_id: int) -> str:
    """Subject name for a team's totals on one goal ("tg:3"); its id is the team's. A team
    that changes goal keeps what it raised for the old goal there."""
    return f"tg:{goal_id}"


def subjects_for(entry: LedgerEntry) -> list[tuple[str, int]]:
    """The stored totals an entry counts in. There is no overall row: every change would
    wait for it (see `overall`), so the whole is the sum of the five goals' rows."""
    return [
        ("team", entry.team_id),
        (team_goal_subject(entry.goal_id), entry.team_id),
        ("company", entry.company_id),
        (company_goal_subject(entry.goal_id), entry.company_id),
        ("goal", entry.goal_id),
    ]


MONEY_FIELDS = ("reported_ore", "attested_ore", "received_ore",
                "match_reported_ore", "match_attested_ore", "match_received_ore")
_ADDED = (*MONEY_FIELDS, "entry_count")

@lru_cache(maxsize=8)
def _sqlite_upsert(subject_count: int, period_count: int):
    """The upsert on SQLite (PostgreSQL has `_PG_UPSERT` below): every subject times every
    period, as one statement of plain text built once per count. A statement per row
    (executemany) cost SQLAlchemy's parameter handling eighteen times or more, and its own
    ON CONFLICT construct was compiled anew on every execution."""
    subjects = ", ".join(f"(:subject_{i}, :subject_id_{i}, {i})" for i in range(subject_count))
    periods = ", ".join(f"(:period_{i}, {i})" for i in range(period_count))
    return text(
        "INSERT INTO tally (subject, subject_id, period, " + ", ".join(_ADDED) + ", changed_at) "
        "SELECT s.column1, s.column2, p.column1, " + ", ".join(f":{name}" for name in _ADDED)
        + f", :changed_at FROM (VALUES {subjects}) AS s CROSS JOIN (VALUES {periods}) AS p "
        # WHERE true: SQLite's parser needs it between a join and ON CONFLICT.
        "WHERE true ORDER BY s.column3, p.column2 "
        "ON CONFLICT (subject, subject_id, period) DO UPDATE SET "
        + ", ".join(f"{name} = tally.{name} + excluded.{name}" for name in _ADDED)
        + ", changed_at = excluded.changed_at"
    )


def counted(status: str, amount_ore: int) -> tuple[int, int, int]:
    """What an entry of `amount_ore` in `status` adds to the reported, attested and received
    figures: each step counts in the earlier ones too."""
    return (amount_ore if status in REPORTED else 0,
            amount_ore if status in ATTESTED else 0,
            amount_ore if status in RECEIVED else 0)


def moved(entry: LedgerEntry, old_status: str) -> None:
    """Move the figures of an entry whose status just changed from `old_status`."""
    before = counted(old_status, entry.amount_ore)
    after = counted(entry.status, entry.amount_ore)
    apply(entry, *(a - b for a, b in zip(after, before, strict=True)))


def apply(entry: LedgerEntry, reported_delta: int = 0, attested_delta: int = 0,
          received_delta: int = 0, count_delta: int = 0):
    """Add the deltas to every total the entry counts in, and bump the board version."""
    if not (reported_delta or attested_delta or received_delta or count_delta):
        return
    is_match = entry.method == "match"
    subjects = subjects_for(entry)
    periods = periods_for(entry.collected_on)
    deltas = {
        "reported_ore": reported_delta,
        "attested_ore": attested_delta,
        "received_ore": received_delta,
        "match_reported_ore": reported_delta if is_match else 0,
        "match_attested_ore": attested_delta if is_match else 0,
        "match_received_ore": received_delta if is_match else 0,
        "entry_count": count_delta,
        "changed_at": utcnow(),
    }
    # The statements below are plain ones, run on the session's connection: what the ORM
    # has pending (an entry's new status) goes first, as a query through the ORM would send it.
    db.session.flush()
    # Listeners first: the upsert locks rows that many changes share (a goal's, a
    # workplace's), held until commit, so it comes last.
    for listener in _listeners:
        listener(entry, reported_delta, attested_delta, received_delta)
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(_PG_UPSERT, {
            "subjects": [subject for subject, _ in subjects],
            "subject_ids": [subject_id for _, subject_id in subjects],
            "periods": periods,
            **deltas,
        })
    else:
        params = dict(deltas)
        for i, (subject, subject_id) in enumerate(subjects):
            params[f"subject_{i}"], params[f"subject_id_{i}"] = subject, subject_id
        for i, period in enumerate(periods):
            params[f"period_{i}"] = period
        connection.execute(_sqlite_upsert(len(subjects), len(periods)), params)
    bump_board_version()


# The same upsert for PostgreSQL as one statement over arrays: every subject times every
# period, in the order given, so concurrent changes lock shared rows in the same order.
# Sent as one round trip instead of a pipeline of one per row (eighteen or more), it costs
# a fraction of the Python time, and the text never changes, so the server keeps it prepared.
_PG_UPSERT = text("""
INSERT INTO tally (subject, subject_id, period, reported_ore, attested_ore, received_ore,
                   match_reported_ore, match_attested_ore, match_received_ore, entry_count,
                   changed_at)
SELECT s.subject, s.subject_id, p.period, :reported_ore, :attested_ore, :received_ore,
       :match_reported_ore, :match_attested_ore, :match_received_ore, :entry_count,
       :changed_at
FROM unnest(CAST(:subjects AS varchar[]), CAST(:subject_ids AS integer[]))
     WITH ORDINALITY AS s(subject, subject_id, s_order)
CROSS JOIN unnest(CAST(:periods AS varchar[])) WITH ORDINALITY AS p(period, p_order)
ORDER BY s.s_order, p.p_order
ON CONFLICT (subject, subject_id, period) DO UPDATE SET
    reported_ore = tally.reported_ore + excluded.reported_ore,
    attested_ore = tally.attested_ore + excluded.attested_ore,
    received_ore = tally.received_ore + excluded.received_ore,
    match_reported_ore = tally.match_reported_ore + excluded.match_reported_ore,
    match_attested_ore = tally.match_attested_ore + excluded.match_attested_ore,
    match_received_ore = tally.match_received_ore + excluded.match_received_ore,
    entry_count = tally.entry_count + excluded.entry_count,
    changed_at = excluded.changed_at
""")


_listeners: list = []


def on_change(listener):
    """Register `listener(entry, reported_delta, attested_delta, received_delta)`, called in the same
    transaction whenever an entry's amounts count differently (challenge totals, matching).
    Registering one twice changes nothing (create_app may run several times)."""
    if listener not in _listeners:
        _listeners.append(listener)
    return listener


BOARD_VERSION_KEY = "board_version"


def bump_board_version() -> None:
    """Tell live boards that something changed, without a row every change must wait for.

    With Redis (REDIS_URL): INCR once the caller's transaction commits. On PostgreSQL: the
    sequence `board_version_seq`, advanced once the transaction commits (never inside it: a
    poller that saw the new number before the money was visible would keep the old board
    under it). Either way a rolled-back change never bumps. On SQLite, where writers take
    turns anyway, one row incremented in the caller's transaction.
    """
    client = shared_state.redis_client()
    if client is not None:
        shared_state.incr_after_commit(db.session(), client, shared_state.key(BOARD_VERSION_KEY))
        return
    if db.session.get_bind().dialect.name == "postgresql":
        shared_state.after_commit(db.session(), "board_version_seq", _advance_sequence)
        return
    db.session.connection().execute(_BUMP)


def _advance_sequence() -> None:
    # In autocommit: a sequence needs no transaction, and BEGIN and COMMIT around it were
    # two of the round trips every logged collection waited for.
    database.in_autocommit(_NEXT_VERSION)


_NEXT_VERSION = text("SELECT nextval('board_version_seq')")


# Built once, on the table rather than the model: it runs with every change to the ledger,
# and an UPDATE through the model first looks for the row among the loaded objects.
_versions = BoardVersion.__table__
_BUMP = update(_versions).where(_versions.c.id == 1).values(version=_versions.c.version + 1)


def board_version() -> int:
    """The live boards' version: changes whenever a committed change moved a figure."""
    client = shared_state.redis_client()
    if client is not None:
        return shared_state.read_counter(client, shared_state.key(BOARD_VERSION_KEY))
    if db.session.get_bind().dialect.name == "postgresql":
        return db.session.execute(_SEQUENCE_VALUE).scalar_one()
    return db.session.execute(
        db.select(BoardVersion.version).where(BoardVersion.id == 1)
    ).scalar_one_or_none() or 0


# A sequence's last_value reads without a lock; before its first nextval it is 1 with
# is_called false, which must read differently from after it.
_SEQUENCE_VALUE = text("SELECT CASE WHEN is_called THEN last_value ELSE 0 END "
                       "FROM board_version_seq")


@dataclass
class Overall:
    """Everything together in one period: the sum of the goals' stored totals."""
    period: str
    reported_ore: int = 0
    attested_ore: int = 0
    received_ore: int = 0
    match_reported_ore: int = 0
    match_attested_ore: int = 0
    match_received_ore: int = 0
    entry_count: int = 0


def overall(periods: list[str]) -> dict[str, Overall]:
    """The overall figures for each period, summed from the five goal rows in one query
    (an entry counts in exactly one goal, so the sum is the whole)."""
    fields = (*MONEY_FIELDS, "entry_count")
    table = Tally.__table__
    rows = db.session.execute(
        db.select(table.c.period, *(func.coalesce(func.sum(table.c[f]), 0) for f in fields))
        .where(table.c.subject == "goal", table.c.period.in_(periods))
        .group_by(table.c.period)
    ).all()
    found = {period: Overall(period) for period in periods}
    for period, *values in rows:
        found[period] = Overall(period, *(int(v) for v in values))
    return found


def figures(subject: str, subject_id: int, period: str = PERIOD_ALL) -> Tally | None:
    """The stored totals of one subject, or None when nothing was ever logged."""
    return db.session.execute(
        db.select(Tally).where(
            Tally.subject == subject, Tally.subject_id == subject_id, Tally.period == period
        )
    ).scalar_one_or_none()


def figures_by_id(subject: str, ids: list[int], period: str = PERIOD_ALL) -> dict[int, Tally]:
    """Stored totals for many subjects in one query, keyed by id."""
    if not ids:
        return {}
    rows = db.session.execute(
        db.select(Tally).where(
            Tally.subject == subject, Tally.subject_id.in_(ids), Tally.period == period
        )
    ).scalars()
    return {row.subject_id: row for row in rows}
