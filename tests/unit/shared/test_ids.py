"""Time-ordered ids (ADR 0014)."""

import time
import uuid

from shared.ids import id_time_ms, new_id


def test_an_id_is_a_version_7_rfc_9562_uuid() -> None:
    value = new_id()
    assert value.version == 7
    assert value.variant == uuid.RFC_4122
    assert uuid.UUID(str(value)) == value


def test_an_id_carries_the_time_it_was_made() -> None:
    before = time.time_ns() // 1_000_000
    value = new_id()
    after = time.time_ns() // 1_000_000
    assert before <= id_time_ms(value) <= after


def test_ids_made_one_after_another_sort_in_that_order_and_never_repeat() -> None:
    # What keeps index inserts at the B-tree's right-hand edge. Two ids can share a sub-millisecond
    # slot (about 244 ns), so the check is on order across slots, and uniqueness on all.
    values = [new_id() for _ in range(20_000)]
    assert len(set(values)) == len(values)
    prefixes = [v.int >> 64 for v in values]  # time and sub-millisecond fraction, no random bits
    assert prefixes == sorted(prefixes)
    assert sorted(values, key=lambda v: v.hex)[0] == values[0]


def test_the_random_part_differs_between_ids_made_at_once() -> None:
    values = [new_id() for _ in range(1000)]
    assert len({v.int & ((1 << 62) - 1) for v in values}) == 1000


def test_events_and_rows_get_time_ordered_ids() -> None:
    from curation.tables import Case
    from exhibitions.tables import Exhibition
    from registry.tables import Sentra
    from shared.events import WaitlistedV1, new_event

    event = new_event("exhibition.waitlisted", WaitlistedV1(
        exhibition_id=new_id(), exhibition_name="PKB", ikm_id=new_id(), waitlist_rank=1, reason="penuh"))
    assert event.event_id.version == 7
    for model in (Case, Exhibition, Sentra):
        assert model().id.version == 7, model.__name__
