"""One mechanism for a service's background workers: the outbox relay and the registry's importer.

A worker is an asyncio task doing passes of work. It goes again at once while a pass finds work,
otherwise it waits until `notify()` (a commit that made work, callable from any thread) or
`poll_s` elapses; woken by `notify()`, it lingers `linger_s` first so that commits close together
are worked in one pass (under a steady load of single requests, a pass per commit was most of a
service's CPU). A failed pass is logged and retried after a growing pause, so a worker survives
Redis or the database going away. `stop()` cancels the task; blocking work in a thread checks
`stopping` between its units so that it ends at a consistent point.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading

log = logging.getLogger("sentra.worker")

MAX_BACKOFF_S = 10.0


class BackgroundWorker:
    """Subclasses name themselves and implement `one_pass`; the loop, wake-up and backoff are here."""

    name = "worker"

    def __init__(self, poll_s: float, linger_s: float = 0.0) -> None:
        self._poll_s = poll_s
        self._linger_s = linger_s
        self._wake = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None
        self.stopping = threading.Event()

    async def one_pass(self) -> bool:
        """Do some work; return True when there may be more to do right away."""
        raise NotImplementedError

    def on_failure(self, exc: Exception, retry_in_s: float) -> None:
        log.warning("%s pass failed; retrying in %.1fs: %s", self.name, retry_in_s, exc, exc_info=exc)

    def notify(self) -> None:
        """Look for work now (callable from request threads)."""
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._wake.set)

    def start(self) -> None:
        self.stopping.clear()
        self._loop = asyncio.get_running_loop()
        self._task = asyncio.create_task(self._run(), name=self.name)

    async def stop(self) -> None:
        self.stopping.set()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        backoff = self._poll_s
        while True:
            # Cleared before the pass, so that a notify() arriving during the pass is not lost.
            self._wake.clear()
            try:
                more = await self.one_pass()
                backoff = self._poll_s
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self.on_failure(exc, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF_S)
                continue
            if more:
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self._poll_s)
                if self._linger_s:
                    # Woken by a commit: let the commits right behind it join the same pass.
                    await asyncio.sleep(self._linger_s)
