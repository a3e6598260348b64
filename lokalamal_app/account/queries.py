"""Reads for Mina sidor."""

from ..extensions import db
from ..models import Company, LedgerEntry, Membership, Notification, Team, TeamMember


def workplaces(user) -> list[tuple[Membership, Team | None]]:
    """The person's workplaces with role and their team there (one query)."""
    rows = db.session.execute(
        db.select(Membership, Team)
        .join(Company, Company.id == Membership.company_id)
        .outerjoin(TeamMember, (TeamMember.user_id == Membership.user_id)
                   & (TeamMember.company_id == Membership.company_id))
        .outerjoin(Team, Team.id == TeamMember.team_id)
        .where(Membership.user_id == user.id)
        .options(db.contains_eager(Membership.company))
        .order_by(Company.name)
    ).all()
    return [(m, t) for m, t in rows]


def logged_by(user, limit: int = 50) -> list[LedgerEntry]:
    """What the person logged, newest first, with team (one query)."""
    return db.session.execute(
        db.select(LedgerEntry).where(LedgerEntry.logged_by_id == user.id)
        .options(db.joinedload(LedgerEntry.team))
        .order_by(LedgerEntry.collected_on.desc(), LedgerEntry.created_at.desc(),
                  LedgerEntry.id.desc())
        .limit(limit)
    ).scalars().all()


def unread_notifications(user) -> list[Notification]:
    """Notifications the person has not marked as read, newest first."""
    return db.session.execute(
        db.select(Notification).where(
            Notification.user_id == user.id, Notification.read_at.is_(None)
        ).order_by(Notification.created_at.desc(), Notification.id.desc()).limit(50)
    ).scalars().all()


def landing_url(user) -> str:
    """Where a person goes after logging in: the queue for the mission's staff, their team
    (the first, by workplace name), their workplace when they have no team yet, or the
    workplace search when they belong nowhere: always the next thing to do."""
    from flask import url_for  # noqa: PLC0415

    if user.is_staff:
        return url_for("staff.overview")
    places = workplaces(user)
    for _membership, team in places:
        if team is not None:
            return url_for("teams.show", ident=team.slug)
    if places:
        return url_for("companies.show", slug=places[0][0].company.slug)
    return url_for("companies.index")
