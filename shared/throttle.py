"""Sign-in throttling: failed attempts counted per account and per client address in Redis, so
that every process of the registry sees the same counts.

After `max_per_account` failures for one username, or `max_per_address` from one address, within
`window_s`, sign-in answers 429 until the window passes. A success clears its account's count.
Where Redis is away, sign-in is not throttled rather than refused: clerks keep working, and the
window resumes with Redis.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from redis.asyncio import Redis

log = logging.getLogger("sentra.throttle")

_PREFIX = "sentra:auth:failures"


@dataclass(frozen=True)
class ThrottleRule:
    max_per_account: int = 5
    max_per_address: int = 20
    window_s: int = 15 * 60


def wait_seconds(rule: ThrottleRule, account: tuple[int, int], address: tuple[int, int]) -> int:
    """How long a caller must wait before trying again, from (failures, seconds left in the window)
    for the account and for the address; 0 when they may try now."""
    waits = [0]
    if account[0] >= rule.max_per_account:
        waits.append(max(account[1], 1))
    if address[0] >= rule.max_per_address:
        waits.append(max(address[1], 1))
    return max(waits)


class LoginThrottle:
    def __init__(self, redis: Redis, rule: ThrottleRule) -> None:
        self._redis = redis
        self.rule = rule

    @staticmethod
    def _keys(username: str, address: str) -> tuple[str, str]:
        return f"{_PREFIX}:user:{username.lower()[:64]}", f"{_PREFIX}:addr:{address[:64]}"

    async def wait_seconds(self, username: str, address: str) -> int:
        user_key, addr_key = self._keys(username, address)
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                pipe.get(user_key)
                pipe.ttl(user_key)
                pipe.get(addr_key)
                pipe.ttl(addr_key)
                user_count, user_ttl, addr_count, addr_ttl = await pipe.execute()
        except Exception as exc:
            log.warning("sign-in throttle unavailable: %s", exc)
            return 0
        return wait_seconds(self.rule, (int(user_count or 0), int(user_ttl)), (int(addr_count or 0), int(addr_ttl)))

    async def failed(self, username: str, address: str) -> None:
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                for key in self._keys(username, address):
                    pipe.incr(key)
                    pipe.expire(key, self.rule.window_s, nx=True)
                await pipe.execute()
        except Exception as exc:
            log.warning("sign-in throttle unavailable: %s", exc)

    async def succeeded(self, username: str) -> None:
        try:
            await self._redis.delete(self._keys(username, "")[0])
        except Exception as exc:
            log.warning("sign-in throttle unavailable: %s", exc)
