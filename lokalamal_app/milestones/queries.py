"""Reads for milestones: a team's or workplace's list with progress, the boards' next
promise, the staff overview, and what was reached lately (for live screens)."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from .. import campaigns
from ..extensions import db
from ..ledger import totals
from ..models import Campaign, Company, Milestone, Team


@dataclass
class Progress:
    """Milestones of one team or workplace, measured on `raised_ore` (reported money)."""

    milestones: list[Milestone]
    raised_ore: int
    campaign_name: str | None

    @property
    def next(self) -> Milestone | None:
        return next((m for m in self.milestones if m.reached_at is None), None)

    @property
    def left_ore(self) -> int:
        upcoming = self.next
        return max(upcoming.amount_ore - self.raised_ore, 0) if upcoming else 0


def _current_campaign_id() -> int | None:
    running = campaigns.current()
    return running.id if running else None


def _period(campaign_id: int | None) -> str:
    return totals.campaign_key(campaign_id) if campaign_id else totals.PERIOD_ALL


def _progress(where, subject: str, subject_id: int) -> Progress:
    campaign_id = _current_campaign_id()
    same = (Milestone.campaign_id == campaign_id if campaign_id
            else Milestone.campaign_id.is_(None))
    rows = db.session.execute(
        select(Milestone).where(where, same).order_by(Milestone.amount_ore)
    ).scalars().all()
    figures = totals.figures(subject, subject_id, _period(campaign_id)) if rows else None
    running = campaigns.current()
    return Progress(list(rows), figures.reported_ore if figures else 0,
                    running.name if running else None)


def for_team(team: Team) -> Progress:
    """The team's milestones in the running campaign (or set outside any), lowest first."""
    return _progress(Milestone.team_id == team.id, "team", team.id)


def for_company(company: Company) -> Progress:
    """The workplace's own milestones in the running campaign, lowest first."""
    return _progress((Milestone.company_id == company.id) & Milestone.team_id.is_(None),
                     "company", company.id)


def milestone_of(owner_filter, milestone_id: int) -> Milestone | None:
    """One milestone, only if it belongs to the given owner."""
    return db.session.execute(
        select(Milestone).where(Milestone.id == milestone_id, owner_filter)
    ).scalar_one_or_none()


@dataclass
class BoardMark:
    reached: int
    total: int
    next_amount_ore: int | None
    next_promise: str | None


def marks_for_teams(team_ids: list[int]) -> dict[int, BoardMark]:
    """For boards: per team, how many of its current milestones are reached and the next
    promise (one query however many teams)."""
    if not team_ids:
        return {}
    campaign_id = _current_campaign_id()
    same = (Milestone.campaign_id == campaign_id if campaign_id
            else Milestone.campaign_id.is_(None))
    rows = db.session.execute(
        select(Milestone.team_id, Milestone.amount_ore, Milestone.promise, Milestone.reached_at)
        .where(Milestone.team_id.in_(team_ids), same)
        .order_by(Milestone.team_id, Milestone.amount_ore)
    ).all()
    marks: dict[int, BoardMark] = {}
    for team_id, amount, promise, reached_at in rows:
        mark = marks.setdefault(team_id, BoardMark(0, 0, None, None))
        mark.total += 1
        if reached_at is not None:
            mark.reached += 1
        elif mark.next_amount_ore is None:
            mark.next_amount_ore, mark.next_promise = amount, promise
    return marks


@dataclass
class StaffRow:
    milestone: Milestone
    owner_name: str
    company_name: str
    campaign_name: str | None


def staff_overview(campaign_id: int | None, reached: str = "") -> list[StaffRow]:
    """Every promise in one campaign (None: those set outside a campaign), workplace by
    workplace; `reached` "yes"/"no" narrows it (one query)."""
    stmt = (
        select(Milestone, Company.name, Team.name, Campaign.name)
        .join(Company, Company.id == Milestone.company_id)
        .outerjoin(Team, Team.id == Milestone.team_id)
        .outerjoin(Campaign, Campaign.id == Milestone.campaign_id)
        .where(Milestone.campaign_id == campaign_id if campaign_id
               else Milestone.campaign_id.is_(None))
        .order_by(Company.name_key, Team.name_key.nulls_first(), Milestone.amount_ore)
    )
    if reached == "yes":
        stmt = stmt.where(Milestone.reached_at.is_not(None))
    elif reached == "no":
        stmt = stmt.where(Milestone.reached_at.is_(None))
    return [StaffRow(m, team_name or company_name, company_name, campaign_name)
            for m, company_name, team_name, campaign_name in db.session.execute(stmt).all()]


@dataclass
class Reached:
    id: int
    reached_at: datetime
    amount_ore: int
    promise: str
    team_id: int | None
    team_name: str | None
    company_id: int
    company_name: str


def reached_since(after_time: datetime, limit: int = 50) -> list[Reached]:
    """Milestones reached after `after_time` (UTC), oldest first: for live screens that
    celebrate them (one query)."""
    rows = db.session.execute(
        select(Milestone.id, Milestone.reached_at, Milestone.amount_ore, Milestone.promise,
               Milestone.team_id, Team.name, Milestone.company_id, Company.name)
        .join(Company, Company.id == Milestone.company_id)
        .outerjoin(Team, Team.id == Milestone.team_id)
        .where(Milestone.reached_at > after_time)
        .order_by(Milestone.reached_at, Milestone.id)
        .limit(limit)
    ).all()
    return [Reached(*row) for row in rows]


@dataclass
class CompanyMilestones:
    company_id: int
    company_name: str
    rows: list[tuple[Milestone, str | None]]  # (milestone, team name or None)


def for_companies(company_ids: list[int]) -> list[CompanyMilestones]:
    """Current milestones of these workplaces and their teams, workplace by workplace,
    lowest first (one query): for the challenge page."""
    if not company_ids:
        return []
    campaign_id = _current_campaign_id()
    same = (Milestone.campaign_id == campaign_id if campaign_id
            else Milestone.campaign_id.is_(None))
    result = db.session.execute(
        select(Milestone, Company.name, Team.name)
        .join(Company, Company.id == Milestone.company_id)
        .outerjoin(Team, Team.id == Milestone.team_id)
        .where(Milestone.company_id.in_(company_ids), same)
        .order_by(Company.name_key, Milestone.amount_ore, Milestone.id)
    ).all()
    grouped: dict[int, CompanyMilestones] = {}
    for milestone, company_name, team_name in result:
        group = grouped.setdefault(milestone.company_id,
                                   CompanyMilestones(milestone.company_id, company_name, []))
        group.rows.append((milestone, team_name))
    return list(grouped.values())
