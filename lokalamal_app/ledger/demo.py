"""Demo step for the ledger: a rejection with a reason, a correction of an attested sum
(reported again, to be attested anew), a withdrawal and a large cash sum waiting for a
second colleague's count."""

from datetime import timedelta

from ..extensions import db
from . import services


def load(world) -> None:
    """Add handled entries to the demo so every ledger page has something to show."""
    fika = world.teams[0]
    day = world.today - timedelta(days=3)

    rejected = services.log_collection(fika, 450_00, day, "swish", "Swish från kundmötet",
                                       logged_by=world.employee)
    services.reject_entry(rejected, world.staff,
                          "Vi hittar ingen Swish med lagets kod den dagen. Kolla gärna "
                          "meddelandet i appen och logga igen.")

    wrong = services.log_collection(fika, 1_200_00, day, "event", "Tårtbak till kundmötet",
                                    logged_by=world.captain)
    services.attest_entry(wrong, world.admin)
    services.correct_entry(wrong, world.admin, 1_250_00, day, "event",
                           "Tårtbak till kundmötet", "Kvittot visar 1 250 kr, inte 1 200 kr.")

    oops = services.log_collection(fika, 300_00, world.today, "card", "Dubbelregistrerad",
                                   logged_by=world.captain)
    services.withdraw_entry(oops, world.captain)

    services.log_collection(fika, 6_500_00, world.today, "cash", "Bössan i receptionen",
                            logged_by=world.captain)
    db.session.flush()


