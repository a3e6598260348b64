"""Writing challenges: propose, answer, withdraw, keep the figures, settle.

Functions enforce the rules and flush; the caller commits. A broken rule raises
ChallengeError with a message fit for the user, in the user's language. What other
workplaces' admins are told is a lazy string: `notify` writes it in each one's language.
"""

from collections import defaultdict
from datetime import date, timedelta
from fractions import Fraction
from functools import lru_cache

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, or_
from sqlalchemy.dialects import postgresql, sqlite

from .. import audit, clock
from ..extensions import db
from ..i18n_request import _
from ..ledger import totals
from ..models import Company, LedgerEntry, Membership
from ..models.base import utcnow
from ..models.challenge import (
    GREETING_MAX,
    MEASURES,
    REPLY_MAX,
    Challenge,
    ChallengeParticipant,
    ChallengeTally,
)
from ..notifications import notify

MAX_DAYS = 366  # a period of at most a year, both days counted
LIVE = ("proposed", "accepted")  # challenges whose figures are still kept


class ChallengeError(ValueError):
    """A rule was broken; the message is Swedish. `status` is the HTTP status to answer."""

    def __init__(self, message: str, status: int = 422, field: str | None = None):
        super().__init__(message)
        self.status = status
        self.field = field


def period_problem(starts_on: date | None, ends_on: date | None, today: date) -> tuple[str, str] | None:
    """(field, message) when the period breaks a rule, else None."""
    if starts_on is None or ends_on is None:
        return ("starts_on" if starts_on is None else "ends_on", _("Ange ett datum."))
    if starts_on < today:
        return ("starts_on", _("Utmaningen kan inte börja i det förflutna. Välj i dag eller senare."))
    if ends_on < starts_on:
        return ("ends_on", _("Slutdatumet måste vara samma dag som startdatumet eller senare."))
    if (ends_on - starts_on).days + 1 > MAX_DAYS:
        return ("ends_on", _("En utmaning får pågå i högst ett år."))
    return None


def admins_of(company_ids: list[int]) -> list[Membership]:
    """The admin memberships of these workplaces (with their users), in one query."""
    if not company_ids:
        return []
    return db.session.execute(
        db.select(Membership)
        .where(Membership.company_id.in_(company_ids), Membership.role == "admin")
        .options(db.joinedload(Membership.user))
        .order_by(Membership.id)
    ).scalars().all()


def overlapping(company_ids: list[int], starts_on: date, ends_on: date,
                exclude_id: int | None = None) -> Challenge | None:
    """A proposed or accepted challenge in which two of these workplaces meet in the period."""
    rows = db.session.execute(
        db.select(Challenge.id, ChallengeParticipant.company_id)
        .join(ChallengeParticipant, ChallengeParticipant.challenge_id == Challenge.id)
        .where(
            Challenge.status.in_(LIVE),
            ChallengeParticipant.status != "declined",
            ChallengeParticipant.company_id.in_(company_ids),
            Challenge.starts_on <= ends_on,
            Challenge.ends_on >= starts_on,
            Challenge.id != (exclude_id or 0),
        )
    ).all()
    seen: dict[int, set[int]] = defaultdict(set)
    for challenge_id, company_id in rows:
        seen[challenge_id].add(company_id)
    for challenge_id, companies in seen.items():
        if len(companies) >= 2:
            return db.session.get(Challenge, challenge_id)
    return None


def _lock(challenge: Challenge) -> None:
    """Take the challenge's row lock (PostgreSQL; SQLite writers are serialised by BEGIN
    IMMEDIATE) and reload what another worker may just have changed."""
    db.session.execute(
        db.select(Challenge.id).where(Challenge.id == challenge.id).with_for_update())
    db.session.refresh(challenge)
    for participant in challenge.participants:
        db.session.refresh(participant)


def propose_challenge(
    challenger: Company,
    opponents: list[Company],
    starts_on: date,
    ends_on: date,
    measure: str,
    goal_id: int | None,
    greeting: str,
    actor,
    rematch_of: Challenge | None = None,
    today: date | None = None,
) -> Challenge:
    """Challenge one or more workplaces; their admins are told in the app and by e-mail."""
    today = today or clock.today()
    opponents = list({c.id: c for c in opponents if c is not None}.values())
    if not opponents:
        raise ChallengeError(_("Välj minst en arbetsplats att utmana."), field="opponent")
    if any(c.id == challenger.id for c in opponents):
        raise ChallengeError(_("Ni kan inte utmana er egen arbetsplats."), field="opponent")
    if len(opponents) > 20:
        raise ChallengeError(_("Högst 20 arbetsplatser kan vara med i samma utmaning."),
                             field="opponent")
    problem = period_problem(starts_on, ends_on, today)
    if problem:
        raise ChallengeError(problem[1], field=problem[0])
    if measure not in MEASURES:
        raise ChallengeError(_("Välj hur utmaningen ska avgöras."), field="measure")
    greeting = (greeting or "").strip()
    if len(greeting) > GREETING_MAX:
        raise ChallengeError(_("Hälsningen får vara högst %(max)s tecken.", max=GREETING_MAX),
                             field="greeting")
    if rematch_of is not None and rematch_of.settled_at is None:
        raise ChallengeError(_("En revansch kan bara föreslås när utmaningen är avgjord."))
    ids = [challenger.id] + [c.id for c in opponents]
    # Lock the workplaces (in id order) so two proposals for the same pair cannot both
    # pass the overlap check at once.
    db.session.execute(
        db.select(Company.id).where(Company.id.in_(ids)).order_by(Company.id).with_for_update())
    clash = overlapping(ids, starts_on, ends_on)
    if clash is not None:
        raise ChallengeError(
            _("Ni har redan en utmaning mot samma arbetsplats som överlappar de här datumen."),
            status=409, field="starts_on",
        )
    challenge = Challenge(
        challenger_id=challenger.id, created_by_id=getattr(actor, "id", None),
        starts_on=starts_on, ends_on=ends_on, measure=measure, goal_id=goal_id,
        greeting=greeting, status="proposed",
        rematch_of_id=rematch_of.id if rematch_of else None,
    )
    db.session.add(challenge)
    db.session.flush()
    now = utcnow()
    db.session.add(ChallengeParticipant(
        challenge_id=challenge.id, company_id=challenger.id, status="accepted",
        answered_at=now, answered_by_id=getattr(actor, "id", None),
    ))
    for company in opponents:
        db.session.add(ChallengeParticipant(challenge_id=challenge.id, company_id=company.id))
    db.session.flush()
    backfill(challenge)
    audit.record("challenge.propose", "challenge", challenge.id, actor=actor, after={
        "challenger": challenger.id, "opponents": [c.id for c in opponents],
        "starts_on": starts_on, "ends_on": ends_on, "measure": measure, "goal_id": goal_id,
    })
    link = f"/challenges/{challenge.id}"
    for membership in admins_of([c.id for c in opponents]):
        notify(
            membership.user,
            _l("%(name)s utmanar er i Vägg i vägg (%(period)s). Svara ja eller nej på utmaningens sida.",
               name=challenger.name, period=_period_text(challenge)),
            link,
            email_subject=_l("%(name)s utmanar er – Lokala mål", name=challenger.name),
        )
    return challenge


def _period_text(challenge: Challenge) -> str:
    return f"{challenge.starts_on.isoformat()} – {challenge.ends_on.isoformat()}"


def _participant(challenge: Challenge, company: Company) -> ChallengeParticipant | None:
    return next((p for p in challenge.participants if p.company_id == company.id), None)


def _check_answerable(challenge: Challenge, company: Company, reply: str,
                      today: date) -> ChallengeParticipant:
    participant = _participant(challenge, company)
    if participant is None or company.id == challenge.challenger_id:
        raise ChallengeError(_("Er arbetsplats är inte utmanad här."), status=403)
    if challenge.status == "withdrawn":
        raise ChallengeError(_("Utmaningen är återkallad och kan inte längre besvaras."), status=409)
    if participant.status != "invited" or challenge.status not in LIVE:
        raise ChallengeError(_("Ni har redan svarat på utmaningen."), status=409)
    if challenge.settled_at is not None or challenge.ends_on < today:
        raise ChallengeError(_("Utmaningen är redan slut."), status=409)
    if len((reply or "").strip()) > REPLY_MAX:
        raise ChallengeError(_("Svaret får vara högst %(max)s tecken.", max=REPLY_MAX), field="reply")
    return participant


def answer_challenge(challenge: Challenge, company: Company, accept: bool, reply: str,
                     actor, today: date | None = None) -> Challenge:
    """An invited workplace says yes or no. The challenge starts counting publicly when
    every invitee has answered and at least one said yes; it is declined if all said no."""
    _lock(challenge)
    participant = _check_answerable(challenge, company, reply, today or clock.today())
    participant.status = "accepted" if accept else "declined"
    participant.reply = (reply or "").strip()
    participant.answered_at = utcnow()
    participant.answered_by_id = getattr(actor, "id", None)
    invitees = [p for p in challenge.participants if p.company_id != challenge.challenger_id]
    if all(p.status != "invited" for p in invitees):
        if any(p.status == "accepted" for p in invitees):
            challenge.status = "accepted"
            challenge.accepted_at = utcnow()
        else:
            challenge.status = "declined"
    db.session.flush()
    audit.record("challenge.accept" if accept else "challenge.decline", "challenge",
                 challenge.id, actor=actor,
                 after={"company": company.id, "reply": participant.reply})
    if accept:
        message = _l("%(name)s antog er utmaning.", name=company.name)
        subject = _l("%(name)s antog er utmaning – Lokala mål", name=company.name)
    else:
        message = _l("%(name)s tackade nej till er utmaning.", name=company.name)
        subject = _l("%(name)s tackade nej till er utmaning – Lokala mål", name=company.name)
    for membership in admins_of([challenge.challenger_id]):
        notify(membership.user, message, f"/challenges/{challenge.id}", email_subject=subject)
    totals.bump_board_version()
    return challenge


def withdraw_challenge(challenge: Challenge, actor) -> Challenge:
    """The challenger takes a proposal back before it has been accepted."""
    _lock(challenge)
    if challenge.status == "withdrawn":
        raise ChallengeError(_("Utmaningen är redan återkallad."), status=409)
    if challenge.status != "proposed":
        raise ChallengeError(_("Utmaningen är redan besvarad och kan inte återkallas."), status=409)
    challenge.status = "withdrawn"
    db.session.flush()
    audit.record("challenge.withdraw", "challenge", challenge.id, actor=actor,
                 before={"status": "proposed"}, after={"status": "withdrawn"})
    invitees = [p.company_id for p in challenge.participants
                if p.company_id != challenge.challenger_id]
    for membership in admins_of(invitees):
        notify(membership.user, _l("%(name)s återkallade sin utmaning.",
                                   name=challenge.challenger.name),
               f"/challenges/{challenge.id}")
    return challenge


# --- Figures kept beside the ledger -------------------------------------------------


def _sign(value: int) -> int:
    return (value > 0) - (value < 0)


def _person_of(entry: LedgerEntry) -> int | None:
    """Who a change counts for: a reversal counts for the person who logged the original."""
    if entry.reverses_id is not None:
        original = db.session.get(LedgerEntry, entry.reverses_id)
        return original.logged_by_id if original else None
    return entry.logged_by_id


def _rows(challenge_id: int, entry: LedgerEntry, person_id: int | None, rd: int, vd: int):
    base = {"challenge_id": challenge_id, "company_id": entry.company_id}
    money = {"reported_ore": rd, "verified_ore": vd, "reported_count": _sign(rd),
             "verified_count": _sign(vd)}
    rows = [
        {**base, "kind": "company", "key": "", **money},
        {**base, "kind": "team", "key": str(entry.team_id), **money},
        {**base, "kind": "day", "key": entry.collected_on.isoformat(), **money},
    ]
    if person_id is not None:
        rows.append({**base, "kind": "person", "key": str(person_id), **money})
    return rows


def _upsert(rows: list[dict]) -> None:
    if not rows:
        return
    merged: dict[tuple, dict] = {}
    for row in rows:
        k = (row["challenge_id"], row["company_id"], row["kind"], row["key"])
        if k in merged:
            for field in ("reported_ore", "verified_ore", "reported_count", "verified_count"):
                merged[k][field] += row[field]
        else:
            merged[k] = dict(row)
    dialect = db.session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(ChallengeTally)
    stmt = insert.values(list(merged.values()))
    excluded = stmt.excluded
    stmt = stmt.on_conflict_do_update(
        index_elements=[ChallengeTally.challenge_id, ChallengeTally.company_id,
                        ChallengeTally.kind, ChallengeTally.key],
        set_={field: getattr(ChallengeTally, field) + getattr(excluded, field)
              for field in ("reported_ore", "verified_ore", "reported_count", "verified_count")},
    )
    db.session.execute(stmt)


@lru_cache(maxsize=1)
def _live_challenges_of():
    """The challenges a ledger change counts in, as one statement built once: every
    collection asks this, and building the query anew each time cost more than running it."""
    return (
        db.select(Challenge.id)
        .join(ChallengeParticipant, ChallengeParticipant.challenge_id == Challenge.id)
        .where(
            ChallengeParticipant.company_id == bindparam("company_id"),
            ChallengeParticipant.status != "declined",
            Challenge.status.in_(LIVE),
            Challenge.settled_at.is_(None),
            Challenge.starts_on <= bindparam("day"),
            Challenge.ends_on >= bindparam("day"),
            or_(Challenge.goal_id.is_(None), Challenge.goal_id == bindparam("goal_id")),
        )
    )


@totals.on_change
def on_ledger_change(entry: LedgerEntry, reported_delta: int, verified_delta: int) -> None:
    """Count a ledger change in every live, unsettled challenge of the entry's workplace
    whose period (and goal, if any) it falls in; same transaction as the ledger."""
    challenge_ids = db.session.execute(_live_challenges_of(), {
        "company_id": entry.company_id, "day": entry.collected_on, "goal_id": entry.goal_id,
    }).scalars().all()
    if not challenge_ids:
        return
    person = _person_of(entry)
    _upsert([row for cid in challenge_ids
             for row in _rows(cid, entry, person, reported_delta, verified_delta)])


def backfill(challenge: Challenge) -> None:
    """Count what the ledger already holds for the challenge's period (a challenge may
    start today, after collections were logged this morning)."""
    company_ids = [p.company_id for p in challenge.participants]
    query = db.select(LedgerEntry).where(
        LedgerEntry.company_id.in_(company_ids),
        LedgerEntry.collected_on >= challenge.starts_on,
        LedgerEntry.collected_on <= challenge.ends_on,
        LedgerEntry.status.in_(("pending", "verified")),
    )
    if challenge.goal_id is not None:
        query = query.where(LedgerEntry.goal_id == challenge.goal_id)
    entries = db.session.execute(query).scalars().all()
    loggers = {e.id: e.logged_by_id for e in entries}
    missing = [e.reverses_id for e in entries if e.reverses_id and e.reverses_id not in loggers]
    if missing:
        loggers.update(db.session.execute(
            db.select(LedgerEntry.id, LedgerEntry.logged_by_id).where(LedgerEntry.id.in_(missing))
        ).tuples().all())
    rows = []
    for e in entries:
        person = loggers.get(e.reverses_id) if e.reverses_id else e.logged_by_id
        rows += _rows(challenge.id, e, person, e.amount_ore,
                      e.amount_ore if e.status == "verified" else 0)
    _upsert(rows)


# --- Settlement ------------------------------------------------------------------------


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


def settle_challenge(challenge: Challenge, today: date | None = None) -> bool:
    """Freeze the result on verified money, if it is due. True when it settled now."""
    from .queries import company_people

    today = today or clock.today()
    if challenge.status != "accepted" or challenge.settled_at is not None:
        return False
    if today < settle_date(challenge):
        return False
    _lock(challenge)
    if challenge.settled_at is not None:
        return False  # another worker settled it first
    playing = [p for p in challenge.participants if p.status == "accepted"]
    money = {
        row.company_id: row.verified_ore
        for row in db.session.execute(
            db.select(ChallengeTally).where(ChallengeTally.challenge_id == challenge.id,
                                            ChallengeTally.kind == "company")
        ).scalars()
    }
    people = company_people(challenge.id, verified=True)
    scores = {}
    for p in playing:
        p.final_ore = money.get(p.company_id, 0)
        p.final_people = people.get(p.company_id, 0)
        p.final_headcount = max(p.company.headcount or 1, 1)
        scores[p.company_id] = score(challenge.measure, p.final_ore, p.final_people,
                                     p.final_headcount)
    for p in playing:
        p.final_rank = 1 + sum(1 for s in scores.values() if s > scores[p.company_id])
    best = [p for p in playing if p.final_rank == 1]
    challenge.winner_id = best[0].company_id if len(best) == 1 else None
    challenge.settled_at = utcnow()
    challenge.settled_on = today
    db.session.flush()
    audit.record("challenge.settle", "challenge", challenge.id, after={
        "winner": challenge.winner_id,
        "final": {p.company_id: [p.final_ore, p.final_people, p.final_headcount]
                  for p in playing},
    })
    totals.bump_board_version()
    return True


def settle_due(today: date | None = None) -> int:
    """Settle every accepted challenge whose reconciliation window has passed."""
    today = today or clock.today()
    last_end = today - timedelta(days=current_app.config["CHALLENGE_RECONCILE_DAYS"] + 1)
    due = db.session.execute(
        db.select(Challenge).where(Challenge.status == "accepted",
                                   Challenge.settled_at.is_(None),
                                   Challenge.ends_on <= last_end)
    ).scalars().all()
    return sum(1 for challenge in due if settle_challenge(challenge, today))
