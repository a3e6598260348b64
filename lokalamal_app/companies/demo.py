"""Demo step for workplaces: people waiting to be let in, and answers already given."""

from ..extensions import db
from ..models import User
from ..notifications import notify
from . import services

ASKERS = [
    ("Noor Al-Sayed", "nyanstalld1@demo.lokalamal.se", "Jag började på supporten i måndags!"),
    ("Gustav Ek", "nyanstalld2@demo.lokalamal.se", ""),
]
NEIGHBOUR_ASKER = ("Vera Lund", "nyanstalld3@demo.lokalamal.se", "Ny på ritbordet sedan i veckan!")


def load(world) -> None:
    """Two new colleagues ask to join Kopparlunden Teknik (the demo admin's workplace);
    one person at Lundby Design was let in, so their Mina sidor has something to tell."""
    first = world.companies[0]
    password_hash = world.admin.password_hash
    for name, email, message in ASKERS:
        asker = User(display_name=name, email=email, password_hash=password_hash, is_demo=True)
        db.session.add(asker)
        db.session.flush()
        services.request_to_join(first, asker, message)
    # A new colleague at the neighbours asks to join and is let in by their admin. (Not a
    # Kopparlunden person: the two are each other's side in the demo challenge.)
    name, email, message = NEIGHBOUR_ASKER
    asker = User(display_name=name, email=email, password_hash=password_hash, is_demo=True)
    db.session.add(asker)
    db.session.flush()
    request = services.request_to_join(world.companies[1], asker, message)
    services.decide_join_request(request, True, world.neighbour_admin)
    notify(world.captain, "Tips: skriv ut lagets QR-kod och sätt upp den vid kaffemaskinen.",
           f"/teams/{world.teams[0].slug}")
