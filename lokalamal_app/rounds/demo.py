"""Demo rounds: the running campaign split into months, the ended ones with their honours,
and a challenge scored by givers × money that spans two rounds."""

from datetime import timedelta

from ..challenges import services as challenges
from ..challenges.scoring import GIVERS_MONEY
from ..extensions import db
from ..models import Campaign
from . import services


def load(world) -> None:
    """Add monthly rounds, a givers × money challenge and the ended rounds' honours (flushes)."""
    today = world.today
    campaign = db.session.execute(
        db.select(Campaign).where(Campaign.starts_on <= today)
        .where((Campaign.ends_on.is_(None)) | (Campaign.ends_on >= today))
        .order_by(Campaign.starts_on.desc())
    ).scalars().first()
    if campaign is not None:
        services.generate_monthly_rounds(campaign.id, world.staff)

    by_name = {c.name: c for c in world.companies}
    sjohagen = by_name["Sjöhagens Bygg & Fastighet AB"]
    stenby = by_name["Stenby Vård och Omsorg AB"]
    start = today - timedelta(days=30)
    challenge = challenges.propose_challenge(
        sjohagen, [stenby], start, today + timedelta(days=14), GIVERS_MONEY, None,
        "Många givare och många kronor – båda räknas. Hur många av er är med?",
        actor=challenges.admins_of([sjohagen.id])[0].user, today=start,
    )
    challenges.answer_challenge(challenge, stenby, True, "Vi är med, allihop!",
                                challenges.admins_of([stenby.id])[0].user, today=start)
    challenges.send_notices()
    services.store_due_honours(today)
