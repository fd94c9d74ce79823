"""Event contracts: the envelope, payload versions and the chain of correlation (SPEC.md, Events)."""

from __future__ import annotations

import json
import types
import typing
import uuid
from datetime import UTC

import pytest
from pydantic import BaseModel, ValidationError

from shared import events
from shared.events import (
    EVENT_TYPES,
    CaseOpenedV1,
    CurationDecidedV1,
    Envelope,
    EventType,
    IkmRegisteredV1,
    Payload,
    ProductInfo,
    UnknownEvent,
    new_event,
)

IKM_ID = uuid.UUID("7d3c1c0e-7f5b-4a8e-9d2b-51040100070a")
PRODUCT_ID = uuid.UUID("0b6f7e5c-2a41-4c55-8f0e-3c0f9a1e5d21")

REGISTERED = IkmRegisteredV1(
    ikm_id=IKM_ID, nib="9120301234567", name="UD Perak Sari Singapadu", sector="kriya", kbli="32112",
    regency_code="5104", district_code="5104010", village_code="5104010007", workers=6,
    products=[ProductInfo(product_id=PRODUCT_ID, name="Cincin perak motif jawan", price_idr=450000)],
)

CASE_OPENED = CaseOpenedV1(case_id=uuid.uuid4(), ikm_id=IKM_ID, product_id=PRODUCT_ID,
                           product_name="Cincin perak motif jawan", sector="kriya", status="in_review",
                           curators=["kurator.made", "kurator.wayan"])

# CONVENTIONS.md: no NIK, phone, address or owner name in a payload, under any field name built on them.
PERSONAL_WORDS = {"nik", "phone", "address", "owner"}

# SPEC.md, Services: who publishes what (and issue 16: product photos).
PUBLISHED_BY = {
    "registry": {"ikm.registered", "ikm.updated", "product.submitted", "product.photos_changed", "product.withdrawn"},
    "curation": {"curation.case_opened", "curation.decided", "catalogue.changed"},
    "exhibitions": {"exhibition.booth_allocated", "exhibition.booth_released", "exhibition.waitlisted"},
}


class ThingV1(Payload):
    name: str


class ThingV2(Payload):
    title: str
    count: int


@pytest.fixture
def versioned_type(monkeypatch: pytest.MonkeyPatch) -> str:
    """An event type with two versions, registered for one test."""
    monkeypatch.setitem(EVENT_TYPES, "test.thing", EventType(
        name="test.thing", producer=events.REGISTRY, versions={1: ThingV1, 2: ThingV2}, summary="test"))
    return "test.thing"


# --- building events ----------------------------------------------------------------------------


def test_a_new_event_carries_its_type_version_producer_and_payload() -> None:
    event = new_event("ikm.registered", REGISTERED)
    assert event.event_type == "ikm.registered"
    assert event.event_version == 1
    assert event.producer == "registry"
    assert event.payload() == REGISTERED


def test_the_version_is_chosen_by_the_payload_model(versioned_type: str) -> None:
    assert new_event(versioned_type, ThingV1(name="a")).event_version == 1
    assert new_event(versioned_type, ThingV2(title="a", count=2)).event_version == 2


def test_a_consumer_still_reads_the_old_version_of_a_type(versioned_type: str) -> None:
    old = new_event(versioned_type, ThingV1(name="kendi"))
    assert EVENT_TYPES[versioned_type].current_version == 2
    assert old.payload() == ThingV1(name="kendi")


def test_an_event_that_starts_a_chain_is_its_own_correlation() -> None:
    event = new_event("ikm.registered", REGISTERED)
    assert event.correlation_id == event.event_id
    assert event.causation_id is None


def test_an_event_caused_by_another_inherits_its_correlation_and_names_its_cause() -> None:
    registered = new_event("ikm.registered", REGISTERED)
    opened = new_event("curation.case_opened", CASE_OPENED, causation=registered)
    assert opened.correlation_id == registered.correlation_id
    assert opened.causation_id == registered.event_id
    assert opened.event_id != registered.event_id


def test_the_correlation_runs_through_the_whole_chain() -> None:
    registered = new_event("ikm.registered", REGISTERED)
    opened = new_event("curation.case_opened", CASE_OPENED, causation=registered)
    decided = new_event("curation.decided", CurationDecidedV1(
        case_id=CASE_OPENED.case_id, ikm_id=IKM_ID, product_id=PRODUCT_ID, outcome="approved", grade="A",
        total=84.0), causation=opened)
    assert decided.correlation_id == registered.event_id
    assert decided.causation_id == opened.event_id


def test_a_cause_wins_over_an_explicit_correlation() -> None:
    registered = new_event("ikm.registered", REGISTERED)
    opened = new_event("curation.case_opened", CASE_OPENED, correlation_id=uuid.uuid4(), causation=registered)
    assert opened.correlation_id == registered.correlation_id


def test_an_explicit_correlation_is_kept_when_there_is_no_cause() -> None:
    import_id = uuid.uuid4()
    event = new_event("ikm.registered", REGISTERED, correlation_id=import_id)
    assert event.correlation_id == import_id
    assert event.causation_id is None


def test_every_new_event_has_a_fresh_id() -> None:
    assert new_event("ikm.registered", REGISTERED).event_id != new_event("ikm.registered", REGISTERED).event_id


def test_an_event_occurs_in_utc() -> None:
    occurred_at = new_event("ikm.registered", REGISTERED).occurred_at
    assert occurred_at.tzinfo is UTC


def test_an_envelope_survives_a_trip_through_json() -> None:
    event = new_event("ikm.registered", REGISTERED)
    wire = json.dumps(event.model_dump(mode="json"))
    back = Envelope.model_validate_json(wire)
    assert back == event
    assert back.payload() == REGISTERED


def test_a_payload_of_another_event_type_is_refused_with_a_clear_error() -> None:
    # A bare StopIteration escaping here is not just unclear: inside `list(map(...))` it silently ends
    # the iteration (events are dropped without an error); inside a generator it becomes RuntimeError.
    with pytest.raises((TypeError, ValueError)):
        new_event("ikm.registered", CASE_OPENED)


def test_an_unknown_event_type_cannot_be_built() -> None:
    with pytest.raises(KeyError):
        new_event("ikm.deleted", REGISTERED)


# --- reading events -----------------------------------------------------------------------------


def envelope(**changes: object) -> Envelope:
    fields = new_event("ikm.registered", REGISTERED).model_dump(mode="json") | changes
    return Envelope.model_validate(fields)


def test_reading_an_unknown_event_type_raises_unknown_event() -> None:
    with pytest.raises(UnknownEvent, match=r"ikm\.deleted"):
        envelope(event_type="ikm.deleted").payload()


def test_reading_an_unknown_version_raises_unknown_event() -> None:
    with pytest.raises(UnknownEvent, match="version 9"):
        envelope(event_version=9).payload()


def test_an_unknown_event_is_a_value_error() -> None:
    assert issubclass(UnknownEvent, ValueError)


def test_reading_bad_payload_data_raises_a_validation_error() -> None:
    data = REGISTERED.model_dump(mode="json") | {"workers": "banyak"}
    with pytest.raises(ValidationError):
        envelope(data=data).payload()


def test_reading_payload_data_with_a_missing_field_raises_a_validation_error() -> None:
    data = REGISTERED.model_dump(mode="json")
    del data["ikm_id"]
    with pytest.raises(ValidationError):
        envelope(data=data).payload()


def test_an_added_payload_field_keeps_the_version_readable() -> None:
    data = REGISTERED.model_dump(mode="json") | {"export_ready": True}
    assert envelope(data=data).payload() == REGISTERED


def test_an_added_envelope_field_is_ignored() -> None:
    assert envelope(trace_id="abc").payload() == REGISTERED


def test_an_envelope_without_a_correlation_is_refused() -> None:
    fields = new_event("ikm.registered", REGISTERED).model_dump(mode="json")
    del fields["correlation_id"]
    with pytest.raises(ValidationError):
        Envelope.model_validate(fields)


# --- the catalogue of event types ---------------------------------------------------------------


def test_every_event_type_is_produced_by_one_of_the_three_services() -> None:
    for event_type in EVENT_TYPES.values():
        assert event_type.producer in {"registry", "curation", "exhibitions"}, event_type.name


def test_each_service_publishes_exactly_the_events_of_the_spec() -> None:
    published: dict[str, set[str]] = {}
    for event_type in EVENT_TYPES.values():
        published.setdefault(event_type.producer, set()).add(event_type.name)
    assert published == PUBLISHED_BY


def test_every_event_type_is_keyed_by_its_name_and_streams_on_it() -> None:
    for name, event_type in EVENT_TYPES.items():
        assert event_type.name == name
        assert event_type.stream == name
        assert event_type.dead_letter_stream == f"{name}.dlq"


def test_every_event_type_has_a_version_1_and_a_summary() -> None:
    for event_type in EVENT_TYPES.values():
        assert 1 in event_type.versions, event_type.name
        assert event_type.current_version == max(event_type.versions)
        assert event_type.summary


def test_every_payload_model_ignores_fields_added_later() -> None:
    for name, event_type in EVENT_TYPES.items():
        for model in event_type.versions.values():
            assert issubclass(model, Payload), name
            assert model.model_config.get("extra") == "ignore", name


def _models_in(annotation: object) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is not None:
        return [m for arg in typing.get_args(annotation) for m in _models_in(arg)]
    return []


def _field_names(model: type[BaseModel], seen: set[type[BaseModel]]) -> set[str]:
    if model in seen:
        return set()
    seen.add(model)
    names = set(model.model_fields)
    for field in model.model_fields.values():
        for nested in _models_in(field.annotation):
            names |= _field_names(nested, seen)
    return names


def test_the_field_walker_sees_nested_payload_fields() -> None:
    assert "product_id" in _field_names(IkmRegisteredV1, set())


def _personal(names: set[str]) -> set[str]:
    return {name for name in names if set(name.lower().split("_")) & PERSONAL_WORDS}


def test_the_personal_data_check_catches_compound_names() -> None:
    assert _personal({"owner_name", "nik", "home_address", "name", "sector", "phone_number"}) == {
        "owner_name", "nik", "home_address", "phone_number"}


def test_no_payload_carries_personal_data() -> None:
    for event_type in EVENT_TYPES.values():
        for version, model in event_type.versions.items():
            leaked = _personal(_field_names(model, set()))
            assert not leaked, f"{event_type.name} v{version} carries {leaked}"


def test_a_payload_is_immutable() -> None:
    with pytest.raises(ValidationError):
        REGISTERED.name = "UD Lain"  # type: ignore[misc]
