"""Group commit: requests that each write a little are written together, one transaction for all
that arrived while the previous one committed (ADR 0015).

A request's own transaction costs more than its rows: a thread hop, a connection, BEGIN, a check
query, one INSERT per table and COMMIT, for every request (bench/chain.py, API run: the registry's
request path was most of its CPU). Here the route awaits a future; one writer thread takes
everything queued, applies it with the service's batch function in one transaction, commits, and
settles the futures. Under a light load a batch holds one request and costs what a request's own
transaction did; under a heavy one batches grow by themselves, so the cost per request falls just
when it matters.

The batch function returns an outcome per item, a result or the exception meant for that item's
caller, and must leave the session untouched for items that fail (check first, then write). If
the batch transaction itself fails (a constraint another process's commit broke, a lost
connection), each item is retried in a transaction of its own, so one bad item fails alone.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import threading
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

from sqlalchemy.engine import Engine
from sqlmodel import Session

from shared.db import session_scope

log = logging.getLogger("sentra.groupcommit")

Item = TypeVar("Item")
Result = TypeVar("Result")

_Waiting = tuple[Item, asyncio.Future[Result], asyncio.AbstractEventLoop]


class GroupCommit(Generic[Item, Result]):
    """One writer thread applying queued items in batches: `await submit(item)` gives its result."""

    def __init__(
        self,
        engine: Engine,
        apply: Callable[[Session, Sequence[Item]], Sequence[Result | Exception]],
        *,
        name: str,
        max_batch: int = 500,
        on_commit: Callable[[], None] = lambda: None,
    ) -> None:
        self._engine = engine
        self._apply = apply
        self._max_batch = max_batch
        self._on_commit = on_commit
        self._queue: queue.SimpleQueue[_Waiting[Item, Result] | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._started = False
        self._stopped = False

    def start(self) -> None:
        self._thread.start()
        self._started = True

    async def stop(self) -> None:
        """Write what is queued, then end the thread."""
        if self._started and not self._stopped:
            self._stopped = True
            self._queue.put(None)
            await asyncio.to_thread(self._thread.join)

    async def submit(self, item: Item) -> Result:
        """Queue `item` for the next batch; returns its result or raises its exception."""
        if not self._started or self._stopped or not self._thread.is_alive():
            raise RuntimeError("the group commit writer is not running")
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Result] = loop.create_future()
        self._queue.put((item, future, loop))
        return await future

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            stop = False
            while len(batch) < self._max_batch:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    stop = True
                    break
                batch.append(more)
            outcomes: Sequence[Result | Exception]
            try:
                outcomes = self.write([item for item, _, _ in batch])
                if len(outcomes) != len(batch):
                    raise RuntimeError(f"{len(outcomes)} outcomes for a batch of {len(batch)}")
            except Exception as exc:  # a bug, not a bad request: fail this batch, keep the writer alive
                log.exception("the %s writer failed a batch of %d", self._thread.name, len(batch))
                outcomes = [exc] * len(batch)
            _settle_all(batch, outcomes)
            if stop:
                return

    def write(self, items: Sequence[Item]) -> Sequence[Result | Exception]:
        """Apply and commit `items` together, or each alone if that fails; an outcome per item."""
        try:
            with session_scope(self._engine) as session:
                outcomes = self._apply(session, items)
        except Exception as exc:
            if len(items) == 1:
                return [exc]  # alone already: trying again would do the same work for the same end
            log.warning("a batch of %d failed; writing each alone", len(items), exc_info=True)
            outcomes = [self._one(item) for item in items]
        if not all(isinstance(o, Exception) for o in outcomes):
            self._on_commit()
        return outcomes

    def _one(self, item: Item) -> Result | Exception:
        try:
            with session_scope(self._engine) as session:
                return self._apply(session, [item])[0]
        except Exception as exc:
            return exc


def _settle_all(batch: list[_Waiting[Item, Result]], outcomes: Sequence[Result | Exception]) -> None:
    """Hand each waiting request its outcome on its event loop, one wake-up per loop."""
    by_loop: dict[asyncio.AbstractEventLoop, list[tuple[asyncio.Future[Result], Result | Exception]]] = {}
    for (_, future, loop), outcome in zip(batch, outcomes, strict=True):
        by_loop.setdefault(loop, []).append((future, outcome))
    for loop, settled in by_loop.items():
        with contextlib.suppress(RuntimeError):  # the loop closed: nobody is waiting any more
            loop.call_soon_threadsafe(_settle, settled)


def _settle(settled: list[tuple[asyncio.Future[Result], Result | Exception]]) -> None:
    for future, outcome in settled:
        if future.done():  # the caller went away (client disconnected)
            continue
        if isinstance(outcome, Exception):
            future.set_exception(outcome)
        else:
            future.set_result(outcome)
