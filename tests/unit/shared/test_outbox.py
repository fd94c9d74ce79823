"""The relay reads a stored envelope's correlation id without parsing the whole envelope; it must
find the same id a full parse finds, also when the payload holds the words."""

from __future__ import annotations

import json
import uuid

from shared.events import CaseOpenedV1, Envelope, new_event
from shared.ids import new_id
from shared.outbox import correlation_id_of


def test_the_correlation_id_read_from_the_stored_json_is_the_envelopes_own() -> None:
    cause = new_event("curation.case_opened", CaseOpenedV1(
        case_id=new_id(), ikm_id=new_id(), product_id=new_id(), product_name='"correlation_id":"x"',
        sector="kriya", status="open", curators=["kurator0"]))
    effect = new_event("curation.case_opened", CaseOpenedV1(
        case_id=new_id(), ikm_id=new_id(), product_id=new_id(), product_name="Cincin", sector="kriya",
        status="open", curators=[]), causation=cause)
    for envelope in (cause, effect):
        body = envelope.model_dump_json()
        assert correlation_id_of(body) == str(envelope.correlation_id) == json.loads(body)["correlation_id"]
    assert correlation_id_of(effect.model_dump_json()) == str(cause.event_id)


def test_an_envelope_written_some_other_way_is_parsed() -> None:
    envelope = Envelope(event_type="ikm.updated", event_version=1, producer="registry",
                        correlation_id=uuid.UUID(int=7), data={})
    spaced = json.dumps(json.loads(envelope.model_dump_json()), indent=2)  # "correlation_id": "…"
    assert correlation_id_of(spaced) == str(uuid.UUID(int=7))
