from __future__ import annotations

from backcoach.app.live.parking import ParkedSets


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_parked_set_is_claimed_once_within_its_grace() -> None:
    clock = Clock()
    parked = ParkedSets(grace_s=120.0, clock=clock)
    parked.park(7, 31, "set 31")
    clock.now += 119.0
    assert parked.claim(7, 32) is None and parked.claim(8, 31) is None  # other set, other session
    assert parked.claim(7, 31) == "set 31"
    assert parked.claim(7, 31) is None and len(parked) == 0


def test_a_set_past_its_grace_is_gone() -> None:
    clock = Clock()
    parked = ParkedSets(grace_s=120.0, clock=clock)
    parked.park(7, 31, "set 31")
    clock.now += 120.5
    assert parked.claim(7, 31) is None


def test_the_oldest_set_goes_when_the_park_is_full() -> None:
    parked = ParkedSets(max_parked=2, clock=Clock())
    for set_id in (1, 2, 3):
        parked.park(7, set_id, f"set {set_id}")
    assert len(parked) == 2
    assert [parked.claim(7, i) for i in (1, 2, 3)] == [None, "set 2", "set 3"]
