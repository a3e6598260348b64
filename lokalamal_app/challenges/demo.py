"""Demo challenges: Kopparlunden Teknik against Lundby Design (same address), running now,
and a finished, settled one between two other workplaces."""

from datetime import timedelta

from . import services


def load(world) -> None:
    """Add a running and a settled challenge to the demo world (flushes)."""
    by_name = {c.name: c for c in world.companies}
    today = world.today
    kopparlunden = by_name["Kopparlunden Teknik AB"]
    lundby = by_name["Lundby Design AB"]
    running = services.propose_challenge(
        kopparlunden, [lundby], today - timedelta(days=20), today + timedelta(days=25),
        "per_employee", None,
        "Hej grannar! Vi kör kronor per anställd, så storleken spelar ingen roll. Må bästa hus vinna!",
        actor=world.admin, today=today - timedelta(days=20),
    )
    lundby_admin = services.admins_of([lundby.id])[0].user
    services.answer_challenge(running, lundby, True, "Vi är små men snabba. Kör!", lundby_admin)

    hamnen = by_name["Mälarhamnens Redovisning AB"]
    aros = by_name["Aros Logistik AB"]
    start = today - timedelta(days=56)
    finished = services.propose_challenge(
        hamnen, [aros], start, start + timedelta(days=20), "total", None,
        "Siffror mot lastpallar – vem samlar mest?",
        actor=services.admins_of([hamnen.id])[0].user, today=start,
    )
    services.answer_challenge(finished, aros, True, "Vi tar emot utmaningen!",
                              services.admins_of([aros.id])[0].user, today=start)
    services.settle_challenge(finished, today)
    # The demo is built in one transaction that nobody else waits on: tell the admins now.
    services.send_notices()
