"""Demo step for workplaces: people waiting to be let in, and answers already given."""

from ..extensions import db
from ..models import User
from ..notifications import notify
from . import services

ASKERS = [
    ("Noor Al-Sayed", "nyanstalld1@demo.lokalamal.se", "Jag började på supporten i måndags!"),
    ("Gustav Ek", "nyanstalld2@demo.lokalamal.se", ""),
]


def load(world) -> None:
    """Two new colleagues ask to join Kopparlunden Teknik (the demo admin's workplace);
    one person at another workplace was let in, so Mina sidor has something to tell."""
    first = world.companies[0]
    password_hash = world.admin.password_hash
    for name, email, message in ASKERS:
        asker = User(display_name=name, email=email, password_hash=password_hash, is_demo=True)
        db.session.add(asker)
        db.session.flush()
        services.request_to_join(first, asker, message)
    # The demo employee asks to join the neighbours too, and is let in.
    neighbour = world.companies[1]
    request = services.request_to_join(neighbour, world.employee, "Vi delar ju fikarum!")
    admin = next(m.user for m in neighbour.memberships if m.is_admin)
    services.decide_join_request(request, True, admin)
    notify(world.captain, "Tips: skriv ut lagets QR-kod och sätt upp den vid kaffemaskinen.",
           f"/teams/{world.teams[0].slug}")
