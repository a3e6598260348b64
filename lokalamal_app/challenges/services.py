"""Writing challenges: propose, answer, withdraw, keep the figures, settle.

Functions enforce the rules and flush; the caller commits. A broken rule raises
ChallengeError with a message fit for the user, in the user's language.

Nobody is told anything while rows are locked: a service only queues what other workplaces'
admins are to be told (lazy strings, written in each one's language by `notify`), and the
caller sends it with `send_notices()` after the commit that released the locks, then commits
again. A rolled-back change tells no one.
"""

from collections import defaultdict
from datetime import date, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import event
from sqlalchemy.orm import Session

from .. import audit, clock
from ..extensions import db
from ..formatting import period_text
from ..i18n_request import _
from ..ledger import totals
from ..models import Company, Membership
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
from . import figures, scoring
from .figures import LIVE

MAX_DAYS = 366  # a period of at most a year, both days counted


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
    IMMEDIATE) and reload what another worker may just have changed.

    FOR NO KEY UPDATE: answering, withdrawing and settling wait for each other, while a
    ledger change adding the challenge's first figure row (a foreign key to it) does not wait.
    """
    db.session.execute(
        db.select(Challenge.id).where(Challenge.id == challenge.id)
        .with_for_update(key_share=True))
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
    if measure not in scoring.SCORINGS:
        raise ChallengeError(_("Välj hur utmaningen ska avgöras."), field="measure")
    greeting = (greeting or "").strip()
    if len(greeting) > GREETING_MAX:
        raise ChallengeError(_("Hälsningen får vara högst %(max)s tecken.", max=GREETING_MAX),
                             field="greeting")
    if rematch_of is not None and rematch_of.settled_at is None:
        raise ChallengeError(_("En revansch kan bara föreslås när utmaningen är avgjord."))
    ids = [challenger.id] + [c.id for c in opponents]
    # Lock the workplaces (in id order) so two proposals for the same pair cannot both
    # pass the overlap check at once, and so that no ledger change of theirs is between
    # the backfill and the listener (see figures).
    figures.lock_workplaces(ids)
    clash = overlapping(ids, starts_on, ends_on)
    if clash is not None:
        raise ChallengeError(
            _("Ni har redan en utmaning mot samma arbetsplats som överlappar de här datumen."),
            status=409, field="starts_on",
        )
    challenge = Challenge(
        challenger_id=challenger.id, created_by_id=getattr(actor, "id", None),
        starts_on=starts_on, ends_on=ends_on,
        measure=measure if measure in MEASURES else "total", goal_id=goal_id,
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
    if measure not in MEASURES:
        scoring.set_scoring(challenge, measure)
    figures.backfill(challenge)
    audit.record("challenge.propose", "challenge", challenge.id, actor=actor, after={
        "challenger": challenger.id, "opponents": [c.id for c in opponents],
        "starts_on": starts_on, "ends_on": ends_on, "measure": measure, "goal_id": goal_id,
    })
    link = f"/challenges/{challenge.id}"
    for membership in admins_of([c.id for c in opponents]):
        _tell(
            membership.user,
            _l("%(name)s utmanar er i Vägg i vägg (%(period)s). Svara ja eller nej på utmaningens sida.",
               name=challenger.name, period=_period_text(challenge)),
            link,
            email_subject=_l("%(name)s utmanar er – Lokala mål", name=challenger.name),
        )
    return challenge


def _period_text(challenge: Challenge):
    return period_text(challenge.starts_on, challenge.ends_on)


def _participant(challenge: Challenge, company: Company) -> ChallengeParticipant | None:
    return next((p for p in challenge.participants if p.company_id == company.id), None)


def _fix_headcount(participant: ChallengeParticipant) -> None:
    """Fix the headcount the workplace is measured on: the one it has as it joins."""
    participant.headcount = max(participant.company.headcount or 1, 1)


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
    if accept:
        _fix_headcount(participant)
    invitees = [p for p in challenge.participants if p.company_id != challenge.challenger_id]
    if all(p.status != "invited" for p in invitees):
        if any(p.status == "accepted" for p in invitees):
            challenge.status = "accepted"
            challenge.accepted_at = utcnow()
            _fix_headcount(_participant(challenge, challenge.challenger))
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
    totals.bump_board_version()
    for membership in admins_of([challenge.challenger_id]):
        _tell(membership.user, message, f"/challenges/{challenge.id}", email_subject=subject)
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
        _tell(membership.user, _l("%(name)s återkallade sin utmaning.",
                                   name=challenge.challenger.name),
               f"/challenges/{challenge.id}")
    return challenge


def change_scoring(challenge: Challenge, name: str, actor, today: date | None = None) -> Challenge:
    """Staff change how a challenge is decided, before it starts; the workplaces are told."""
    today = today or clock.today()
    if name not in scoring.SCORINGS:
        raise ChallengeError(_("Välj hur utmaningen ska avgöras."), field="scoring")
    _lock(challenge)
    if challenge.status not in LIVE or challenge.settled_at is not None:
        raise ChallengeError(_("Utmaningen är avslutad och kan inte ändras."), status=409)
    if today >= challenge.starts_on:
        raise ChallengeError(
            _("Utmaningen har redan börjat, så poängräkningen kan inte längre ändras."),
            status=409, field="scoring")
    before = scoring.scoring_of(challenge)
    if before == name:
        return challenge
    scoring.set_scoring(challenge, name)
    audit.record("challenge.scoring", "challenge", challenge.id, actor=actor,
                 before={"scoring": before}, after={"scoring": name})
    totals.bump_board_version()
    label = scoring.SCORINGS[name].label
    for membership in admins_of([p.company_id for p in challenge.participants
                                 if p.status != "declined"]):
        _tell(membership.user,
              _l("Stadsmissionen har ändrat hur utmaningen avgörs: %(label)s.", label=label),
              f"/challenges/{challenge.id}")
    return challenge


# --- Settlement ------------------------------------------------------------------------


def settle_challenge(challenge: Challenge, today: date | None = None) -> bool:
    """Freeze the result on received money, if it is due. True when it settled now."""
    today = today or clock.today()
    if challenge.status != "accepted" or challenge.settled_at is not None:
        return False
    if today < figures.settle_date(challenge):
        return False
    _lock(challenge)
    if challenge.settled_at is not None:
        return False  # another worker settled it first
    playing = [p for p in challenge.participants if p.status == "accepted"]
    money = {
        row.company_id: row.received_ore
        for row in db.session.execute(
            db.select(ChallengeTally).where(ChallengeTally.challenge_id == challenge.id,
                                            ChallengeTally.kind == "company")
        ).scalars()
    }
    people = figures.company_people(challenge.id, received=True)
    for p in playing:
        p.final_ore = money.get(p.company_id, 0)
        p.final_people = people.get(p.company_id, 0)
        p.final_headcount = figures.headcount_of(p)
    computed = scoring.compute(challenge, scoring.scoring_of(challenge), [
        scoring.SideFigures(p.company_id, p.final_ore, p.final_people, p.final_headcount)
        for p in playing])
    scores = {p.company_id: s for p, s in zip(playing, computed, strict=True)}
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


# --- Telling people, after the commit -------------------------------------------------

_NOTICES = "challenges.notices"  # session.info: what to tell once the change is committed


def _tell(user, text, link: str, email_subject=None) -> None:
    """Queue a notification (and e-mail) for `send_notices`, after the commit."""
    db.session.info.setdefault(_NOTICES, []).append((user, text, link, email_subject))


def send_notices() -> int:
    """Tell everyone the committed challenge changes concern, in the app and by e-mail.

    Call after the commit that released the challenge's locks, then commit again.
    Returns how many were told.
    """
    queued = db.session.info.pop(_NOTICES, [])
    for user, text, link, email_subject in queued:
        notify(user, text, link, email_subject=email_subject)
    return len(queued)


def _forget_notices(session, _previous_transaction=None) -> None:
    session.info.pop(_NOTICES, None)


def init_events() -> None:
    """Drop queued notices when their change is rolled back (idempotent)."""
    if not event.contains(Session, "after_rollback", _forget_notices):
        event.listen(Session, "after_rollback", _forget_notices)
