"""Stream retention: each producing service trims its streams of what every consumer group has
acknowledged, keeping a safety window, so that Redis (with `noeviction`) does not grow forever.

A stream is trimmed below the oldest of: each group's oldest pending entry (delivered, not yet
acknowledged), each group's last delivered entry (what comes after it is unread), and the window
(`SENTRA_STREAM_RETAIN_S`). A lagging or stopped group therefore holds the trim where it stands, and
catches up with nothing lost. A stream is not trimmed at all until every service that consumes it
(`EventType.consumers`) has its group. Dead-letter streams are never trimmed. History older than the
streams stays in each producer's outbox for `SENTRA_OUTBOX_RETAIN_DAYS` (docs/deploy.md, replay).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from prometheus_client import Counter
from redis.asyncio import Redis
from redis.exceptions import ResponseError

from shared.events import EVENT_TYPES
from shared.worker import BackgroundWorker

log = logging.getLogger("sentra.retention")

STREAM_TRIMMED = Counter("sentra_stream_trimmed_entries_total", "Stream entries trimmed", ["stream"])


@dataclass(frozen=True)
class GroupState:
    name: str
    last_delivered_id: str
    oldest_pending_id: str | None


def _parse(entry_id: str) -> tuple[int, int]:
    ms, _, seq = entry_id.partition("-")
    return int(ms), int(seq or 0)


def trim_point(now_ms: int, retain_s: float, groups: list[GroupState], expected: set[str]) -> str | None:
    """The MINID to trim a stream to (entries below it go), or None to leave it whole."""
    if not expected or not expected <= {g.name for g in groups}:
        return None
    floors = [_parse(f"{max(now_ms - int(retain_s * 1000), 0)}-0")]
    for group in groups:
        floors.append(_parse(group.last_delivered_id))
        if group.oldest_pending_id is not None:
            floors.append(_parse(group.oldest_pending_id))
    ms, seq = min(floors)
    return None if (ms, seq) == (0, 0) else f"{ms}-{seq}"


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


async def group_states(redis: Redis, stream: str) -> list[GroupState]:
    try:
        groups = await redis.xinfo_groups(stream)
    except ResponseError:  # no such stream yet
        return []
    states = []
    for group in groups:
        name = _text(group["name"])
        pending = await redis.xpending(stream, name)
        oldest = _text(pending["min"]) if pending and pending.get("pending") else None
        states.append(GroupState(name, _text(group["last-delivered-id"]), oldest))
    return states


class StreamTrimmer(BackgroundWorker):
    """Trims the streams of the events `service` produces, every `poll_s` seconds."""

    name = "stream-trimmer"

    def __init__(self, redis: Redis, service: str, retain_s: float, poll_s: float) -> None:
        super().__init__(poll_s)
        self._redis = redis
        self._retain_s = retain_s
        self._streams = {t.stream: set(t.consumers) for t in EVENT_TYPES.values() if t.producer == service}

    async def one_pass(self) -> bool:
        now_ms = int(time.time() * 1000)
        for stream, expected in self._streams.items():
            minid = trim_point(now_ms, self._retain_s, await group_states(self._redis, stream), expected)
            if minid is not None:
                removed = int(await self._redis.xtrim(stream, minid=minid, approximate=False))
                if removed:
                    STREAM_TRIMMED.labels(stream).inc(removed)
                    log.info("trimmed %d entries of %s below %s", removed, stream, minid)
        return False
