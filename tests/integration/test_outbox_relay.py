"""The outbox relay against a real Redis: rows go out in order, in FastStream's own format, and a
FastStream subscriber of the stream reads each envelope exactly as it was stored."""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path
from typing import Any

from faststream import AckPolicy
from faststream.redis import RedisBroker, StreamSub
from faststream.redis.parser.binary import BinaryMessageFormatV1
from redis.asyncio import Redis
from sqlmodel import Session, SQLModel, col, select

from shared.db import make_engine, session_scope
from shared.events import Envelope, IkmRegisteredV1, ProductInfo, new_event
from shared.outbox import OutboxEvent, OutboxRelay, add_event


def registered(i: int) -> Envelope:
    return new_event("ikm.registered", IkmRegisteredV1(
        ikm_id=uuid.uuid4(), nib=None, name=f"UD Anyaman Bambu {i}", sector="kriya", regency_code="5106",
        district_code="5106010", village_code="5106010001", workers=4,
        products=[ProductInfo(product_id=uuid.uuid4(), name="Keranjang bambu")]))


def test_the_relay_publishes_rows_in_order_as_faststream_reads_them(tmp_path: Path, redis_url: str) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'outbox.db'}")
    SQLModel.metadata.create_all(engine, tables=[OutboxEvent.__table__])  # type: ignore[attr-defined]
    events = [registered(i) for i in range(5)]
    with session_scope(engine) as session:
        for event in events:
            add_event(session, event)

    async def scenario() -> tuple[int, int, list[tuple[bytes, dict[str, Any]]], list[Any]]:
        redis = Redis.from_url(redis_url)
        relay = OutboxRelay(engine, redis, batch=3)
        first, second = await relay.publish_pending(), await relay.publish_pending()
        third = await relay.publish_pending()  # nothing left
        entries = await redis.xrange("ikm.registered")
        raw = [BinaryMessageFormatV1.parse(fields[b"__data__"]) for _, fields in entries]
        # A FastStream subscriber reads them as it would read `broker.publish(envelope_dict)`.
        await redis.xgroup_create("ikm.registered", "reader", id="0")
        broker = RedisBroker(redis_url)
        bodies: list[Any] = []
        done = asyncio.Event()

        @broker.subscriber(stream=StreamSub("ikm.registered", group="reader", consumer="r1", batch=True,
                                            max_records=10), ack_policy=AckPolicy.MANUAL)
        async def read(batch: list[Any]) -> None:
            bodies.extend(batch)
            if len(bodies) >= len(events):
                done.set()

        await broker.start()
        try:
            await asyncio.wait_for(done.wait(), 10)
        finally:
            await broker.stop()
            await redis.aclose()
        assert third == 0
        return first, second, raw, bodies

    first, second, raw, bodies = asyncio.run(scenario())
    assert (first, second) == (3, 2)
    assert [Envelope.model_validate(b) for b in bodies] == events
    for (body, headers), event in zip(raw, events, strict=True):
        assert json.loads(body) == json.loads(event.model_dump_json())
        assert headers["content-type"] == "application/json"
        assert headers["event_type"] == "ikm.registered" and headers["event_id"] == str(event.event_id)
        assert headers["correlation_id"] == str(event.correlation_id)
    with Session(engine) as session:
        assert session.exec(select(OutboxEvent).where(col(OutboxEvent.published_at).is_(None))).all() == []
    engine.dispose()


def test_two_relays_on_one_postgresql_outbox_publish_each_event_once(postgres_server: str, redis_url: str) -> None:
    """Replicas of a service's worker share its database: one relay leads at a time, and when it
    stops another takes over with nothing sent twice or lost."""
    from tests.support.servers import create_database

    engine = make_engine(create_database(postgres_server, "sentra_relay_replicas"))
    SQLModel.metadata.create_all(engine, tables=[OutboxEvent.__table__])  # type: ignore[attr-defined]

    def stage(count: int) -> list[Envelope]:
        events = [registered(i) for i in range(count)]
        with session_scope(engine) as session:
            for event in events:
                add_event(session, event)
        return events

    async def scenario() -> tuple[list[int], list[int], int]:
        redis = Redis.from_url(redis_url)
        one, two = (OutboxRelay(engine, redis, batch=50, lock_name="registry") for _ in range(2))
        first = stage(120)
        # Each worker runs its passes one after another; the two workers' passes interleave.
        passes = [await relay.one_pass() for _ in range(4) for relay in (one, two)]
        led = [one.leadership.holds(), two.leadership.holds()]
        await one.stop()  # the leader goes away: the other takes over
        second = stage(30)
        taken = [await two.one_pass() for _ in range(2)]
        count = await redis.xlen("ikm.registered")
        await two.stop()
        await redis.aclose()
        assert len(first) + len(second) == 150
        return [int(p) for p in passes], [int(led[0]), int(led[1]), int(two.leadership.holds()), *taken], count

    _, leaders, published = asyncio.run(scenario())
    assert leaders[:2] in ([1, 0], [0, 1])  # exactly one led while both ran
    assert published == 150  # every event once: none twice, none lost
    with Session(engine) as session:
        assert session.exec(select(OutboxEvent).where(col(OutboxEvent.published_at).is_(None))).all() == []
    engine.dispose()
