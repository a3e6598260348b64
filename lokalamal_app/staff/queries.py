"""Reads for the staff pages: totals from stored Tally rows (the week from one grouped
ledger query), the chart over time, new workplaces and teams, inquiries."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func
from sqlalchemy.orm import aliased

from .. import campaigns
from ..extensions import db
from ..goals.queries import all_goals  # noqa: F401  (the staff routes list the goals)
from ..ledger import totals
from ..models import (
    Campaign,
    Company,
    Goal,
    ImpactLine,
    Inquiry,
    LedgerEntry,
    Partner,
    Tally,
    Team,
    User,
)

PERIODS = ("week", "month", "campaign", "all")
PERIOD_LABELS = {"week": _l("Senaste 7 dagarna"), "month": _l("Den här månaden"),
                 "campaign": _l("Kampanjen"), "all": _l("Totalt")}
MONTHS = [_l("jan"), _l("feb"), _l("mar"), _l("apr"), _l("maj"), _l("jun"), _l("jul"), _l("aug"),
          _l("sep"), _l("okt"), _l("nov"), _l("dec")]


@dataclass
class Row:
    label: str
    subject_id: int
    reported: dict[str, int] = field(default_factory=dict)
    received: dict[str, int] = field(default_factory=dict)


def _tally_periods(today: date) -> dict[str, str]:
    running = campaigns.current()
    return {"month": totals.month_key(today),
            "campaign": running.period if running else totals.campaign_key(0),
            "all": totals.PERIOD_ALL}


def period_labels() -> dict[str, str]:
    """The column headings, the campaign column named after the running campaign."""
    running = campaigns.current()
    labels = {key: str(label) for key, label in PERIOD_LABELS.items()}
    labels["campaign"] = running.name if running else _("Ingen kampanj pågår")
    return labels


@dataclass
class CampaignRow:
    campaign: Campaign
    reported_ore: int = 0
    received_ore: int = 0
    entry_count: int = 0


def campaign_rows() -> list[CampaignRow]:
    """Every campaign, newest first, with what was raised in it overall (two queries)."""
    found = db.session.execute(
        db.select(Campaign).order_by(Campaign.starts_on.desc(), Campaign.id.desc())
    ).scalars().all()
    rows = [CampaignRow(c) for c in found]
    if not rows:
        return rows
    figures = totals.overall([c.period for c in found])
    for row in rows:
        tally = figures[row.campaign.period]
        row.reported_ore, row.received_ore = tally.reported_ore, tally.received_ore
        row.entry_count = tally.entry_count
    return rows


def _week(group_column, today: date, ids: list[int] | None = None) -> dict[int, tuple[int, int]]:
    """(reported, received) öre per id for the last seven days, in one grouped query."""
    received = func.sum(
        db.case((LedgerEntry.status == "received", LedgerEntry.amount_ore), else_=0)
    )
    stmt = (
        db.select(group_column, func.sum(LedgerEntry.amount_ore), received)
        .where(LedgerEntry.collected_on > today - timedelta(days=7),
               LedgerEntry.collected_on <= today,
               LedgerEntry.status != "rejected")
        .group_by(group_column)
    )
    if ids is not None:
        stmt = stmt.where(group_column.in_(ids))
    return {row[0]: (int(row[1] or 0), int(row[2] or 0)) for row in db.session.execute(stmt)}


def _fill(rows: dict[int, Row], subject: str, today: date) -> None:
    periods = _tally_periods(today)
    by_period = {value: key for key, value in periods.items()}
    tallies = db.session.execute(
        db.select(Tally).where(Tally.subject == subject, Tally.subject_id.in_(list(rows)),
                               Tally.period.in_(list(periods.values())))
    ).scalars()
    for tally in tallies:
        row = rows[tally.subject_id]
        row.reported[by_period[tally.period]] = tally.reported_ore
        row.received[by_period[tally.period]] = tally.received_ore


def goal_totals(today: date) -> tuple[list[Row], Row]:
    """Each goal and everything together, for the week, month, campaign and all time."""
    goals = db.session.execute(db.select(Goal).order_by(Goal.number)).scalars().all()
    rows = {g.id: Row(f"#{g.number} {g.title}", g.id) for g in goals}
    _fill(rows, "goal", today)
    overall = {0: Row(_("Alla mål"), 0)}
    periods = _tally_periods(today)
    figures = totals.overall(list(periods.values()))
    for key, period in periods.items():
        overall[0].reported[key] = figures[period].reported_ore
        overall[0].received[key] = figures[period].received_ore
    week = _week(LedgerEntry.goal_id, today)
    for goal_id, (reported, received) in week.items():
        if goal_id in rows:
            rows[goal_id].reported["week"], rows[goal_id].received["week"] = reported, received
    overall[0].reported["week"] = sum(r for r, _ in week.values())
    overall[0].received["week"] = sum(v for _, v in week.values())
    return list(rows.values()), overall[0]


def company_totals(today: date, limit: int = 25) -> list[Row]:
    """The workplaces that raised most, with the same four periods (three queries)."""
    top = db.session.execute(
        db.select(Company.id, Company.name)
        .join(Tally, (Tally.subject == "company") & (Tally.subject_id == Company.id))
        .where(Tally.period == totals.PERIOD_ALL)
        .order_by(Tally.reported_ore.desc(), Company.id)
        .limit(limit)
    ).all()
    rows = {cid: Row(name, cid) for cid, name in top}
    if not rows:
        return []
    _fill(rows, "company", today)
    for cid, (reported, received) in _week(LedgerEntry.company_id, today, list(rows)).items():
        rows[cid].reported["week"], rows[cid].received["week"] = reported, received
    return list(rows.values())


@dataclass
class Bar:
    label: str
    reported_ore: int
    received_ore: int
    x: int = 0
    height: int = 0
    received_height: int = 0


def monthly_chart(today: date, months: int = 12, height: int = 160, bar: int = 36) -> dict:
    """Reported and received per month (the goals' stored totals together) as bar geometry
    for an SVG."""
    keys = []
    year, month = today.year, today.month
    for _month in range(months):
        keys.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    keys.reverse()
    found = totals.overall(keys)
    bars = [
        Bar(f"{MONTHS[int(k[5:]) - 1]} {k[2:4]}", found[k].reported_ore, found[k].received_ore)
        for k in keys
    ]
    peak = max((b.reported_ore for b in bars), default=0) or 1
    gap = 12
    for index, b in enumerate(bars):
        b.x = index * (bar + gap) + gap
        b.height = round(height * max(b.reported_ore, 0) / peak)
        b.received_height = round(height * max(b.received_ore, 0) / peak)
    return {"bars": bars, "height": height, "bar": bar,
            "width": len(bars) * (bar + gap) + gap, "peak": peak}


def new_companies(limit: int = 8) -> list[Company]:
    return list(db.session.execute(
        db.select(Company).order_by(Company.created_at.desc(), Company.id.desc()).limit(limit)
    ).scalars())


def new_teams(limit: int = 8) -> list[Team]:
    """Newest teams with their workplace (one query)."""
    return list(db.session.execute(
        db.select(Team).options(db.joinedload(Team.company))
        .order_by(Team.created_at.desc(), Team.id.desc()).limit(limit)
    ).scalars())


def inquiries(open_only: bool = False, limit: int | None = None) -> list[Inquiry]:
    """Partner inquiries, newest first, with their goal (one query)."""
    stmt = db.select(Inquiry).options(db.joinedload(Inquiry.goal)).order_by(
        Inquiry.created_at.desc(), Inquiry.id.desc())
    if open_only:
        stmt = stmt.where(Inquiry.handled_at.is_(None))
    if limit:
        stmt = stmt.limit(limit)
    return list(db.session.execute(stmt).scalars())


def open_inquiry_count() -> int:
    return db.session.execute(
        db.select(func.count(Inquiry.id)).where(Inquiry.handled_at.is_(None))
    ).scalar_one()


def pending_count(user) -> int:
    """What waits in the staff's queue: the queue's own count, so both say the same."""
    from ..ledger.queries import queue_count  # noqa: PLC0415 (the ledger imports staff code)

    return queue_count(user)


def staff_members() -> list[User]:
    return list(db.session.execute(
        db.select(User).where(User.is_staff.is_(True)).order_by(User.display_name, User.id)
    ).scalars())


def impact_lines(goal: Goal) -> list[ImpactLine]:
    return list(db.session.execute(
        db.select(ImpactLine).where(ImpactLine.goal_id == goal.id)
        .order_by(ImpactLine.position, ImpactLine.amount_ore, ImpactLine.id)
    ).scalars())


def partners() -> list[Partner]:
    """Every partner with its goal, grouped by goal (one query)."""
    return list(db.session.execute(
        db.select(Partner).join(Goal).options(db.contains_eager(Partner.goal))
        .order_by(Goal.number, Partner.level != "main", Partner.position, Partner.name)
    ).scalars())


def orgnr_reviews() -> list[tuple]:
    """Workplaces in review, each with the workplace that holds the number (or None)."""
    holder = aliased(Company)
    return db.session.execute(
        db.select(Company, holder)
        .outerjoin(holder, holder.org_number == Company.claimed_org_number)
        .where(Company.orgnr_status == "review")
        .order_by(Company.created_at, Company.id)
    ).all()
