"""Consuming events: decoding, applying each event once, retries and dead letters (SPEC.md, Events).

`apply_once` runs against a real SQLite file. `EventConsumer` runs on FastStream's in-memory
`TestRedisBroker`, which hands a published entry to the group's main subscriber once, but keeps no
pending entry for the claimer to take over and reports every entry as delivery 1 without an entry id.
Retries past the first delivery are therefore tested by calling `EventConsumer.handle` with a
stand-in message that reports its delivery count and records its ack.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, cast

import pytest
from faststream.redis import RedisBroker
from faststream.redis.parser.binary import BinaryMessageFormatV1
from prometheus_client import REGISTRY
from redis.asyncio import Redis
from redis.exceptions import ResponseError
from sqlalchemy import Column, MetaData, String, Table, insert, select
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel

from shared.consumer import (
    BatchHandler,
    EventConsumer,
    InboxEvent,
    Undecodable,
    apply_batch,
    apply_once,
    ensure_groups,
    entry_body,
    parse_envelope,
)
from shared.db import make_engine
from shared.events import (
    CurationDecidedV1,
    Envelope,
    IkmRegisteredV1,
    Payload,
    ProductInfo,
    new_event,
)
from shared.faults import InjectedFault

STREAM = "ikm.registered"

# The effect a handler has, in a table of its own metadata so the project's tables stay untouched.
_effects_metadata = MetaData()
EFFECTS = Table("unit_effect", _effects_metadata, Column("event_id", String(36), primary_key=True),
                Column("ikm_name", String(200), nullable=False))


def registered(name: str = "UD Perak Sari Singapadu") -> Envelope:
    return new_event(STREAM, IkmRegisteredV1(
        ikm_id=uuid.uuid4(), nib=None, name=name, sector="kriya", regency_code="5104",
        district_code="5104010", village_code="5104010007", workers=6,
        products=[ProductInfo(product_id=uuid.uuid4(), name="Cincin perak")]))


def decided() -> Envelope:
    return new_event("curation.decided", CurationDecidedV1(
        case_id=uuid.uuid4(), ikm_id=uuid.uuid4(), product_id=uuid.uuid4(), outcome="approved"))


def record_effect(session: Session, envelope: Envelope, payload: Any) -> None:
    session.execute(insert(EFFECTS).values(event_id=str(envelope.event_id), ikm_name=payload.name))


def fail_after_effect(session: Session, envelope: Envelope, payload: Any) -> None:
    record_effect(session, envelope, payload)
    raise RuntimeError("kurator service down")


@pytest.fixture(autouse=True)
def no_fault_injection(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SENTRA_FAULT_EXIT_ON", raising=False)
    monkeypatch.delenv("SENTRA_FAULT_RAISE_ON", raising=False)


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine("sqlite:///" + str(tmp_path / "consumer.db"))
    SQLModel.metadata.create_all(engine, tables=[InboxEvent.__table__])  # type: ignore[attr-defined]
    _effects_metadata.create_all(engine)
    yield engine
    engine.dispose()


def effects(engine: Engine) -> list[str]:
    with Session(engine) as session:
        return [row.ikm_name for row in session.execute(select(EFFECTS))]


def inbox(engine: Engine) -> list[InboxEvent]:
    with Session(engine) as session:
        return list(session.execute(select(InboxEvent)).scalars())


def consumed(outcome: str, stream: str = STREAM) -> float:
    value = REGISTRY.get_sample_value("sentra_events_consumed_total", {"stream": stream, "outcome": outcome})
    return value or 0.0


# --- parse_envelope -----------------------------------------------------------------------------


def test_an_envelope_is_read_from_json_bytes() -> None:
    event = registered()
    envelope, payload = parse_envelope(event.model_dump_json().encode())
    assert envelope == event
    assert isinstance(payload, IkmRegisteredV1)
    assert payload.name == "UD Perak Sari Singapadu"


def test_an_envelope_is_read_from_a_json_string() -> None:
    event = registered()
    assert parse_envelope(event.model_dump_json())[0] == event


def test_an_envelope_is_read_from_an_already_decoded_object() -> None:
    event = registered()
    envelope, payload = parse_envelope(event.model_dump(mode="json"))
    assert envelope.event_id == event.event_id
    assert payload == event.payload()


@pytest.mark.parametrize("body", [b"{not json", "", b"\xff\xfe", "null.", b"[1, 2"])
def test_a_body_that_is_not_json_is_undecodable(body: bytes | str) -> None:
    with pytest.raises(Undecodable):
        parse_envelope(body)


@pytest.mark.parametrize("body", [[1, 2], 42, None, "\"a string\"", b"[]"])
def test_json_that_is_not_an_object_is_undecodable(body: object) -> None:
    with pytest.raises(Undecodable, match="JSON object"):
        parse_envelope(body)


def test_an_object_that_is_not_an_envelope_is_undecodable() -> None:
    with pytest.raises(Undecodable):
        parse_envelope({"hello": "world"})


def test_an_envelope_of_an_unknown_type_is_undecodable() -> None:
    body = registered().model_dump(mode="json") | {"event_type": "ikm.deleted"}
    with pytest.raises(Undecodable, match=r"ikm\.deleted"):
        parse_envelope(body)


def test_an_envelope_of_an_unknown_version_is_undecodable() -> None:
    body = registered().model_dump(mode="json") | {"event_version": 7}
    with pytest.raises(Undecodable, match="version 7"):
        parse_envelope(body)


def test_an_envelope_with_bad_payload_data_is_undecodable() -> None:
    body = registered().model_dump(mode="json")
    body["data"]["workers"] = "banyak"
    with pytest.raises(Undecodable, match="workers"):
        parse_envelope(json.dumps(body))


def test_undecodable_is_a_value_error() -> None:
    assert issubclass(Undecodable, ValueError)


# --- entry_body -------------------------------------------------------------------------------


async def test_an_entry_in_faststreams_binary_format_gives_the_message_inside() -> None:
    event = registered()
    data = await BinaryMessageFormatV1.encode(message=event.model_dump_json().encode(), reply_to=None,
                                              headers={"event_type": STREAM}, correlation_id="c-1")
    envelope, _ = parse_envelope(entry_body({b"__data__": data}))
    assert envelope == event


def test_an_entry_another_tool_wrote_gives_its_fields_and_is_undecodable() -> None:
    body = entry_body({b"event_type": b"ikm.registered", b"name": b"UD Tanpa Amplop"})
    assert body == {"event_type": "ikm.registered", "name": "UD Tanpa Amplop"}
    with pytest.raises(Undecodable):
        parse_envelope(body)


# --- apply_once ---------------------------------------------------------------------------------


def test_an_event_is_applied_and_recorded_in_the_inbox(engine: Engine) -> None:
    event = registered()
    assert apply_once(engine, record_effect, event, event.payload()) is True
    assert effects(engine) == ["UD Perak Sari Singapadu"]
    [row] = inbox(engine)
    assert row.event_id == event.event_id
    assert row.event_type == STREAM
    assert row.processed_at.tzinfo is not None


def test_the_same_event_applied_twice_has_its_effect_once(engine: Engine) -> None:
    event = registered()
    assert apply_once(engine, record_effect, event, event.payload()) is True
    assert apply_once(engine, record_effect, event, event.payload()) is False
    assert effects(engine) == ["UD Perak Sari Singapadu"]
    assert len(inbox(engine)) == 1


def test_a_redelivery_does_not_call_the_handler_again(engine: Engine) -> None:
    event = registered()
    calls: list[uuid.UUID] = []
    apply_once(engine, lambda s, e, p: calls.append(e.event_id), event, event.payload())
    apply_once(engine, lambda s, e, p: calls.append(e.event_id), event, event.payload())
    assert calls == [event.event_id]


def test_two_different_events_are_both_applied(engine: Engine) -> None:
    first, second = registered("UD Satu"), registered("UD Dua")
    assert apply_once(engine, record_effect, first, first.payload()) is True
    assert apply_once(engine, record_effect, second, second.payload()) is True
    assert sorted(effects(engine)) == ["UD Dua", "UD Satu"]


def test_the_handler_gets_the_envelope_and_the_typed_payload(engine: Engine) -> None:
    event = registered()
    seen: list[tuple[Envelope, Payload]] = []
    apply_once(engine, lambda s, e, p: seen.append((e, p)), event, event.payload())
    assert seen == [(event, event.payload())]


def test_a_failing_handler_leaves_neither_its_effect_nor_an_inbox_row(engine: Engine) -> None:
    event = registered()
    with pytest.raises(RuntimeError, match="kurator service down"):
        apply_once(engine, fail_after_effect, event, event.payload())
    assert effects(engine) == []
    assert inbox(engine) == []


def test_an_event_whose_handler_failed_is_applied_on_a_later_try(engine: Engine) -> None:
    event = registered()
    with pytest.raises(RuntimeError):
        apply_once(engine, fail_after_effect, event, event.payload())
    assert apply_once(engine, record_effect, event, event.payload()) is True
    assert effects(engine) == ["UD Perak Sari Singapadu"]


def test_a_fault_injected_before_commit_rolls_the_event_back(
        engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SENTRA_FAULT_RAISE_ON", "UD Racun")
    poison, healthy = registered("UD Racun"), registered("UD Sehat")
    with pytest.raises(InjectedFault):
        apply_once(engine, record_effect, poison, poison.payload())
    assert apply_once(engine, record_effect, healthy, healthy.payload()) is True
    assert effects(engine) == ["UD Sehat"]
    assert [row.event_id for row in inbox(engine)] == [healthy.event_id]


# --- apply_batch and batch handlers -------------------------------------------------------------


def test_a_batch_handler_gets_consecutive_events_of_its_type_in_one_call(engine: Engine) -> None:
    calls: list[list[str]] = []

    def record_all(session: Session, events: Sequence[tuple[Envelope, Any]]) -> None:
        calls.append([p.name for _, p in events])
        for envelope, payload in events:
            record_effect(session, envelope, payload)

    batch = BatchHandler(record_all)
    first, second, third, fourth = (registered(f"UD {n}") for n in ("Satu", "Dua", "Tiga", "Empat"))
    items = [(batch, e, e.payload()) for e in (first, second)] + [(record_effect, third, third.payload())] \
        + [(batch, fourth, fourth.payload()), (batch, first, first.payload())]  # first again: a duplicate
    assert apply_batch(engine, items) == 4
    assert calls == [["UD Satu", "UD Dua"], ["UD Empat"]]  # in order; another handler splits the run
    assert sorted(effects(engine)) == ["UD Dua", "UD Empat", "UD Satu", "UD Tiga"]
    assert len(inbox(engine)) == 4
    assert apply_batch(engine, items) == 0  # a redelivery of the whole batch does nothing
    assert len(calls) == 2


def test_a_batch_handler_applies_an_entry_retried_alone_as_a_run_of_one(engine: Engine) -> None:
    runs: list[int] = []

    def count(session: Session, events: Sequence[tuple[Envelope, Any]]) -> None:
        runs.append(len(events))
        for envelope, payload in events:
            record_effect(session, envelope, payload)

    event = registered()
    assert apply_once(engine, BatchHandler(count), event, event.payload()) is True
    assert runs == [1] and effects(engine) == ["UD Perak Sari Singapadu"]


def test_a_failing_batch_leaves_no_effect_and_no_inbox_row(engine: Engine) -> None:
    good, bad = registered("UD Baik"), registered("UD Gagal")
    with pytest.raises(RuntimeError):
        apply_batch(engine, [(record_effect, good, good.payload()), (fail_after_effect, bad, bad.payload())])
    assert effects(engine) == [] and inbox(engine) == []


# --- ensure_groups ------------------------------------------------------------------------------


class GroupRedis:
    def __init__(self, existing: frozenset[str] = frozenset(), error: str | None = None) -> None:
        self.existing = set(existing)
        self.error = error
        self.created: list[dict[str, Any]] = []

    async def xgroup_create(self, **kwargs: Any) -> None:
        if self.error:
            raise ResponseError(self.error)
        if kwargs["name"] in self.existing:
            raise ResponseError("BUSYGROUP Consumer Group name already exists")
        self.created.append(kwargs)


async def test_groups_are_created_from_the_start_of_each_stream() -> None:
    redis = GroupRedis()
    await ensure_groups(cast(Redis, redis), ["ikm.registered", "product.submitted"], "curation")
    assert redis.created == [
        {"name": "ikm.registered", "groupname": "curation", "id": "0", "mkstream": True},
        {"name": "product.submitted", "groupname": "curation", "id": "0", "mkstream": True},
    ]


async def test_a_group_that_already_exists_is_left_alone() -> None:
    redis = GroupRedis(existing=frozenset({"ikm.registered"}))
    await ensure_groups(cast(Redis, redis), ["ikm.registered", "product.submitted"], "curation")
    assert [c["name"] for c in redis.created] == ["product.submitted"]


async def test_another_redis_error_while_creating_a_group_is_raised() -> None:
    redis = GroupRedis(error="WRONGTYPE Operation against a key holding the wrong kind of value")
    with pytest.raises(ResponseError, match="WRONGTYPE"):
        await ensure_groups(cast(Redis, redis), ["ikm.registered"], "curation")


# --- EventConsumer ------------------------------------------------------------------------------


class DeadLetterRedis:
    """Records what the consumer writes to dead-letter streams."""

    def __init__(self, fail: bool = False) -> None:
        self.fail = fail
        self.added: list[tuple[str, dict[Any, Any]]] = []

    async def xadd(self, name: str, fields: dict[Any, Any]) -> bytes:
        if self.fail:
            raise ConnectionError("Redis went away")
        self.added.append((name, fields))
        return b"1-0"


def make_consumer(engine: Engine, redis: DeadLetterRedis, *, handler: Any = record_effect,
                  max_deliveries: int = 3, on_applied: Any = lambda: None) -> tuple[RedisBroker, EventConsumer]:
    broker = RedisBroker()
    consumer = EventConsumer(broker, cast(Redis, redis), engine, group="curation", consumer_name="curation-1",
                             handlers={STREAM: handler}, max_deliveries=max_deliveries, claim_idle_ms=60_000,
                             read_batch=10, on_applied=on_applied)
    return broker, consumer


def test_handlers_for_unknown_event_types_are_refused(engine: Engine) -> None:
    with pytest.raises(ValueError, match=r"ikm\.deleted"):
        EventConsumer(RedisBroker(), cast(Redis, DeadLetterRedis()), engine, group="curation",
                      consumer_name="curation-1", handlers={"ikm.deleted": record_effect},
                      max_deliveries=3, claim_idle_ms=60_000, read_batch=10)


def test_a_consumer_reads_the_streams_of_its_handlers(engine: Engine) -> None:
    broker = RedisBroker()
    consumer = EventConsumer(broker, cast(Redis, DeadLetterRedis()), engine, group="exhibitions",
                             consumer_name="exhibitions-1",
                             handlers={"ikm.registered": record_effect, "curation.decided": record_effect},
                             max_deliveries=3, claim_idle_ms=60_000, read_batch=10)
    assert consumer.streams == ["ikm.registered", "curation.decided"]
    # A main subscriber and a claimer per stream, all in the service's group.
    groups = [(s.stream_sub.name, s.stream_sub.group) for s in broker.subscribers]  # type: ignore[attr-defined]
    assert sorted(groups) == sorted([("ikm.registered", "exhibitions")] * 2 + [("curation.decided", "exhibitions")] * 2)


class BatchRedis(DeadLetterRedis):
    """Also records the one XACK a batch ends with."""

    def __init__(self, fail: bool = False) -> None:
        super().__init__(fail)
        self.acked: list[bytes] = []

    async def xack(self, stream: str, group: str, *ids: bytes) -> int:
        self.acked += ids
        return len(ids)


class BatchMessage:
    """Stands in for FastStream's RedisBatchStreamMessage: what the main subscriber reads with `>`."""

    def __init__(self, bodies: list[Any]) -> None:
        self.raw_message = {
            "type": "bstream", "channel": STREAM,
            "message_ids": [f"17000000000{i:02d}-0".encode() for i in range(len(bodies))],
            "data": [{b"__data__": json.dumps(b).encode() if isinstance(b, dict) else str(b).encode()}
                     for b in bodies],
        }


async def handle_batch(consumer: EventConsumer, bodies: list[Any]) -> BatchMessage:
    message = BatchMessage(bodies)
    await consumer.handle_batch(STREAM, cast(Any, message))
    return message


# FastStream's TestRedisBroker models neither consumer groups nor pending entries nor batches as
# Redis delivers them, so the read paths are driven directly here and end to end against a real
# Redis in tests/integration.


async def test_a_batch_is_applied_in_one_go_and_acked_in_one_call(engine: Engine) -> None:
    applied: list[None] = []
    redis = BatchRedis()
    _, consumer = make_consumer(engine, redis, on_applied=lambda: applied.append(None))
    first, second = registered("UD Satu"), registered("UD Dua")
    before = consumed("applied")
    message = await handle_batch(consumer, [first.model_dump(mode="json"), second.model_dump(mode="json")])
    assert sorted(effects(engine)) == ["UD Dua", "UD Satu"]
    assert redis.acked == message.raw_message["message_ids"]
    assert applied == [None]  # the relay is woken once per batch
    assert consumed("applied") == before + 2
    assert redis.added == []


async def test_the_same_event_twice_in_a_batch_is_applied_once(engine: Engine) -> None:
    redis = BatchRedis()
    _, consumer = make_consumer(engine, redis)
    body = registered().model_dump(mode="json")
    before = consumed("duplicate")
    await handle_batch(consumer, [body, body])
    await handle_batch(consumer, [body])  # and again in a later batch
    assert effects(engine) == ["UD Perak Sari Singapadu"]
    assert len(redis.acked) == 3
    assert consumed("duplicate") == before + 2


async def test_an_undecodable_entry_in_a_batch_is_dead_lettered_at_once(engine: Engine) -> None:
    redis = BatchRedis()
    _, consumer = make_consumer(engine, redis)
    message = await handle_batch(consumer, ["{not json", registered("UD Sehat").model_dump(mode="json")])
    [(stream, fields)] = redis.added
    assert stream == "ikm.registered.dlq" and fields["error"].startswith("undecodable")
    assert fields["delivery_count"] == "1"
    assert effects(engine) == ["UD Sehat"]
    assert redis.acked == message.raw_message["message_ids"]


async def test_an_event_on_the_wrong_stream_is_dead_lettered(engine: Engine) -> None:
    redis = BatchRedis()
    _, consumer = make_consumer(engine, redis)
    await handle_batch(consumer, [decided().model_dump(mode="json")])
    [(_, fields)] = redis.added
    assert "does not belong on stream" in fields["error"]
    assert effects(engine) == []


async def test_a_poison_event_in_a_batch_stays_pending_while_the_rest_is_applied(
        engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SENTRA_FAULT_RAISE_ON", "UD Racun")
    redis = BatchRedis()
    _, consumer = make_consumer(engine, redis, max_deliveries=3)
    before = consumed("retry")
    message = await handle_batch(consumer, [registered("UD Racun").model_dump(mode="json"),
                                            registered("UD Sehat").model_dump(mode="json")])
    assert effects(engine) == ["UD Sehat"]
    assert redis.acked == message.raw_message["message_ids"][1:]  # the poison stays for the claimer
    assert redis.added == []
    assert consumed("retry") == before + 1


async def test_a_batch_whose_acks_cannot_be_sent_leaves_its_entries_pending(engine: Engine) -> None:
    class NoAck(BatchRedis):
        async def xack(self, stream: str, group: str, *ids: bytes) -> int:
            raise ConnectionError("Redis went away")

    redis = NoAck()
    _, consumer = make_consumer(engine, redis)
    await handle_batch(consumer, [registered().model_dump(mode="json")])  # does not raise
    assert effects(engine) == ["UD Perak Sari Singapadu"]  # applied; the redelivery will be a duplicate


class StreamMessage:
    """Stands in for FastStream's RedisStreamMessage: a delivery count and an ack."""

    def __init__(self, body: dict[str, Any], deliveries: int) -> None:
        self.deliveries = deliveries
        self.acked = False
        self.raw_message = {"type": "stream", "channel": STREAM, "message_ids": [b"1700000000000-0"],
                            "data": {b"__data__": json.dumps(body).encode()}}

    async def get_delivery_count(self) -> int:
        return self.deliveries

    async def ack(self) -> None:
        self.acked = True


async def handle(consumer: EventConsumer, body: dict[str, Any], deliveries: int) -> StreamMessage:
    message = StreamMessage(body, deliveries)
    await consumer.handle(STREAM, body, cast(Any, message))
    return message


async def test_an_applied_event_is_acked(engine: Engine) -> None:
    _, consumer = make_consumer(engine, DeadLetterRedis())
    message = await handle(consumer, registered().model_dump(mode="json"), deliveries=1)
    assert message.acked is True
    assert effects(engine) == ["UD Perak Sari Singapadu"]


async def test_a_redelivered_event_already_applied_is_acked_without_its_effect_again(engine: Engine) -> None:
    _, consumer = make_consumer(engine, DeadLetterRedis())
    body = registered().model_dump(mode="json")
    await handle(consumer, body, deliveries=1)
    message = await handle(consumer, body, deliveries=2)
    assert message.acked is True
    assert effects(engine) == ["UD Perak Sari Singapadu"]


async def test_a_failure_before_the_last_delivery_leaves_the_entry_pending(engine: Engine) -> None:
    redis = DeadLetterRedis()
    _, consumer = make_consumer(engine, redis, handler=fail_after_effect, max_deliveries=3)
    message = await handle(consumer, registered().model_dump(mode="json"), deliveries=2)
    assert message.acked is False
    assert redis.added == []


async def test_a_failure_on_the_last_delivery_dead_letters_the_original_entry_and_acks_it(engine: Engine) -> None:
    redis = DeadLetterRedis()
    _, consumer = make_consumer(engine, redis, handler=fail_after_effect, max_deliveries=3)
    body = registered().model_dump(mode="json")
    message = await handle(consumer, body, deliveries=3)
    assert message.acked is True
    [(stream, fields)] = redis.added
    assert stream == "ikm.registered.dlq"
    assert fields[b"__data__"] == json.dumps(body).encode()
    assert fields["original_id"] == b"1700000000000-0"
    assert fields["delivery_count"] == "3"
    assert fields["error"] == "RuntimeError: kurator service down"


async def test_a_dead_letter_that_cannot_be_written_leaves_the_entry_pending(engine: Engine) -> None:
    _, consumer = make_consumer(engine, DeadLetterRedis(fail=True), handler=fail_after_effect, max_deliveries=1)
    message = await handle(consumer, registered().model_dump(mode="json"), deliveries=1)
    assert message.acked is False


async def test_a_consumer_that_caught_up_lingers_before_its_next_read(engine: Engine) -> None:
    def consumer(read_batch: int) -> EventConsumer:
        return EventConsumer(RedisBroker(), cast(Redis, BatchRedis()), engine, group="curation",
                             consumer_name="curation-1", handlers={STREAM: record_effect}, max_deliveries=3,
                             claim_idle_ms=60_000, read_batch=read_batch, linger_s=0.2)

    short, full = consumer(read_batch=10), consumer(read_batch=1)
    started = asyncio.get_running_loop().time()
    await handle_batch(short, [registered("UD Satu").model_dump(mode="json")])
    lingered = asyncio.get_running_loop().time() - started
    started = asyncio.get_running_loop().time()
    await handle_batch(full, [registered("UD Dua").model_dump(mode="json")])  # a full read: more may wait
    assert lingered >= 0.2 > asyncio.get_running_loop().time() - started
    assert sorted(effects(engine)) == ["UD Dua", "UD Satu"]


def test_a_stream_subscriber_copies_its_subscription_once_not_on_every_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """FastStream deep-copies the subscription on each `stream_sub` access (several per read);
    shared.consumer makes it once per subscriber and prefix."""
    from faststream.redis import RedisBroker, StreamSub

    import shared.consumer  # noqa: F401  (installs the once-only property)

    copies: list[str] = []
    real = StreamSub.add_prefix
    monkeypatch.setattr(StreamSub, "add_prefix", lambda self, prefix: copies.append(prefix) or real(self, prefix))
    broker = RedisBroker("redis://127.0.0.1:6379")
    subscriber = broker.subscriber(stream=StreamSub("ikm.registered", group="curation", consumer="c1"))
    first = subscriber.stream_sub
    assert subscriber.stream_sub is first and subscriber.stream_sub.name == "ikm.registered"
    assert first.group == "curation" and len(copies) == 1
    subscriber._stream_sub = StreamSub("ikm.updated", group="curation", consumer="c1")  # a new one: a new copy
    assert subscriber.stream_sub.name == "ikm.updated" and len(copies) == 2
    assert subscriber.stream_sub is subscriber.stream_sub and len(copies) == 2
