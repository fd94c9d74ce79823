"""What start-up loaded leaves the garbage collector's sight once the service is up."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from shared.web import settle_heap


@pytest.fixture
def restored_gc() -> Iterator[None]:
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


def test_settling_freezes_what_is_loaded_and_collects_the_young_generation_less_often(restored_gc: None) -> None:
    kept = [{"region": str(i)} for i in range(1000)]  # what a service loads at start-up
    settle_heap()
    assert gc.get_freeze_count() >= len(kept)
    assert gc.get_threshold()[0] == 10_000
    assert not any(obj is kept for obj in gc.get_objects(generation=2))  # no longer walked
