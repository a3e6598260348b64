"""Reads for activity feeds, the volunteering board and the creativity vote's result."""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, or_

from .. import campaigns, names
from ..extensions import db
from ..models import (
    Activity,
    ActivityReaction,
    Challenge,
    Company,
    CreativityVote,
    Membership,
    Team,
)
from ..models.activity import REACTIONS
from . import services

PAGE_SIZE = 10


def can_see(viewer, activity: Activity) -> bool:
    """Public activities for everyone; the others for the workplace's people and staff."""
    return activity.is_public or names.may_see_people(viewer, activity.company_id)


@dataclass
class FeedItem:
    activity: Activity
    counts: dict[str, int]
    mine: set[str]
    may_delete: bool


@dataclass
class Feed:
    """One page of a feed, newest first."""

    scope: str  # team, company or challenge
    key: str  # what its address names it by: a team's or workplace's slug, a challenge's id
    items: list[FeedItem]
    page: int
    has_more: bool
    may_react: bool = False
    reaction_kinds: tuple = field(default=REACTIONS)


def _visible_to(viewer, company_ids: list[int]):
    """The condition a viewer may see an activity of these workplaces by."""
    seen = [c for c in company_ids if names.may_see_people(viewer, c)]
    return or_(Activity.is_public.is_(True), Activity.company_id.in_(seen)) if seen \
        else Activity.is_public.is_(True)


def feed(scope: str, target, viewer, page: int = 1) -> Feed:
    """A page of activities of a team, a workplace or a challenge, newest first."""
    query = db.select(Activity).options(db.joinedload(Activity.team), db.joinedload(Activity.author))
    if scope == "team":
        companies = [target.company_id]
        query = query.where(Activity.team_id == target.id)
    elif scope == "company":
        companies = [target.id]
        query = query.where(Activity.company_id == target.id)
    else:
        companies = services.competing_companies(target)
        query = query.where(Activity.company_id.in_(companies),
                            Activity.happened_on.between(target.starts_on, target.ends_on))
    page = max(page, 1)
    rows = db.session.execute(
        query.where(_visible_to(viewer, companies))
        .order_by(Activity.happened_on.desc(), Activity.id.desc())
        .limit(PAGE_SIZE + 1).offset((page - 1) * PAGE_SIZE)
    ).scalars().all()
    shown = rows[:PAGE_SIZE]
    counts, mine = reactions_of([a.id for a in shown], viewer)
    admin_of = _admin_of(viewer)
    items = [FeedItem(a, counts.get(a.id, {}), mine.get(a.id, set()),
                      _may_delete(viewer, a, admin_of)) for a in shown]
    key = str(target.id) if scope == "challenge" else target.slug
    return Feed(scope, key, items, page, len(rows) > PAGE_SIZE,
                may_react=bool(getattr(viewer, "is_authenticated", False)))


def _admin_of(viewer) -> set[int] | None:
    """The workplaces the viewer administers (None: staff, all of them), in one query."""
    if not getattr(viewer, "is_authenticated", False):
        return set()
    if viewer.is_staff:
        return None
    return set(db.session.execute(
        db.select(Membership.company_id).where(Membership.user_id == viewer.id,
                                               Membership.role == "admin")
    ).scalars())


def _may_delete(viewer, activity: Activity, admin_of: set[int] | None) -> bool:
    """services.may_delete for a whole page, without a query per activity."""
    if not getattr(viewer, "is_authenticated", False):
        return False
    return (admin_of is None or activity.company_id in admin_of
            or viewer.id in (activity.author_id, activity.team.captain_id))


def reactions_of(activity_ids: list[int], viewer) -> tuple[dict, dict]:
    """Counts per activity and kind, and the viewer's own reactions (two queries)."""
    if not activity_ids:
        return {}, {}
    counts: dict[int, dict[str, int]] = {}
    for activity_id, kind, number in db.session.execute(
        db.select(ActivityReaction.activity_id, ActivityReaction.kind,
                  func.count(ActivityReaction.id))
        .where(ActivityReaction.activity_id.in_(activity_ids))
        .group_by(ActivityReaction.activity_id, ActivityReaction.kind)
    ):
        counts.setdefault(activity_id, {})[kind] = number
    mine: dict[int, set[str]] = {}
    if getattr(viewer, "is_authenticated", False):
        for activity_id, kind in db.session.execute(
            db.select(ActivityReaction.activity_id, ActivityReaction.kind)
            .where(ActivityReaction.activity_id.in_(activity_ids),
                   ActivityReaction.user_id == viewer.id)
        ):
            mine.setdefault(activity_id, set()).add(kind)
    return counts, mine


def item(activity: Activity, viewer) -> FeedItem:
    """One activity as a feed shows it (after a reaction)."""
    counts, mine = reactions_of([activity.id], viewer)
    return FeedItem(activity, counts.get(activity.id, {}), mine.get(activity.id, set()),
                    services.may_delete(viewer, activity))


# --- Volunteering hours -----------------------------------------------------------------


@dataclass
class HoursRow:
    rank: int
    name: str
    slug: str
    company_name: str
    half_hours: int

    @property
    def hours(self) -> float:
        return self.half_hours / 2


def hours_board(kind: str, first: date | None, last: date | None, limit: int = 100) -> list[HoursRow]:
    """Teams or workplaces by volunteering hours in a period, most first (ties: name)."""
    total = func.sum(Activity.volunteer_half_hours).label("total")
    if kind == "companies":
        query = (db.select(Company.name, Company.slug, Company.name, total)
                 .join(Activity, Activity.company_id == Company.id)
                 .group_by(Company.id, Company.name, Company.slug))
        order = Company.name
    else:
        query = (db.select(Team.name, Team.slug, Company.name, total)
                 .join(Activity, Activity.team_id == Team.id)
                 .join(Company, Company.id == Team.company_id)
                 .group_by(Team.id, Team.name, Team.slug, Company.name))
        order = Team.name
    query = query.where(Activity.volunteer_half_hours > 0)
    if first is not None:
        query = query.where(Activity.happened_on >= first)
    if last is not None:
        query = query.where(Activity.happened_on <= last)
    rows = db.session.execute(query.order_by(total.desc(), order).limit(limit)).all()
    board, rank, previous = [], 0, None
    for index, (name, slug, company_name, half_hours) in enumerate(rows, start=1):
        if half_hours != previous:
            rank, previous = index, half_hours
        board.append(HoursRow(rank, name, slug, company_name, int(half_hours)))
    return board


def campaign_period() -> tuple[object, date | None, date | None]:
    """The running campaign and its first and last day (None: no campaign, all time)."""
    campaign = campaigns.current()
    if campaign is None:
        return None, None, None
    return campaign, campaign.starts_on, campaign.ends_on


# --- The creativity vote ------------------------------------------------------------------


@dataclass
class VoteSide:
    company: Company
    votes: int
    best: Activity | None
    best_votes: int


@dataclass
class Creativity:
    """What the challenge page shows of the vote."""

    challenge: Challenge
    phase: str
    public_votes: bool
    sides: list[VoteSide]
    winners: list[Company]
    candidates: list[Activity]  # activities the viewer may vote for
    my_vote: CreativityVote | None
    may_vote: bool
    may_vote_publicly: bool
    may_change_setting: bool
    total: int


def creativity(challenge: Challenge, viewer, browser_key: str | None) -> Creativity:
    """The vote's state, result and the viewer's choices for a challenge page."""
    from .. import permissions

    phase = services.vote_phase(challenge)
    public = services.public_votes_allowed(challenge)
    competing = services.competing_companies(challenge)
    companies = {p.company_id: p.company for p in challenge.participants}
    per_activity = dict(db.session.execute(
        db.select(CreativityVote.activity_id, func.count(CreativityVote.id))
        .where(CreativityVote.challenge_id == challenge.id)
        .group_by(CreativityVote.activity_id)
    ).all())
    activities = db.session.execute(
        db.select(Activity).options(db.joinedload(Activity.team))
        .where(Activity.company_id.in_(competing), Activity.is_public.is_(True),
               Activity.happened_on.between(challenge.starts_on, challenge.ends_on))
        .order_by(Activity.happened_on, Activity.id)
    ).scalars().all()
    sides = []
    for company_id in competing:
        own = [a for a in activities if a.company_id == company_id]
        best = max(own, key=lambda a: (per_activity.get(a.id, 0), -a.id), default=None)
        sides.append(VoteSide(companies[company_id], sum(per_activity.get(a.id, 0) for a in own),
                              best, per_activity.get(best.id, 0) if best else 0))
    top = max((s.votes for s in sides), default=0)
    winners = [s.company for s in sides if top and s.votes == top]
    mine = services.own_companies(challenge, viewer)
    my_vote = None
    if mine:
        my_vote = db.session.execute(db.select(CreativityVote).where(
            CreativityVote.challenge_id == challenge.id,
            CreativityVote.user_id == viewer.id)).scalar_one_or_none()
    elif browser_key:
        my_vote = db.session.execute(db.select(CreativityVote).where(
            CreativityVote.challenge_id == challenge.id,
            CreativityVote.browser_key == browser_key)).scalar_one_or_none()
    candidates = [a for a in activities if a.company_id not in mine]
    return Creativity(
        challenge=challenge, phase=phase, public_votes=public, sides=sides, winners=winners,
        candidates=candidates, my_vote=my_vote,
        may_vote=phase == "open" and bool(mine) and my_vote is None,
        may_vote_publicly=phase == "open" and not mine and public and my_vote is None,
        may_change_setting=phase in ("before", "open") and any(
            permissions.is_company_admin(viewer, companies[c]) for c in competing),
        total=sum(per_activity.values()),
    )
