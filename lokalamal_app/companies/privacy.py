"""A person's requests to join workplaces: in their data export, removed with them."""

from ..extensions import db
from ..models import Company, JoinRequest
from ..models.base import as_utc


def export_join_requests(user) -> list[dict]:
    """The person's requests to join workplaces, with their message and answer."""
    rows = db.session.execute(
        db.select(JoinRequest, Company.name).join(Company, Company.id == JoinRequest.company_id)
        .where(JoinRequest.user_id == user.id).order_by(JoinRequest.id)
    ).all()
    return [
        {"arbetsplats": name, "meddelande": r.message, "status": r.status,
         "skickad": as_utc(r.created_at).isoformat(),
         "besvarad": as_utc(r.decided_at).isoformat() if r.decided_at else None}
        for r, name in rows
    ]


def forget_join_requests(user) -> dict[str, int]:
    """Delete the person's join requests: a pending one would ask admins to let a deleted
    person in, and a decided one says nothing the workplace still needs."""
    removed = db.session.execute(
        db.delete(JoinRequest).where(JoinRequest.user_id == user.id)
    ).rowcount or 0
    return {"join_requests": removed}
