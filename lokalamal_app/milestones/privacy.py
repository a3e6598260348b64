"""The promises a person set and the webhooks they added: in their data export.

Both stay when the person is anonymised: a milestone is the team's promise and a webhook
the workplace's channel; they keep pointing at the anonymised row, which names nobody.
"""

from ..extensions import db
from ..models import Company, Milestone, Team, WebhookEndpoint
from ..models.base import as_utc


def export_milestones(user) -> list[dict]:
    """The milestones the person set, with their promise and whether they were reached."""
    rows = db.session.execute(
        db.select(Milestone, Company.name, Team.name)
        .join(Company, Company.id == Milestone.company_id)
        .outerjoin(Team, Team.id == Milestone.team_id)
        .where(Milestone.created_by_id == user.id).order_by(Milestone.id)
    ).all()
    return [
        {"arbetsplats": company, "lag": team, "belopp_öre": m.amount_ore, "löfte": m.promise,
         "satt": as_utc(m.created_at).isoformat(),
         "nått": as_utc(m.reached_at).isoformat() if m.reached_at else None}
        for m, company, team in rows
    ]


def export_webhooks(user) -> list[dict]:
    """The webhooks the person added for a workplace (the service's host, not the secret
    address)."""
    rows = db.session.execute(
        db.select(WebhookEndpoint, Company.name)
        .join(Company, Company.id == WebhookEndpoint.company_id)
        .where(WebhookEndpoint.created_by_id == user.id).order_by(WebhookEndpoint.id)
    ).all()
    return [
        {"arbetsplats": company, "tjänst": e.kind, "värd": e.url.split("/")[2],
         "tillagd": as_utc(e.created_at).isoformat()}
        for e, company in rows
    ]
