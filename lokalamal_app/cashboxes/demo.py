"""Demo step for collection boxes: two boxes at the first workplace, one counted by two
colleagues (attested), one waiting for the second count."""

from datetime import timedelta

from . import services


def load(world) -> None:
    """Two boxes for the first team: box 1 counted and confirmed, box 2 waiting."""
    workplace, fika = world.companies[0], world.teams[0]
    reception = services.register_box(workplace, fika, "1", "P-10021", world.captain,
                                      world.admin)
    canteen = services.register_box(workplace, fika, "2", "P-10022", world.employee,
                                    world.admin)
    services.hand_over(canteen, world.captain, world.admin)

    counted_on = world.today - timedelta(days=6)
    first = services.log_count(reception, 1_840_00, counted_on, True, "bank",
                               "Insättningskvitto 88231", counted_on + timedelta(days=1),
                               world.captain)
    services.confirm_count(first, world.employee)
    services.reseal(reception, "P-10031", world.captain)

    services.log_count(canteen, 615_50, world.today - timedelta(days=1), True, "mission", "",
                       world.today, world.captain)
