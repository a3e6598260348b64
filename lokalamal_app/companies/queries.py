"""Reads for workplace pages, from stored totals; a fixed number of queries each."""

from dataclasses import dataclass

from ..extensions import db
from ..ledger import totals
from ..models import Company, Goal, JoinRequest, Membership, Tally, Team, TeamMember, User


@dataclass
class TeamRow:
    team: Team
    reported_ore: int
    received_ore: int
    member_count: int


def company_by_slug(slug: str) -> Company | None:
    """The workplace at /companies/<slug>."""
    return db.session.execute(db.select(Company).where(Company.slug == slug)).scalar_one_or_none()


def company_by_code(code: str) -> Company | None:
    """The workplace whose current invite code this is."""
    return db.session.execute(
        db.select(Company).where(Company.join_code == code)
    ).scalar_one_or_none()


def teams_with_totals(company: Company) -> list[TeamRow]:
    """The workplace's teams, most raised first, with member counts (three queries)."""
    teams = db.session.execute(
        db.select(Team).where(Team.company_id == company.id)
        .options(db.joinedload(Team.goal))
    ).scalars().all()
    figures = totals.figures_by_id("team", [t.id for t in teams])
    counts = dict(db.session.execute(
        db.select(TeamMember.team_id, db.func.count(TeamMember.id))
        .where(TeamMember.company_id == company.id).group_by(TeamMember.team_id)
    ).all())
    rows = [
        TeamRow(t, figures[t.id].reported_ore if t.id in figures else 0,
                figures[t.id].received_ore if t.id in figures else 0, counts.get(t.id, 0))
        for t in teams
    ]
    rows.sort(key=lambda r: (-r.reported_ore, r.team.name_key, r.team.id))
    return rows


def goals_of(company: Company) -> list[tuple[Goal, int]]:
    """The goals the workplace collects for, with what it raised for each (two queries)."""
    goals = db.session.execute(db.select(Goal).order_by(Goal.number)).scalars().all()
    rows = db.session.execute(
        db.select(Tally).where(
            Tally.subject.in_([totals.company_goal_subject(g.id) for g in goals]),
            Tally.subject_id == company.id, Tally.period == totals.PERIOD_ALL,
        )
    ).scalars()
    raised = {row.subject: row.reported_ore for row in rows}
    team_goals = set(db.session.execute(
        db.select(Team.goal_id).where(Team.company_id == company.id)
    ).scalars())
    return [
        (g, raised.get(totals.company_goal_subject(g.id), 0))
        for g in goals
        if g.id in team_goals or raised.get(totals.company_goal_subject(g.id), 0)
    ]


def members(company: Company) -> list[tuple[Membership, Team | None]]:
    """Everyone in the workplace with their team, admins first then by name (one query)."""
    rows = db.session.execute(
        db.select(Membership, Team)
        .join(User, User.id == Membership.user_id)
        .outerjoin(TeamMember, (TeamMember.user_id == Membership.user_id)
                   & (TeamMember.company_id == Membership.company_id))
        .outerjoin(Team, Team.id == TeamMember.team_id)
        .where(Membership.company_id == company.id)
        .options(db.contains_eager(Membership.user))
        .order_by(Membership.role, User.display_name, User.id)
    ).all()
    return [(m, t) for m, t in rows]


def pending_requests(company: Company) -> list[JoinRequest]:
    """Open requests to join, oldest first."""
    return db.session.execute(
        db.select(JoinRequest).where(
            JoinRequest.company_id == company.id, JoinRequest.status == "pending"
        ).options(db.joinedload(JoinRequest.user)).order_by(JoinRequest.created_at, JoinRequest.id)
    ).scalars().all()


def pending_request_of(company: Company, user) -> JoinRequest | None:
    """The person's open request to join, if any."""
    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.execute(
        db.select(JoinRequest).where(
            JoinRequest.company_id == company.id, JoinRequest.user_id == user.id,
            JoinRequest.status == "pending",
        )
    ).scalar_one_or_none()


def search(text: str, limit: int = 20) -> list[Company]:
    """Workplaces whose name contains `text`; case, spacing and accents do not count
    ("malarhamnen" finds "Mälarhamnen"), by name."""
    from ..models.company import search_key

    key = search_key(text)
    if not key:
        return []
    pattern = "%" + key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return db.session.execute(
        db.select(Company).where(Company.search_key.like(pattern, escape="\\"))
        .order_by(Company.name_key).limit(limit)
    ).scalars().all()
