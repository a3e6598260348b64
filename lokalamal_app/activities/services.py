"""Writes for activities, reactions and the creativity vote. Flush, never commit."""

import hashlib
import hmac
from datetime import date, timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from .. import campaigns, clock, permissions
from ..extensions import db
from ..models import (
    Activity,
    ActivityReaction,
    Challenge,
    CreativityVote,
    CreativityVoteSetting,
    Membership,
)
from ..models.activity import REACTIONS, TEXT_MAX
from ..models.base import as_utc, utcnow
from . import photos

KINDS = {
    "bake_sale": _l("Fikaförsäljning"),
    "quiz": _l("Quiz eller tävling"),
    "walk": _l("Promenad eller motion"),
    "volunteer": _l("Volontärtimmar hos stadsmissionen"),
    "other": _l("Något annat"),
}
# Hours of one activity, all who took part together: a full day for a team of ten.
MAX_HALF_HOURS = 2 * 100
# Without a running campaign an activity may be dated this far back.
NO_CAMPAIGN_DAYS = 90


class ActivityError(ValueError):
    """A rule was broken; the message is Swedish. `status` is the HTTP status to answer,
    `field` the form field the message belongs at."""

    def __init__(self, message: str, status: int = 422, field: str | None = None):
        super().__init__(message)
        self.status = status
        self.field = field


def earliest_day(today: date) -> date:
    """The first day an activity may be dated: the running campaign's first day."""
    campaign = campaigns.current()
    return campaign.starts_on if campaign else today - timedelta(days=NO_CAMPAIGN_DAYS)


def date_problem(day: date | None, today: date) -> str | None:
    """Why `day` cannot be an activity's date (Stockholm's today, within the campaign)."""
    if day is None:
        return _("Skriv datumet som ÅÅÅÅ-MM-DD.")
    if day > today:
        return _("Datumet kan inte ligga i framtiden.")
    first = earliest_day(today)
    if day < first:
        return _("Välj en dag i den här kampanjen, från och med %(first)s.", first=first.isoformat())
    return None


def may_post(user, team) -> bool:
    """Members of the team post its activities."""
    return permissions.is_team_member(user, team)


def may_delete(user, activity: Activity) -> bool:
    """The author, the team's captain, the workplace's admins and staff."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.id == activity.author_id or activity.team.captain_id == user.id:
        return True
    return permissions.is_company_admin(user, activity.company)


def post_activity(team, author, happened_on: date, kind: str, text: str, half_hours: int,
                  is_public: bool, photo: bytes | None = None) -> Activity:
    """Record what a team did; the photo is cleaned and stored before the row is added."""
    if not may_post(author, team):
        raise ActivityError(_("Bara lagets medlemmar kan berätta vad laget har gjort."), 403)
    if problem := date_problem(happened_on, clock.today()):
        raise ActivityError(problem, field="happened_on")
    if kind not in KINDS:
        raise ActivityError(_("Välj vad ni gjorde."), field="kind")
    text = (text or "").strip()
    if not text:
        raise ActivityError(_("Berätta kort vad ni gjorde."), field="text")
    if len(text) > TEXT_MAX:
        raise ActivityError(_("Högst %(max)s tecken.", max=TEXT_MAX), field="text")
    if not 0 <= half_hours <= MAX_HALF_HOURS:
        raise ActivityError(_("Högst %(max)s timmar per aktivitet.", max=MAX_HALF_HOURS // 2),
                            field="hours")
    name = None
    if photo is not None:
        try:
            cleaned, extension = photos.clean(photo)
        except photos.PhotoError as exc:
            raise ActivityError(str(exc), 400, field="photo") from exc
        name = photos.store(cleaned, extension)
    activity = Activity(team_id=team.id, company_id=team.company_id, author_id=author.id,
                        happened_on=happened_on, kind=kind, text=text,
                        volunteer_half_hours=half_hours, is_public=bool(is_public), photo=name)
    db.session.add(activity)
    db.session.flush()
    return activity


def delete_activity(activity: Activity, actor) -> None:
    """Remove an activity with its reactions and votes; its photo goes after commit."""
    if not may_delete(actor, activity):
        raise ActivityError(_("Bara den som skrev, lagkaptenen eller arbetsplatsens "
                              "administratörer kan ta bort aktiviteten."), 403)
    _delete([activity])


def _delete(activities: list[Activity]) -> None:
    ids = [a.id for a in activities]
    if not ids:
        return
    db.session.execute(db.delete(ActivityReaction).where(ActivityReaction.activity_id.in_(ids)))
    db.session.execute(db.delete(CreativityVote).where(CreativityVote.activity_id.in_(ids)))
    for activity in activities:
        photos.remove_after_commit(db.session, activity.photo)
        db.session.delete(activity)
    db.session.flush()


def toggle_reaction(activity: Activity, user, kind: str) -> bool:
    """Add the person's reaction of this kind, or take it back; True when it is now on."""
    if kind not in REACTIONS:
        raise ActivityError(_("Den reaktionen finns inte."), 404)
    existing = db.session.execute(
        db.select(ActivityReaction).where(ActivityReaction.activity_id == activity.id,
                                          ActivityReaction.user_id == user.id,
                                          ActivityReaction.kind == kind)
    ).scalar_one_or_none()
    if existing is not None:
        db.session.delete(existing)
        db.session.flush()
        return False
    try:
        with db.session.begin_nested():  # a double click at once: the second is a no-op
            db.session.add(ActivityReaction(activity_id=activity.id, user_id=user.id, kind=kind))
    except IntegrityError:
        pass
    return True


# --- The creativity vote ----------------------------------------------------------------


def vote_days() -> int:
    return int(current_app.config.get("CREATIVITY_VOTE_DAYS", 14))


def vote_phase(challenge: Challenge, today: date | None = None) -> str:
    """'none' (not an accepted challenge), 'before' (not ended), 'open' or 'closed'."""
    today = today or clock.today()
    if challenge.status != "accepted":
        return "none"
    if today <= challenge.ends_on:
        return "before"
    if today <= challenge.ends_on + timedelta(days=vote_days()):
        return "open"
    return "closed"


def public_votes_allowed(challenge: Challenge) -> bool:
    """Whether the public may vote too (a setting of the workplaces or staff)."""
    setting = db.session.get(CreativityVoteSetting, challenge.id)
    return bool(setting and setting.public_votes)


def set_public_votes(challenge: Challenge, allowed: bool, actor) -> None:
    """An admin of one of the workplaces, or staff, lets the public vote or not."""
    if not any(permissions.is_company_admin(actor, p.company) for p in challenge.participants):
        raise ActivityError(_("Bara arbetsplatsernas administratörer kan ändra det."), 403)
    setting = db.session.get(CreativityVoteSetting, challenge.id)
    if setting is None:
        setting = CreativityVoteSetting(challenge_id=challenge.id)
        db.session.add(setting)
    setting.public_votes = bool(allowed)
    db.session.flush()


def competing_companies(challenge: Challenge) -> list[int]:
    """The workplaces that took part (the challenger and those who accepted)."""
    return [p.company_id for p in challenge.participants if p.status == "accepted"
            or p.company_id == challenge.challenger_id]


def voter_company(challenge: Challenge, user) -> int | None:
    """The competing workplace a person votes from (the first, if several), else None."""
    mine = own_companies(challenge, user)
    return next((c for c in competing_companies(challenge) if c in mine), None)


def own_companies(challenge: Challenge, user) -> set[int]:
    """Every competing workplace the person belongs to: none of them may get their vote."""
    if not getattr(user, "is_authenticated", False):
        return set()
    return set(db.session.execute(
        db.select(Membership.company_id).where(
            Membership.user_id == user.id,
            Membership.company_id.in_(competing_companies(challenge)))
    ).scalars())


def _candidate(challenge: Challenge, activity_id: int | None) -> Activity:
    activity = db.session.get(Activity, activity_id) if activity_id else None
    if (activity is None or activity.company_id not in competing_companies(challenge)
            or not challenge.starts_on <= activity.happened_on <= challenge.ends_on
            or not activity.is_public):
        raise ActivityError(_("Välj en av aktiviteterna i listan."), 422, field="activity")
    return activity


def _check_open(challenge: Challenge) -> None:
    phase = vote_phase(challenge)
    if phase == "before":
        raise ActivityError(_("Omröstningen öppnar när utmaningen är slut."), 409)
    if phase != "open":
        raise ActivityError(_("Omröstningen är stängd."), 409)


def _insert_vote(vote: CreativityVote) -> CreativityVote:
    try:
        # Two votes of one person at once: the unique key lets one in, the other is told.
        with db.session.begin_nested():
            db.session.add(vote)
    except IntegrityError as exc:
        raise ActivityError(_("Du har redan röstat i den här utmaningen."), 409) from exc
    return vote


def cast_vote(challenge: Challenge, activity_id: int | None, user) -> CreativityVote:
    """A colleague of one workplace votes for another workplace's activity, once."""
    _check_open(challenge)
    company_id = voter_company(challenge, user)
    if company_id is None:
        raise ActivityError(_("Bara de som arbetar på arbetsplatserna i utmaningen kan rösta "
                              "här."), 403)
    activity = _candidate(challenge, activity_id)
    if activity.company_id in own_companies(challenge, user):
        raise ActivityError(_("Rösta på den andra arbetsplatsens aktivitet, inte på er egen."),
                            422, field="activity")
    if db.session.execute(db.select(CreativityVote.id).where(
            CreativityVote.challenge_id == challenge.id,
            CreativityVote.user_id == user.id)).first():
        raise ActivityError(_("Du har redan röstat i den här utmaningen."), 409)
    return _insert_vote(CreativityVote(challenge_id=challenge.id, activity_id=activity.id,
                                       user_id=user.id, voter_company_id=company_id))


def origin_key(address: str | None) -> str:
    """A keyed hash of the visitor's address: enough to limit votes, never the address."""
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, (address or "").encode(), hashlib.sha256).hexdigest()


def cast_public_vote(challenge: Challenge, activity_id: int | None, browser_key: str,
                     origin: str) -> CreativityVote:
    """A member of the public votes once per browser, when the challenge allows it."""
    _check_open(challenge)
    if not public_votes_allowed(challenge):
        raise ActivityError(_("I den här utmaningen röstar bara arbetsplatsernas folk."), 403)
    if not browser_key or len(browser_key) > 64:
        raise ActivityError(_("Din webbläsare behöver tillåta kakor för att du ska kunna "
                              "rösta."), 400)
    activity = _candidate(challenge, activity_id)
    limit = int(current_app.config.get("CREATIVITY_PUBLIC_VOTES_PER_HOUR", 30))
    recent = db.session.execute(
        db.select(db.func.count(CreativityVote.id)).where(
            CreativityVote.challenge_id == challenge.id, CreativityVote.origin_key == origin,
            CreativityVote.created_at >= utcnow() - timedelta(hours=1))
    ).scalar_one()
    if recent >= limit:
        raise ActivityError(_("Många röster har kommit från samma ställe. Försök igen om en "
                              "stund."), 429)
    if db.session.execute(db.select(CreativityVote.id).where(
            CreativityVote.challenge_id == challenge.id,
            CreativityVote.browser_key == browser_key)).first():
        raise ActivityError(_("Du har redan röstat i den här utmaningen."), 409)
    return _insert_vote(CreativityVote(challenge_id=challenge.id, activity_id=activity.id,
                                       browser_key=browser_key, origin_key=origin))


# --- A person's data ----------------------------------------------------------------------


def forget(user) -> dict[str, int]:
    """Anonymising: the person's own posts (text, photo) and reactions go; their votes
    stay in the results, pointing at the anonymised row, which names nobody."""
    reactions = db.session.execute(
        db.delete(ActivityReaction).where(ActivityReaction.user_id == user.id)
    ).rowcount or 0
    posts = db.session.execute(
        db.select(Activity).where(Activity.author_id == user.id)).scalars().all()
    _delete(posts)
    return {"activity_reactions": reactions, "activities": len(posts)}


def export_activities(user) -> list[dict]:
    """The activities the person posted, for their data export."""
    rows = db.session.execute(
        db.select(Activity).where(Activity.author_id == user.id).order_by(Activity.id)
    ).scalars().all()
    return [{"datum": a.happened_on.isoformat(), "slag": a.kind, "text": a.text,
             "volontärtimmar": a.volunteer_half_hours / 2, "visas_för_alla": a.is_public,
             "har_foto": bool(a.photo)} for a in rows]


def export_reactions(user) -> list[dict]:
    """The person's reactions to activities."""
    rows = db.session.execute(
        db.select(ActivityReaction.activity_id, ActivityReaction.kind, ActivityReaction.created_at)
        .where(ActivityReaction.user_id == user.id).order_by(ActivityReaction.id)
    ).all()
    return [{"aktivitet": activity_id, "reaktion": kind, "när": as_utc(at).isoformat()}
            for activity_id, kind, at in rows]


def export_votes(user) -> list[dict]:
    """The person's votes in creativity votes."""
    rows = db.session.execute(
        db.select(CreativityVote).where(CreativityVote.user_id == user.id)
        .order_by(CreativityVote.id)
    ).scalars().all()
    return [{"utmaning": v.challenge_id, "aktivitet": v.activity_id,
             "när": as_utc(v.created_at).isoformat()} for v in rows]
