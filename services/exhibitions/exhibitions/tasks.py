"""Work the service does on its own on a timer: release booth holds not confirmed in time."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from exhibitions import service
from exhibitions.settings import ExhibitionsSettings
from shared.db import session_scope
from shared.events import utcnow
from shared.web import Runtime

log = logging.getLogger("sentra.exhibitions.tasks")
_running: set[asyncio.Task[None]] = set()


def release_once(runtime: Runtime) -> int:
    """One pass in one transaction; wakes the relay when it staged events."""
    with session_scope(runtime.engine) as session:
        released = len(service.release_unconfirmed(session, utcnow()))
    if released:
        log.info("released %d unconfirmed holds", released)
        runtime.relay.notify()
    return released


async def release_forever(runtime: Runtime, interval_s: float) -> None:
    """Every `interval_s` seconds, release lapsed holds; a failed pass is logged and retried next time."""
    while True:
        try:
            await asyncio.to_thread(release_once, runtime)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("hold expiry pass failed; retrying in %.0fs", interval_s)
        await asyncio.sleep(interval_s)


def on_startup(settings: ExhibitionsSettings) -> Callable[[Runtime], Awaitable[None]]:
    """The hook `create_service_app` runs once the database is migrated."""

    async def start(runtime: Runtime) -> None:
        # Held here so it is not garbage-collected; asyncio cancels it when the server's loop ends.
        task = asyncio.create_task(release_forever(runtime, settings.hold_expiry_interval_s),
                                   name="exhibitions-hold-expiry")
        _running.add(task)
        task.add_done_callback(_running.discard)

    return start
