"""The transactional outbox (ADR 0003): an event is a row written in the same transaction as the
business change, and a relay publishes rows to their streams in order, as long as it takes.

Publishing is at least once: a crash between XADD and marking the row published re-sends it on the
next pass, and the consumers' inbox absorbs the duplicate.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import uuid
from datetime import datetime, timedelta
from typing import Any

from faststream._internal.constants import ContentTypes
from faststream.redis.parser.binary import BinaryMessageFormatV1
from prometheus_client import Counter, Gauge
from redis.asyncio import Redis
from sqlalchemy import Column, Text, delete, func, update
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Field, Session, SQLModel, col, select

from shared.db import UtcDateTime, session_scope
from shared.events import EVENT_TYPES, Envelope, utcnow
from shared.worker import BackgroundWorker

log = logging.getLogger("sentra.outbox")

OUTBOX_PUBLISHED = Counter("sentra_outbox_published_total", "Outbox rows published to Redis", ["stream"])
OUTBOX_BACKLOG = Gauge("sentra_outbox_backlog", "Outbox rows not yet published")
OUTBOX_FAILURES = Counter("sentra_outbox_publish_failures_total", "Failed relay passes (Redis away)")


# Set in `session.info` of the relay's own transactions, which touch only outbox rows: a cache of
# domain rows that drops itself on other commits (curation's carried curator loads) can keep it.
RELAY_SESSION = "sentra_outbox_relay"


class OutboxEvent(SQLModel, table=True):
    __tablename__ = "outbox_event"

    id: int | None = Field(default=None, primary_key=True)
    event_id: uuid.UUID = Field(unique=True)
    event_type: str = Field(max_length=80)
    stream: str = Field(max_length=120)
    envelope: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    published_at: datetime | None = Field(
        default=None, sa_column=Column(UtcDateTime(), nullable=True, index=True)
    )


def add_event(session: Session, envelope: Envelope) -> None:
    """Stage `envelope` for publishing; it becomes visible only if the caller's transaction commits."""
    session.add(OutboxEvent(**outbox_values(envelope)))


def outbox_values(envelope: Envelope) -> dict[str, Any]:
    """The outbox row of `envelope` as column values, for a caller inserting many rows at once."""
    return {
        "event_id": envelope.event_id,
        "event_type": envelope.event_type,
        "stream": EVENT_TYPES[envelope.event_type].stream,
        "envelope": envelope.model_dump_json(),
        "created_at": envelope.occurred_at,
    }


_CORRELATION = '"correlation_id":"'


def correlation_id_of(body: str) -> str:
    """The correlation id of a stored envelope, without parsing it all: `Envelope.model_dump_json`
    writes `"correlation_id":"<uuid>"` before `data`, so the first match is the envelope's own (a
    full parse was 6 µs a row, 75,000 rows in a Bali import). Anything else is parsed."""
    at = body.find(_CORRELATION)
    if at >= 0:
        start = at + len(_CORRELATION)
        candidate = body[start:start + 36]
        if len(candidate) == 36 and body[start + 36:start + 37] == '"':
            return candidate
    return str(json.loads(body)["correlation_id"])


class RelayLeadership:
    """Which relay publishes a database's outbox when several processes share it (replicas of a
    service's worker on PostgreSQL).

    One relay at a time holds a PostgreSQL advisory lock on a connection it keeps open, so the
    outbox goes out once and in order. The lock lasts as long as that connection: a relay that
    dies, or loses its connection, lets another replica take over at its next pass. On SQLite a
    service runs one worker process (ADR 0015), and every relay leads."""

    def __init__(self, engine: Engine, name: str) -> None:
        self._engine = engine
        self._key = int.from_bytes(hashlib.sha256(f"sentra-relay:{name}".encode()).digest()[:8], "big", signed=True)
        self._conn: Connection | None = None

    def holds(self) -> bool:
        """Whether this relay leads now (taking the lead if nobody holds it)."""
        if self._engine.dialect.name != "postgresql":
            return True
        if self._conn is not None:
            try:
                self._conn.exec_driver_sql("SELECT 1")
                return True
            except Exception:
                self.release()
        # Autocommit: a connection kept open must not sit in a transaction (it would hold back
        # vacuum); the session-level lock needs none.
        conn = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        try:
            if conn.exec_driver_sql(f"SELECT pg_try_advisory_lock({self._key})").scalar():
                self._conn = conn
                return True
        except Exception:
            conn.close()
            raise
        conn.close()
        return False

    def release(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(Exception):
                self._conn.close()  # ends the session: PostgreSQL lets go of the lock
            self._conn = None


class OutboxRelay(BackgroundWorker):
    """Publishes unpublished outbox rows in insertion order; keeps trying while Redis is away."""

    name = "outbox-relay"

    def __init__(
        self,
        engine: Engine,
        redis: Redis,
        *,
        read_engine: Engine | None = None,
        poll_s: float = 0.5,
        linger_s: float = 0.0,
        batch: int = 200,
        keep_published: timedelta = timedelta(days=7),
        lock_name: str = "outbox",
    ) -> None:
        super().__init__(poll_s, linger_s)
        self._engine = engine
        self._read_engine = read_engine or engine
        self._redis = redis
        self._batch = batch
        self._keep_published = keep_published
        self._passes = 0
        self.leadership = RelayLeadership(engine, lock_name)

    async def one_pass(self) -> bool:
        if not await asyncio.to_thread(self.leadership.holds):
            return False  # another replica's relay publishes this database's outbox
        sent = await self.publish_pending()
        self._passes += 1
        if self._passes % 1000 == 0:
            await asyncio.to_thread(self._prune)
        return sent >= self._batch  # a full page: drain the backlog without sleeping

    def on_failure(self, exc: Exception, retry_in_s: float) -> None:
        OUTBOX_FAILURES.inc()
        log.warning("outbox relay pass failed; retrying in %.1fs: %s", retry_in_s, exc)

    async def publish_pending(self) -> int:
        """One pass: publish up to `batch` rows in order, in one pipelined round trip, and mark them.

        Entries are encoded with FastStream's own binary format (trap 7 in STACK.md), so every
        FastStream subscriber reads them as if `broker.publish` had sent them one by one. A pipeline
        that fails part-way is retried whole on the next pass: the rows it did add come out twice,
        which the consumers' inbox absorbs. Returns how many were sent."""
        rows = await asyncio.to_thread(self._fetch)
        if not rows:
            OUTBOX_BACKLOG.set(0)
            return 0
        pipe = self._redis.pipeline(transaction=False)
        for _row_id, stream, event_type, event_id, body in rows:
            # The stored envelope is already JSON: sent as it is, with the content type that
            # `broker.publish` would give a dict (parsing and dumping it again cost a third of the
            # relay's time at Bali scale, bench/chain.py).
            data = await BinaryMessageFormatV1.encode(
                message=body.encode(), reply_to=None,
                headers={"content-type": ContentTypes.JSON.value, "event_type": event_type,
                         "event_id": event_id},
                correlation_id=correlation_id_of(body))
            pipe.xadd(stream, {"__data__": data})
        await pipe.execute()
        for row in rows:
            OUTBOX_PUBLISHED.labels(row[1]).inc()
        await asyncio.to_thread(self._mark, [row[0] for row in rows])
        return len(rows)

    def _fetch(self) -> list[tuple[int, str, str, str, str]]:
        with Session(self._read_engine) as session:
            rows = session.execute(
                sa_select(col(OutboxEvent.id), col(OutboxEvent.stream), col(OutboxEvent.event_type),
                          col(OutboxEvent.event_id), col(OutboxEvent.envelope))
                .where(col(OutboxEvent.published_at).is_(None))
                .order_by(col(OutboxEvent.id))
                .limit(self._batch)
            ).all()
            # A short page is the whole backlog; count only when there is more than one pass holds.
            backlog = len(rows) if len(rows) < self._batch else session.exec(
                select(func.count()).select_from(OutboxEvent).where(col(OutboxEvent.published_at).is_(None))
            ).one()
            OUTBOX_BACKLOG.set(backlog)
        return [(int(r[0] or 0), r[1], r[2], str(r[3]), r[4]) for r in rows]

    def _mark(self, ids: list[int]) -> None:
        with session_scope(self._engine) as session:
            session.info[RELAY_SESSION] = True
            session.execute(
                update(OutboxEvent).where(col(OutboxEvent.id).in_(ids)).values(published_at=utcnow())
            )

    async def stop(self) -> None:
        await super().stop()
        self.leadership.release()

    def _prune(self) -> None:
        cutoff = utcnow() - self._keep_published
        with session_scope(self._engine) as session:
            session.info[RELAY_SESSION] = True
            session.execute(
                delete(OutboxEvent).where(
                    col(OutboxEvent.published_at).is_not(None), col(OutboxEvent.published_at) < cutoff
                )
            )
