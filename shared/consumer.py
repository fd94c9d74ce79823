"""Consuming events reliably from Redis streams with FastStream (ADR 0002).

Per stream, two subscribers in the service's group sit on one handler: the main one reads new
entries (`>`), the claimer takes over entries left pending longer than `claim_idle_ms` (a crash, a
failed try). Groups are created at `0` with MKSTREAM before the broker starts, so events written
before a service's very first start are delivered too. A message is acked only after its effects and
its inbox row commit together; a failure leaves it pending for the claimer; past `max_deliveries`,
or at once when it cannot be understood, it is copied to `<stream>.dlq` and acked.
"""

from __future__ import annotations

import asyncio
import json
import logging
import traceback
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from faststream import AckPolicy
from faststream.redis import RedisBroker, StreamSub
from faststream.redis.annotations import RedisStreamMessage
from prometheus_client import Counter
from pydantic import ValidationError
from redis.asyncio import Redis
from redis.exceptions import ResponseError
from sqlalchemy import Column
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel

from shared import faults
from shared.db import UtcDateTime, session_scope
from shared.events import EVENT_TYPES, Envelope, Payload, UnknownEvent, dead_letter_stream, utcnow
from shared.logs import correlation

log = logging.getLogger("sentra.consumer")

EVENTS_CONSUMED = Counter("sentra_events_consumed_total", "Events consumed", ["stream", "outcome"])

# A handler runs in a worker thread inside the transaction that also records the inbox row; it may
# stage further events with `shared.outbox.add_event` in the same session.
Handler = Callable[[Session, Envelope, Any], None]


class InboxEvent(SQLModel, table=True):
    """Events this service has applied: the same event_id is applied once (ADR 0003)."""

    __tablename__ = "inbox_event"

    event_id: uuid.UUID = Field(primary_key=True)
    event_type: str = Field(max_length=80)
    processed_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))


class Undecodable(ValueError):
    """The entry is not an envelope this service can read: dead-letter it without retrying."""


def parse_envelope(body: Any) -> tuple[Envelope, Payload]:
    """Envelope and typed payload from a decoded stream body; raises `Undecodable`."""
    if isinstance(body, bytes | str):
        try:
            body = json.loads(body)
        except ValueError as exc:
            raise Undecodable(f"not JSON: {exc}") from exc
    if not isinstance(body, dict):
        raise Undecodable(f"expected a JSON object, got {type(body).__name__}")
    try:
        envelope = Envelope.model_validate(body)
        return envelope, envelope.payload()
    except (ValidationError, UnknownEvent) as exc:
        raise Undecodable(str(exc)) from exc


def apply_once(engine: Engine, handler: Handler, envelope: Envelope, payload: Any) -> bool:
    """Apply `handler` and record the event in the inbox, in one transaction.

    Returns False when the event had already been applied (a redelivery): nothing is done twice.
    """
    try:
        with session_scope(engine) as session:
            if session.get(InboxEvent, envelope.event_id) is not None:
                return False
            session.add(InboxEvent(event_id=envelope.event_id, event_type=envelope.event_type,
                                   processed_at=utcnow()))
            session.flush()  # claim the event_id first: a concurrent duplicate fails here
            handler(session, envelope, payload)
            faults.before_commit(envelope)
        return True
    except IntegrityError:
        with Session(engine) as session:
            if session.get(InboxEvent, envelope.event_id) is not None:
                return False
        raise


async def ensure_groups(redis: Redis, streams: list[str], group: str) -> None:
    """Create `group` on each stream at id 0 (trap 1 in STACK.md): nothing written before is missed."""
    for stream in streams:
        try:
            await redis.xgroup_create(name=stream, groupname=group, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise


class EventConsumer:
    """Subscribes a service's group to the streams of its handlers, with claimer and dead letters."""

    def __init__(
        self,
        broker: RedisBroker,
        redis: Redis,
        engine: Engine,
        *,
        group: str,
        consumer_name: str,
        handlers: dict[str, Handler],
        max_deliveries: int,
        claim_idle_ms: int,
        read_batch: int,
        max_event_bytes: int = 256 * 1024,
        on_applied: Callable[[], None] = lambda: None,
    ) -> None:
        unknown = set(handlers) - set(EVENT_TYPES)
        if unknown:
            raise ValueError(f"handlers for unknown event types: {sorted(unknown)}")
        self.broker = broker
        self.redis = redis
        self.engine = engine
        self.group = group
        self.consumer_name = consumer_name
        self.handlers = handlers
        self.max_deliveries = max_deliveries
        self.claim_idle_ms = claim_idle_ms
        self.read_batch = read_batch
        self.max_event_bytes = max_event_bytes
        self.on_applied = on_applied
        for event_type in handlers:
            self._subscribe(EVENT_TYPES[event_type].stream)

    @property
    def streams(self) -> list[str]:
        return [EVENT_TYPES[t].stream for t in self.handlers]

    def _subscribe(self, stream: str) -> None:
        main = self.broker.subscriber(
            stream=StreamSub(stream, group=self.group, consumer=self.consumer_name,
                             max_records=self.read_batch),
            ack_policy=AckPolicy.MANUAL,
            title=f"{stream}:{self.group}",
            description=EVENT_TYPES[stream].summary,
        )
        claimer = self.broker.subscriber(
            stream=StreamSub(stream, group=self.group, consumer=self.consumer_name,
                             min_idle_time=self.claim_idle_ms, polling_interval=500),
            ack_policy=AckPolicy.MANUAL,
            title=f"{stream}:{self.group}:claimer",
            include_in_schema=False,
        )

        async def on_message(body: Any, msg: RedisStreamMessage) -> None:
            await self.handle(stream, body, msg)

        main(claimer(on_message))

    async def handle(self, stream: str, body: Any, msg: RedisStreamMessage) -> None:
        """Apply one entry; never raises, so FastStream never decides its fate (trap 3)."""
        try:
            deliveries = await msg.get_delivery_count()
            size = sum(len(v) for v in (msg.raw_message.get("data") or {}).values() if isinstance(v, bytes))
            if size > self.max_event_bytes:
                # No legitimate event comes near this: applying it would only bloat every database.
                await self.dead_letter(stream, msg, f"undecodable: entry of {size:,} bytes exceeds "
                                                    f"{self.max_event_bytes:,}", deliveries)
                return
            try:
                envelope, payload = parse_envelope(body)
            except Undecodable as exc:
                await self.dead_letter(stream, msg, f"undecodable: {exc}", deliveries)
                return
            handler = self.handlers.get(envelope.event_type)
            if handler is None or EVENT_TYPES[envelope.event_type].stream != stream:
                await self.dead_letter(stream, msg, f"event type {envelope.event_type!r} does not belong "
                                                    f"on stream {stream!r}", deliveries)
                return
            with correlation(str(envelope.correlation_id)):
                try:
                    applied = await asyncio.to_thread(apply_once, self.engine, handler, envelope, payload)
                except Exception as exc:
                    log.exception("handling %s %s failed (delivery %d of %d)", envelope.event_type,
                                  envelope.event_id, deliveries, self.max_deliveries)
                    if deliveries >= self.max_deliveries:
                        await self.dead_letter(stream, msg, _describe(exc), deliveries)
                    else:
                        EVENTS_CONSUMED.labels(stream, "retry").inc()
                    return  # left pending: the claimer retries it after claim_idle_ms
                await msg.ack()
                EVENTS_CONSUMED.labels(stream, "applied" if applied else "duplicate").inc()
                if applied:
                    self.on_applied()
        except Exception:
            # Redis went away mid-handling: the entry stays pending and is claimed again later.
            log.exception("consumer error on %s; the entry stays pending", stream)

    async def dead_letter(self, stream: str, msg: RedisStreamMessage, error: str, deliveries: int) -> None:
        """Copy the original entry with the error and delivery count to `<stream>.dlq`, then ack it."""
        raw = msg.raw_message
        fields: dict[Any, Any] = dict(raw.get("data") or {})
        message_ids = raw.get("message_ids") or [b""]
        original_id = message_ids[0]
        fields.update({
            "original_stream": stream,
            "original_id": original_id,
            "group": self.group,
            "error": error[:4000],
            "delivery_count": str(deliveries),
            "dead_lettered_at": utcnow().isoformat(),
        })
        await self.redis.xadd(dead_letter_stream(stream), fields)
        await msg.ack()
        EVENTS_CONSUMED.labels(stream, "dead_lettered").inc()
        log.error("dead-lettered %s entry %r after %d deliveries: %s", stream, original_id, deliveries, error)


def _describe(exc: BaseException) -> str:
    return "".join(traceback.format_exception_only(type(exc), exc)).strip()
