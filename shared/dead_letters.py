"""Dead letters for operators: list what landed in `<stream>.dlq` and put entries back on their stream.

A dead-letter entry holds the original entry's fields (FastStream's `__data__`) plus ours below;
replaying writes the original fields back to the stream, so every consumer group sees the event
again (the inbox makes that harmless for groups that had applied it) and removes the dead letter.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from redis import Redis

from shared.events import EVENT_TYPES, dead_letter_stream

METADATA_FIELDS = ("original_stream", "original_id", "group", "error", "delivery_count", "dead_lettered_at")


@dataclass(frozen=True)
class DeadLetter:
    stream: str
    entry_id: str
    original_id: str
    group: str
    error: str
    delivery_count: int
    dead_lettered_at: str


def _text(value: Any) -> str:
    if value is None:
        return ""
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)


def list_dead_letters(client: Redis, streams: list[str] | None = None, limit: int = 100) -> list[DeadLetter]:
    out: list[DeadLetter] = []
    for stream in streams or list(EVENT_TYPES):
        entries: Any = client.xrange(dead_letter_stream(stream), count=limit)
        for entry_id, fields in entries:
            out.append(DeadLetter(
                stream=stream, entry_id=_text(entry_id), original_id=_text(fields.get(b"original_id")),
                group=_text(fields.get(b"group")), error=_text(fields.get(b"error")),
                delivery_count=int(fields.get(b"delivery_count") or 0),
                dead_lettered_at=_text(fields.get(b"dead_lettered_at"))))
    return out


def replay_dead_letter(client: Redis, stream: str, entry_id: str) -> str:
    """Put a dead letter back on its stream; returns the new entry id. Raises KeyError if absent."""
    dlq = dead_letter_stream(stream)
    entries: Any = client.xrange(dlq, min=entry_id, max=entry_id)
    if not entries:
        raise KeyError(f"no dead letter {entry_id} in {dlq}")
    _, fields = entries[0]
    original = {k: v for k, v in fields.items() if _text(k) not in METADATA_FIELDS}
    with client.pipeline(transaction=True) as pipe:
        pipe.xadd(stream, original)
        pipe.xdel(dlq, entry_id)
        new_id, _ = pipe.execute()
    return _text(new_id)
