"""The stored challenge figures (ChallengeTally) beside the ledger, and what both the
writing and the reading side of challenges need: how money and people count, the score a
measure compares, the headcount a workplace is measured on, when a result may be settled.

One set of rules builds the figures' rows (`_rows`): the ledger listener adds them as
deltas, `backfill` from the ledger when a challenge is proposed, and `challenge_differences`
recomputes them to prove the stored ones right.

Why nothing can be missed or counted twice when a challenge is proposed while a ledger
change of one of its workplaces is being made: the proposal locks the workplace rows
FOR UPDATE before it reads the ledger, and every ledger change holds FOR KEY SHARE on its
workplace row before the listener looks for live challenges (an INSERT of an entry holds it
through its foreign key; a status change takes it here). The two conflict, so one waits for
the other's commit and then, under READ COMMITTED, sees it: either the backfill sees the
change, or the listener sees the challenge, never both and never neither.
"""

from datetime import date, timedelta
from fractions import Fraction
from functools import lru_cache

from flask import current_app
from sqlalchemy import bindparam, event, func, or_, select, text
from sqlalchemy.orm import Session, object_session

from ..extensions import db
from ..ledger.totals import counted
from ..models import Company, LedgerEntry
from ..models.challenge import Challenge, ChallengeParticipant, ChallengeTally
from ..models.ledger import REPORTED

LIVE = ("proposed", "accepted")  # challenges whose figures are still kept
FIELDS = ("reported_ore", "attested_ore", "received_ore",
          "reported_count", "attested_count", "received_count")


# --- Rules both sides share ------------------------------------------------------------


def settle_date(challenge: Challenge) -> date:
    """The first day the result may be settled: after the end and the reconciliation window."""
    return challenge.ends_on + timedelta(days=current_app.config["CHALLENGE_RECONCILE_DAYS"] + 1)


def score(measure: str, ore: int, people: int, headcount: int) -> Fraction:
    """The figure a measure compares: kronor, kronor per employee or share taking part."""
    headcount = max(headcount, 1)
    if measure == "per_employee":
        return Fraction(ore, headcount)
    if measure == "participation":
        return Fraction(min(people, headcount), headcount)
    return Fraction(ore)


def headcount_of(participant: ChallengeParticipant) -> int:
    """The headcount a workplace is measured on: fixed when it joined the accepted
    challenge, so lowering it later changes nothing; before that, today's."""
    fixed = participant.headcount
    if fixed is None:
        fixed = participant.company.headcount
    return max(fixed or 1, 1)


def company_people(challenge_id: int, received: bool = False) -> dict[int, int]:
    """How many distinct people have counted collections, per workplace."""
    count_col = ChallengeTally.received_count if received else ChallengeTally.reported_count
    rows = db.session.execute(
        db.select(ChallengeTally.company_id, func.count(ChallengeTally.id))
        .where(ChallengeTally.challenge_id == challenge_id, ChallengeTally.kind == "person",
               count_col > 0)
        .group_by(ChallengeTally.company_id)
    ).all()
    return dict(rows)


# --- How a ledger change counts -------------------------------------------------------


def _sign(value: int) -> int:
    return (value > 0) - (value < 0)


def _person_of(entries: list[LedgerEntry]) -> dict[int, int | None]:
    """Who each change counts for (entry id -> user id): the entry's giver. A reversal and
    an employer match carry the giver of the gift they follow, so the admin who received
    or corrected it never takes part. The one place that says so."""
    return {e.id: e.giver_id for e in entries}


def _rows(challenge_id: int, entry: LedgerEntry, person_id: int | None,
          rd: int, ad: int, vd: int):
    """The figure rows one change of `rd` reported, `ad` attested and `vd` received öre
    adds to."""
    base = {"challenge_id": challenge_id, "company_id": entry.company_id}
    money = {"reported_ore": rd, "attested_ore": ad, "received_ore": vd,
             "reported_count": _sign(rd), "attested_count": _sign(ad),
             "received_count": _sign(vd)}
    rows = [
        {**base, "kind": "company", "key": "", **money},
        {**base, "kind": "team", "key": str(entry.team_id), **money},
        {**base, "kind": "day", "key": entry.collected_on.isoformat(), **money},
    ]
    if person_id is not None:
        rows.append({**base, "kind": "person", "key": str(person_id), **money})
    return rows


def _key(row) -> tuple:
    return (row["challenge_id"], row["company_id"], row["kind"], row["key"])


def _merge(rows: list[dict]) -> dict[tuple, dict]:
    merged: dict[tuple, dict] = {}
    for row in rows:
        k = _key(row)
        if k in merged:
            for name in FIELDS:
                merged[k][name] += row[name]
        else:
            merged[k] = dict(row)
    return merged


@lru_cache(maxsize=16)
def _upsert_of(count: int):
    """The upsert of `count` rows as one statement, the same text for PostgreSQL and SQLite,
    built once per count: plain text with one VALUES list, since SQLAlchemy compiled its ON
    CONFLICT construct anew on every collection in a challenge, and a list of rows sent one
    statement each (executemany) cost several times one statement of them all."""
    values = ", ".join(
        f"(:challenge_id_{i}, :company_id_{i}, :kind_{i}, :key_{i}, "
        + ", ".join(f":{name}_{i}" for name in FIELDS) + ")"
        for i in range(count)
    )
    return text(
        'INSERT INTO challenge_tally (challenge_id, company_id, kind, "key", '
        + ", ".join(FIELDS) + ") VALUES " + values
        + ' ON CONFLICT (challenge_id, company_id, kind, "key") DO UPDATE SET '
        + ", ".join(f"{name} = challenge_tally.{name} + excluded.{name}" for name in FIELDS)
    )


def _upsert(rows: list[dict]) -> int:
    """Add the rows to the stored figures with SQL increments; the number of rows."""
    if not rows:
        return 0
    merged = _merge(rows)
    # In key order, so that concurrent writers lock shared rows in the same order (the
    # rows of one VALUES list are inserted in the order they stand in). A backfill's
    # thousands go in parts, under the databases' limits on parameters.
    ordered = [merged[k] for k in sorted(merged)]
    connection = db.session.connection()
    for start in range(0, len(ordered), _PART):
        part = ordered[start:start + _PART]
        connection.execute(_upsert_of(len(part)), {
            f"{name}_{i}": value for i, row in enumerate(part) for name, value in row.items()
        })
    return len(merged)


_PART = 500  # rows in one statement: 5 000 parameters


@lru_cache(maxsize=1)
def _live_challenges_of():
    """The challenges a ledger change counts in, as one statement on the tables built once:
    every collection asks this, and building the query anew (or through the ORM) each time
    cost more than running it."""
    challenge, participant = Challenge.__table__, ChallengeParticipant.__table__
    return (
        select(challenge.c.id)
        .join(participant, participant.c.challenge_id == challenge.c.id)
        .where(
            participant.c.company_id == bindparam("company_id"),
            participant.c.status != "declined",
            challenge.c.status.in_(LIVE),
            challenge.c.settled_at.is_(None),
            challenge.c.starts_on <= bindparam("day"),
            challenge.c.ends_on >= bindparam("day"),
            or_(challenge.c.goal_id.is_(None), challenge.c.goal_id == bindparam("goal_id")),
        )
    )


# --- Serialising ledger changes with proposals (PostgreSQL) ------------------------------

_HELD = "challenges.workplaces_held"  # session.info: workplace rows this transaction holds
_KEY_SHARE = text("SELECT 1 FROM company WHERE id = :company_id FOR KEY SHARE")


def _entry_inserted(_mapper, _connection, entry: LedgerEntry) -> None:
    # The INSERT's foreign key check took FOR KEY SHARE on the workplace row; it is held to
    # the end of the transaction, so the listener need not ask for it again (one statement
    # less on every collection logged).
    session = object_session(entry)
    if session is not None:
        session.info.setdefault(_HELD, set()).add(entry.company_id)


def _transaction_ended(session, transaction) -> None:
    # Locks end with the transaction (a rolled-back savepoint ends its own): forget them
    # all; at worst a later change takes its lock once more. A flush's inner
    # subtransaction (neither root nor savepoint) ends nothing.
    if transaction.parent is None or transaction.nested:
        session.info.pop(_HELD, None)


def init_events() -> None:
    """Follow which workplace rows a transaction holds through inserted entries
    (idempotent: tests build several apps in one process)."""
    if not event.contains(LedgerEntry, "after_insert", _entry_inserted):
        event.listen(LedgerEntry, "after_insert", _entry_inserted)
    if not event.contains(Session, "after_transaction_end", _transaction_ended):
        event.listen(Session, "after_transaction_end", _transaction_ended)


def hold_workplace(company_id: int) -> None:
    """Hold FOR KEY SHARE on the workplace row until commit (PostgreSQL), so that a
    proposal for it waits for this ledger change, or this change for the proposal. Does
    not block other ledger changes. SQLite serialises writing transactions anyway."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    held = db.session.info.setdefault(_HELD, set())
    if company_id in held:
        return
    db.session.execute(_KEY_SHARE, {"company_id": company_id})
    held.add(company_id)


def lock_workplaces(company_ids) -> None:
    """Lock the workplace rows FOR UPDATE, in id order: no ledger change of theirs can
    happen until commit, and one that is happening is waited for (PostgreSQL)."""
    db.session.execute(
        db.select(Company.id).where(Company.id.in_(sorted(set(company_ids))))
        .order_by(Company.id).with_for_update())


def on_ledger_change(entry: LedgerEntry, reported_delta: int, attested_delta: int,
                     received_delta: int) -> None:
    """Count a ledger change in every live, unsettled challenge of the entry's workplace
    whose period (and goal, if any) it falls in; same transaction as the ledger."""
    hold_workplace(entry.company_id)
    challenge_ids = db.session.connection().execute(_live_challenges_of(), {
        "company_id": entry.company_id, "day": entry.collected_on, "goal_id": entry.goal_id,
    }).scalars().all()
    if not challenge_ids:
        return
    person = _person_of([entry])[entry.id]
    _upsert([row for cid in challenge_ids
             for row in _rows(cid, entry, person, reported_delta, attested_delta,
                              received_delta)])


# --- From the ledger: backfill, check, rebuild -----------------------------------------


def _counting(challenge: Challenge) -> list[int]:
    """The workplaces whose figures the challenge keeps (a workplace that declined stops)."""
    return [p.company_id for p in challenge.participants if p.status != "declined"]


def ledger_rows(challenge: Challenge) -> list[dict]:
    """Every figure row the ledger as it is gives the challenge, unmerged: each entry counts
    as if it had been logged and moved to its status with the challenge live."""
    query = db.select(LedgerEntry).where(
        LedgerEntry.company_id.in_(_counting(challenge)),
        LedgerEntry.collected_on >= challenge.starts_on,
        LedgerEntry.collected_on <= challenge.ends_on,
        LedgerEntry.status.in_(REPORTED),
    )
    if challenge.goal_id is not None:
        query = query.where(LedgerEntry.goal_id == challenge.goal_id)
    entries = db.session.execute(query).scalars().all()
    people = _person_of(entries)
    rows = []
    for e in entries:
        rows += _rows(challenge.id, e, people[e.id], *counted(e.status, e.amount_ore))
    return rows


def backfill(challenge: Challenge) -> int:
    """Count what the ledger already holds for the challenge's period (a challenge may
    start today, after collections were logged this morning). The caller holds the
    workplace rows locked (`lock_workplaces`)."""
    return _upsert(ledger_rows(challenge))


def _kept_challenges() -> list[Challenge]:
    return db.session.execute(
        db.select(Challenge)
        .where(Challenge.status.in_(LIVE), Challenge.settled_at.is_(None))
        .options(db.selectinload(Challenge.participants))
        .order_by(Challenge.id)
        .execution_options(populate_existing=True)  # read again after taking locks
    ).scalars().all()


def _differences_of(challenge: Challenge) -> list[tuple[tuple, str, int, int]]:
    """(row key, field, stored, expected) for each figure of one challenge that is wrong."""
    counting = set(_counting(challenge))
    expected = _merge(ledger_rows(challenge))
    stored = {
        (t.challenge_id, t.company_id, t.kind, t.key): t for t in db.session.execute(
            db.select(ChallengeTally).where(ChallengeTally.challenge_id == challenge.id)
        ).scalars() if t.company_id in counting
    }
    found = []
    for k in sorted(set(expected) | set(stored)):
        want = expected.get(k, {})
        have = stored.get(k)
        for name in FIELDS:
            s = getattr(have, name, 0) or 0
            w = want.get(name, 0)
            if s != w:
                found.append((k, name, s, w))
    return found


def challenge_differences() -> list[str]:
    """Each stored figure of a live challenge that is not what the ledger says, as a line.

    Settled, declined and withdrawn challenges are left out: their figures stopped with
    them (a settled result is frozen in its participants' final_* columns).
    """
    return [
        f"utmaning {challenge_id} arbetsplats {company_id} {kind} {key} "
        f"{name}: lagrat {s}, enligt huvudboken {w} (skillnad {s - w:+d})"
        for challenge in _kept_challenges()
        for (challenge_id, company_id, kind, key), name, s, w in _differences_of(challenge)
    ]


def rebuild_challenge_figures() -> int:
    """Write anew from the ledger the figures of every live challenge that has a wrong
    one; the number of figure rows that were wrong. Locks the workplaces first, like a
    proposal; the caller commits."""
    locked: set[int] = set()
    while True:
        challenges = _kept_challenges()
        needed = {cid for c in challenges for cid in _counting(c)} - locked
        if not needed:
            break
        lock_workplaces(needed)  # then read again: a proposal may have committed meanwhile
        locked |= needed
    changed = 0
    for challenge in challenges:
        wrong = {key for key, *_ in _differences_of(challenge)}
        if not wrong:
            continue
        db.session.execute(db.delete(ChallengeTally).where(
            ChallengeTally.challenge_id == challenge.id,
            ChallengeTally.company_id.in_(_counting(challenge))))
        backfill(challenge)
        changed += len(wrong)
    return changed

