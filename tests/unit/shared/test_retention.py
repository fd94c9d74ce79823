"""Where a stream may be trimmed (shared.retention), and which services consume each event."""

from __future__ import annotations

from curation.handlers import build_handlers
from curation.settings import CurationSettings
from exhibitions.handlers import HANDLERS as EXHIBITIONS
from registry.handlers import HANDLERS as REGISTRY
from shared.events import EVENT_TYPES
from shared.retention import GroupState, trim_point

NOW = 10_000_000
HOUR = 3600


def test_nothing_is_trimmed_until_every_consumer_has_its_group() -> None:
    groups = [GroupState("curation", "9000000-0", None)]
    assert trim_point(NOW, 0, groups, {"curation", "exhibitions"}) is None
    assert trim_point(NOW, 0, groups, set()) is None


def test_the_trim_stops_at_the_oldest_pending_or_unread_entry() -> None:
    groups = [GroupState("curation", "9000000-5", None), GroupState("exhibitions", "9500000-0", "8000000-3")]
    assert trim_point(NOW, 0, groups, {"curation", "exhibitions"}) == "8000000-3"
    lagging = [GroupState("curation", "9000000-5", None), GroupState("exhibitions", "7000000-1", None)]
    assert trim_point(NOW, 0, lagging, {"curation", "exhibitions"}) == "7000000-1"


def test_the_safety_window_holds_recent_entries() -> None:
    groups = [GroupState("curation", f"{NOW}-0", None)]
    assert trim_point(NOW, 1, groups, {"curation"}) == f"{NOW - 1000}-0"
    assert trim_point(NOW, HOUR * 10, groups, {"curation"}) is None  # the window reaches back past 0


def test_each_event_names_exactly_the_services_that_handle_it() -> None:
    curation = build_handlers(CurationSettings())
    handled = {"registry": set(REGISTRY), "curation": set(curation), "exhibitions": set(EXHIBITIONS)}
    for name, event_type in EVENT_TYPES.items():
        assert set(event_type.consumers) == {s for s, types in handled.items() if name in types}, name
