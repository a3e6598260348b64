"""Which milestone is next and how much is left, from the milestones and the total."""

from datetime import UTC, datetime

from lokalamal_app.milestones.queries import Progress
from lokalamal_app.models import Milestone


def _m(amount_kr: int, reached: bool = False) -> Milestone:
    return Milestone(id=amount_kr, amount_ore=amount_kr * 100, promise="Tårta",
                     reached_at=datetime(2026, 11, 1, tzinfo=UTC) if reached else None)


def test_the_next_milestone_is_the_lowest_not_reached_and_shows_what_is_left():
    progress = Progress([_m(1000, True), _m(5000), _m(10000)], 2_500_00, None)
    assert progress.next.amount_ore == 5_000_00
    assert progress.left_ore == 2_500_00


def test_a_reached_milestone_above_a_corrected_total_stays_reached_and_is_not_next():
    # The total fell below 1 000 kr after a correction: the promise was made, it stays.
    progress = Progress([_m(1000, True), _m(5000)], 800_00, None)
    assert progress.next.amount_ore == 5_000_00
    assert progress.left_ore == 4_200_00


def test_nothing_is_left_when_every_milestone_is_reached_or_there_are_none():
    assert Progress([_m(1000, True)], 1_500_00, None).next is None
    assert Progress([_m(1000, True)], 1_500_00, None).left_ore == 0
    assert Progress([], 0, None).left_ore == 0
