"""Revoked tokens, seen by every process of every service within `SENTRA_REVOCATION_REFRESH_S`.

A token carries its roles, so a service trusts it without asking the registry. What a token cannot
say is that it was withdrawn later: its user was deactivated, changed their password or roles, or
signed out. The registry writes that to two Redis keys; every process reads them into a
`Revocations` it holds and checks each token against it in memory.

Redis keys rather than a stream: this is current state that every process needs whole, including
one that starts later, where a consumer group would hand each entry to one consumer only.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from redis.asyncio import Redis

from shared.worker import BackgroundWorker

log = logging.getLogger("sentra.revocation")

NOT_BEFORE_KEY = "sentra:auth:not_before"  # hash: username -> epoch ms; older tokens are void
REVOKED_TOKENS_KEY = "sentra:auth:revoked_tokens"  # sorted set: token id, scored by its expiry (epoch s)


@dataclass
class Revocations:
    """The withdrawn tokens as last read from Redis (or written by this process)."""

    not_before_ms: dict[str, int] = field(default_factory=dict)
    token_ids: frozenset[str] = frozenset()

    def is_revoked(self, username: str, issued_ms: int, token_id: str | None) -> bool:
        not_before = self.not_before_ms.get(username)
        if not_before is not None and issued_ms < not_before:
            return True
        return token_id is not None and token_id in self.token_ids


async def read_revocations(redis: Redis, now_s: float) -> Revocations:
    async with redis.pipeline(transaction=False) as pipe:
        pipe.hgetall(NOT_BEFORE_KEY)
        pipe.zrangebyscore(REVOKED_TOKENS_KEY, now_s, "+inf")
        not_before, token_ids = await pipe.execute()
    return Revocations({_text(k): int(v) for k, v in not_before.items()}, frozenset(_text(t) for t in token_ids))


async def revoke_user(redis: Redis, revocations: Revocations, username: str, now_ms: int) -> None:
    """Void every token `username` holds now (deactivated, new password or roles)."""
    await redis.hset(NOT_BEFORE_KEY, username, now_ms)
    revocations.not_before_ms[username] = now_ms


async def revoke_token(redis: Redis, revocations: Revocations, token_id: str, expires_s: float,
                       now_s: float) -> None:
    """Void one token (signing out); it is forgotten once it would have expired anyway."""
    async with redis.pipeline(transaction=True) as pipe:
        pipe.zadd(REVOKED_TOKENS_KEY, {token_id: expires_s})
        pipe.zremrangebyscore(REVOKED_TOKENS_KEY, "-inf", now_s)
        await pipe.execute()
    revocations.token_ids = revocations.token_ids | {token_id}


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


class RevocationRefresher(BackgroundWorker):
    """Keeps a process's `Revocations` current; while Redis is away it keeps the last list read."""

    name = "revocations"

    def __init__(self, redis: Redis, revocations: Revocations, poll_s: float) -> None:
        super().__init__(poll_s)
        self._redis = redis
        self.revocations = revocations

    async def one_pass(self) -> bool:
        fresh = await read_revocations(self._redis, time.time())
        self.revocations.not_before_ms = fresh.not_before_ms
        self.revocations.token_ids = fresh.token_ids
        return False
