"""The background worker loop shared by the outbox relay and the importer."""

from __future__ import annotations

import asyncio

from shared.worker import BackgroundWorker


class Counting(BackgroundWorker):
    def __init__(self, poll_s: float, linger_s: float = 0.0, more: int = 0) -> None:
        super().__init__(poll_s, linger_s)
        self.passes = 0
        self.more = more

    async def one_pass(self) -> bool:
        self.passes += 1
        if self.more:
            self.more -= 1
            return True
        return False


async def test_a_worker_goes_again_at_once_while_a_pass_finds_more_work() -> None:
    worker = Counting(poll_s=60, more=3)
    worker.start()
    await asyncio.sleep(0.05)
    await worker.stop()
    assert worker.passes == 4  # three that found more, one that found the backlog drained


async def test_commits_close_together_are_worked_in_one_pass_after_the_linger() -> None:
    worker = Counting(poll_s=60, linger_s=0.05)
    worker.start()
    await asyncio.sleep(0.01)
    assert worker.passes == 1  # the first pass at start
    for _ in range(5):  # five commits within the linger
        worker.notify()
        await asyncio.sleep(0.005)
    await asyncio.sleep(0.1)
    await worker.stop()
    assert worker.passes == 2


async def test_without_a_linger_a_notify_starts_a_pass_at_once() -> None:
    worker = Counting(poll_s=60)
    worker.start()
    await asyncio.sleep(0.01)
    worker.notify()
    await asyncio.sleep(0.01)
    await worker.stop()
    assert worker.passes == 2
