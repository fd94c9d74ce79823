"""Consuming events reliably from Redis streams with FastStream (ADR 0002).

Per stream, two subscribers in the service's group: the main one reads new entries (`>`) in batches
of up to `read_batch`, applied in one transaction and acked in one call (STACK.md: batches are where
throughput lives); the claimer takes over, one at a time, entries left pending longer than
`claim_idle_ms` (a crash, a failed try). Groups are created at `0` with MKSTREAM before the broker
starts, so events written
before a service's very first start are delivered too. A message is acked only after its effects and
its inbox row commit together; a failure leaves it pending for the claimer; past `max_deliveries`,
or at once when it cannot be understood, it is copied to `<stream>.dlq` and acked.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import traceback
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from faststream import AckPolicy
from faststream.redis import RedisBroker, StreamSub
from faststream.redis.annotations import RedisBatchStreamMessage, RedisStreamMessage
from faststream.redis.message import FAKE_CONSUMER
from faststream.redis.message import RedisBatchStreamMessage as BatchStreamMessage
from faststream.redis.parser.binary import BinaryMessageFormatV1
from faststream.redis.subscriber.usecases.stream_subscriber import _StreamHandlerMixin
from prometheus_client import Counter
from pydantic import ValidationError
from redis.asyncio import Redis
from redis.exceptions import ResponseError
from sqlalchemy import Column
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel, col, select

from shared import faults
from shared.db import UtcDateTime, insert_rows, session_scope
from shared.events import EVENT_TYPES, Envelope, Payload, UnknownEvent, dead_letter_stream, utcnow
from shared.logs import correlation


def _stream_sub_once(self: _StreamHandlerMixin) -> StreamSub:
    """A stream subscriber's subscription with the broker's prefix, made once per subscriber.

    FastStream 0.7.8's `stream_sub` property deep-copies the subscription on every access, and its
    read loop reads it several times per XREADGROUP/XAUTOCLAIM. That was about a tenth of a
    service's CPU under a steady trickle of events (yappi, registry, sequential POST /ikms). The
    subscription and the prefix do not change once the broker is set up; a new value of either
    still gives a new copy."""
    sub, prefix = self._stream_sub, self._outer_config.prefix
    cached = self.__dict__.get("_sentra_stream_sub")
    if cached is None or cached[0] is not sub or cached[1] != prefix:
        cached = (sub, prefix, sub.add_prefix(prefix))
        self.__dict__["_sentra_stream_sub"] = cached
    return cached[2]


_StreamHandlerMixin.stream_sub = property(_stream_sub_once)  # type: ignore[assignment,method-assign]

log = logging.getLogger("sentra.consumer")

EVENTS_CONSUMED = Counter("sentra_events_consumed_total", "Events consumed", ["stream", "outcome"])

# A handler runs in a worker thread inside the transaction that also records the inbox row; it may
# stage further events with `shared.outbox.add_event` in the same session.
EventHandler = Callable[[Session, Envelope, Any], None]


@dataclass(frozen=True)
class BatchHandler:
    """Applies a run of consecutive events of one type in one call, so that a batch of a thousand
    registrations costs a handful of queries and multi-row INSERTs instead of a thousand ORM round
    trips (ADR 0013). It must give the same result as applying the events one by one, in order;
    an entry retried on its own (the claimer) is applied as a run of one."""

    apply: Callable[[Session, Sequence[tuple[Envelope, Any]]], None]

    def __call__(self, session: Session, envelope: Envelope, payload: Any) -> None:
        self.apply(session, [(envelope, payload)])


Handler = EventHandler | BatchHandler


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
        # Parsed by pydantic straight from JSON: a well-formed envelope, by far the usual case,
        # costs one pass; anything else takes the careful path below for a precise reason.
        try:
            envelope = Envelope.model_validate_json(body)
        except ValidationError:
            pass
        else:
            try:
                return envelope, envelope.payload()
            except (ValidationError, UnknownEvent) as exc:
                raise Undecodable(str(exc)) from exc
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


def apply_batch(engine: Engine, items: list[tuple[Handler, Envelope, Any]]) -> int:
    """Apply several events in one transaction, each at most once; returns how many were new.

    The inbox rows are written first, in one INSERT (a concurrent duplicate fails the batch there,
    and the consumer falls back to one entry at a time). Consecutive events that share a
    `BatchHandler` are handed to it together; other handlers see one event at a time, in order."""
    with session_scope(engine) as session:
        ids = [envelope.event_id for _, envelope, _ in items]
        seen = set(session.exec(select(InboxEvent.event_id).where(col(InboxEvent.event_id).in_(ids))).all())
        new: list[tuple[Handler, Envelope, Any]] = []
        for item in items:
            if item[1].event_id not in seen:
                seen.add(item[1].event_id)
                new.append(item)
        if not new:
            return 0
        now = utcnow()
        insert_rows(session, InboxEvent, [{"event_id": e.event_id, "event_type": e.event_type,
                                              "processed_at": now} for _, e, _ in new])
        for handler, run in itertools.groupby(new, key=lambda item: item[0]):
            events = [(envelope, payload) for _, envelope, payload in run]
            if isinstance(handler, BatchHandler):
                with correlation(str(events[0][0].correlation_id)):
                    handler.apply(session, events)
            else:
                for envelope, payload in events:
                    with correlation(str(envelope.correlation_id)):
                        handler(session, envelope, payload)
            for envelope, _ in events:
                faults.before_commit(envelope)
    return len(new)


def entry_body(fields: dict[Any, Any]) -> Any:
    """The body of a stream entry as FastStream's batch parser finds it: the message inside
    FastStream's binary envelope (`__data__`, trap 7 in STACK.md), or, for an entry some other tool
    wrote, its fields."""
    data = fields.get(b"__data__", fields.get("__data__"))
    if data is None:
        return {_text(k): _text(v) for k, v in fields.items()}
    body, _headers = BinaryMessageFormatV1.parse(data)
    return body


def _text(value: Any) -> Any:
    return value.decode(errors="replace") if isinstance(value, bytes) else value


async def _undecoded_batch(message: Any, _default_parser: Any) -> BatchStreamMessage:
    """The main subscriber's parser: the batch as Redis returned it, left undecoded. FastStream's
    own batch parser decodes every entry, encodes the list to JSON and decodes it again for the
    handler's arguments; the consumer decodes each entry once itself (`entry_body`), which cut a
    third of the cost of consuming an event (measured with 20,000 registrations)."""
    return BatchStreamMessage(raw_message=message, body=b"", consumer=FAKE_CONSUMER, group=None)


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
        linger_s: float = 0.0,
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
        self.linger_s = linger_s
        self.on_applied = on_applied
        for event_type in handlers:
            self._subscribe(EVENT_TYPES[event_type].stream)

    @property
    def streams(self) -> list[str]:
        return [EVENT_TYPES[t].stream for t in self.handlers]

    def _subscribe(self, stream: str) -> None:
        main = self.broker.subscriber(
            stream=StreamSub(stream, group=self.group, consumer=self.consumer_name, batch=True,
                             max_records=self.read_batch),
            ack_policy=AckPolicy.MANUAL,
            parser=_undecoded_batch,
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

        async def on_batch(msg: RedisBatchStreamMessage) -> None:
            await self.handle_batch(stream, msg)

        async def on_claimed(body: Any, msg: RedisStreamMessage) -> None:
            await self.handle(stream, body, msg)

        main(on_batch)
        claimer(on_claimed)

    def _accept(self, stream: str, fields: dict[Any, Any], body: Any) -> tuple[Handler, Envelope, Any] | str:
        """The handler, envelope and payload of an entry, or why it can never be applied."""
        size = sum(len(v) for v in fields.values() if isinstance(v, bytes | str))
        if size > self.max_event_bytes:
            # No legitimate event comes near this: applying it would only bloat every database.
            return f"undecodable: entry of {size:,} bytes exceeds {self.max_event_bytes:,}"
        try:
            envelope, payload = parse_envelope(body)
        except Undecodable as exc:
            return f"undecodable: {exc}"
        handler = self.handlers.get(envelope.event_type)
        if handler is None or EVENT_TYPES[envelope.event_type].stream != stream:
            return f"event type {envelope.event_type!r} does not belong on stream {stream!r}"
        return handler, envelope, payload

    async def handle_batch(self, stream: str, msg: RedisBatchStreamMessage) -> None:
        """New entries (first delivery), up to `read_batch` at a time: applied in one transaction and
        acked in one call. If that transaction fails, each entry is applied on its own, so one
        failing event leaves only itself pending for the claimer. Never raises (trap 3)."""
        try:
            raw = msg.raw_message
            done: list[bytes] = []
            items: list[tuple[bytes, Handler, Envelope, Any]] = []
            for entry_id, fields in zip(raw["message_ids"], raw["data"], strict=True):
                accepted = self._accept(stream, fields, entry_body(fields))
                if isinstance(accepted, str):
                    await self._dead_letter_entry(stream, entry_id, fields, accepted, 1)
                    done.append(entry_id)
                else:
                    items.append((entry_id, *accepted))
            applied = 0
            if items:
                try:
                    applied = await asyncio.to_thread(apply_batch, self.engine, [i[1:] for i in items])
                    done += [i[0] for i in items]
                    EVENTS_CONSUMED.labels(stream, "applied").inc(applied)
                    EVENTS_CONSUMED.labels(stream, "duplicate").inc(len(items) - applied)
                except Exception:
                    log.warning("batch of %d on %s failed; applying one by one", len(items), stream)
                    for entry_id, handler, envelope, payload in items:
                        fields = dict(raw["data"][raw["message_ids"].index(entry_id)])
                        finished, new = await self._apply_one(stream, entry_id, handler, envelope, payload, 1, fields)
                        if finished:
                            done.append(entry_id)
                        applied += new
            if done:
                await self.redis.xack(stream, self.group, *done)
            if applied:
                self.on_applied()
        except Exception:
            # Redis went away mid-batch: what was not acked stays pending and is claimed again later.
            log.exception("consumer error on %s; the unacked entries stay pending", stream)
        if self.linger_s and len(msg.raw_message["message_ids"]) < self.read_batch:
            # Caught up: let the next read wait a moment, so that a steady trickle of events is
            # applied a few at a time instead of one transaction each.
            await asyncio.sleep(self.linger_s)

    async def handle(self, stream: str, body: Any, msg: RedisStreamMessage) -> None:
        """One entry taken over by the claimer (a crash or a failed try before); never raises."""
        try:
            deliveries = await msg.get_delivery_count()
            raw = msg.raw_message
            fields = dict(raw.get("data") or {})
            entry_id = (raw.get("message_ids") or [b""])[0]
            accepted = self._accept(stream, fields, body)
            if isinstance(accepted, str):
                await self._dead_letter_entry(stream, entry_id, fields, accepted, deliveries)
                await msg.ack()
                return
            handler, envelope, payload = accepted
            finished, new = await self._apply_one(stream, entry_id, handler, envelope, payload, deliveries, fields)
            if finished:
                await msg.ack()
            if new:
                self.on_applied()
        except Exception:
            log.exception("consumer error on %s; the entry stays pending", stream)

    async def _apply_one(self, stream: str, entry_id: bytes, handler: Handler, envelope: Envelope, payload: Any,
                         deliveries: int, fields: dict[Any, Any]) -> tuple[bool, bool]:
        """(finished, applied): finished when the entry is done with (applied, a duplicate, or
        dead-lettered) and may be acked, else it stays pending for the claimer to retry after
        `claim_idle_ms`; applied when this call had the effect (not a duplicate)."""
        with correlation(str(envelope.correlation_id)):
            try:
                applied = await asyncio.to_thread(apply_once, self.engine, handler, envelope, payload)
            except Exception as exc:
                log.exception("handling %s %s failed (delivery %d of %d)", envelope.event_type,
                              envelope.event_id, deliveries, self.max_deliveries)
                if deliveries >= self.max_deliveries:
                    await self._dead_letter_entry(stream, entry_id, fields, _describe(exc), deliveries)
                    return True, False
                EVENTS_CONSUMED.labels(stream, "retry").inc()
                return False, False
        EVENTS_CONSUMED.labels(stream, "applied" if applied else "duplicate").inc()
        return True, applied

    async def _dead_letter_entry(self, stream: str, entry_id: bytes, fields: dict[Any, Any], error: str,
                                 deliveries: int) -> None:
        """Copy the original entry with the error and delivery count to `<stream>.dlq` (the caller acks)."""
        fields = dict(fields)
        fields.update({
            "original_stream": stream,
            "original_id": entry_id,
            "group": self.group,
            "error": error[:4000],
            "delivery_count": str(deliveries),
            "dead_lettered_at": utcnow().isoformat(),
        })
        await self.redis.xadd(dead_letter_stream(stream), fields)
        EVENTS_CONSUMED.labels(stream, "dead_lettered").inc()
        log.error("dead-lettered %s entry %r after %d deliveries: %s", stream, entry_id, deliveries, error)


def _describe(exc: BaseException) -> str:
    return "".join(traceback.format_exception_only(type(exc), exc)).strip()
