"""The stream trimmer on a real Redis: it removes what every group has acknowledged, a stopped
group holds it, and that group then catches up with nothing lost."""

from __future__ import annotations

import asyncio

from redis.asyncio import Redis

from shared.retention import StreamTrimmer

STREAM = "curation.case_opened"  # produced by curation, consumed by the registry


def test_a_lagging_group_holds_the_trim_and_then_catches_up(redis_url: str) -> None:
    async def scenario() -> tuple[int, int, int, int]:
        redis = Redis.from_url(redis_url)
        ids = [await redis.xadd(STREAM, {"n": str(i)}) for i in range(100)]
        trimmer = StreamTrimmer(redis, "curation", retain_s=0, poll_s=60)
        await trimmer.one_pass()
        without_group = await redis.xlen(STREAM)  # the registry has no group yet: nothing goes

        await redis.xgroup_create(STREAM, "registry", id="0")
        first = await redis.xreadgroup("registry", "r1", {STREAM: ">"}, count=60)
        read = [entry_id for _, entries in first for entry_id, _ in entries]
        await redis.xack(STREAM, "registry", *read[:40])  # 20 delivered but not acknowledged
        await trimmer.one_pass()
        held = await redis.xlen(STREAM)  # the 20 pending and the 40 unread stay

        await redis.xack(STREAM, "registry", *read[40:])
        rest = await redis.xreadgroup("registry", "r1", {STREAM: ">"}, count=100)
        caught_up = sum(len(entries) for _, entries in rest)
        await redis.xack(STREAM, "registry", *[entry_id for _, entries in rest for entry_id, _ in entries])
        await trimmer.one_pass()
        after = await redis.xlen(STREAM)
        await redis.aclose()
        assert ids[40] == read[40]
        return without_group, held, caught_up, after

    without_group, held, caught_up, after = asyncio.run(scenario())
    assert without_group == 100
    assert held == 60
    assert caught_up == 40  # nothing the stopped reader had not read was lost
    assert after <= 1  # only the last delivered entry may stay
