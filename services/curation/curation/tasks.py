"""Work the service does on its own at start-up and on a timer: seed the rubric, expire approvals."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from sqlalchemy.exc import IntegrityError

from curation import service
from curation.settings import CurationSettings
from shared.db import session_scope
from shared.events import utcnow
from shared.web import Runtime

log = logging.getLogger("sentra.curation.tasks")
_running: set[asyncio.Task[None]] = set()


def seed_rubric(runtime: Runtime) -> None:
    """Store the default rubric when the table is empty (a second replica starting at once loses the race
    harmlessly)."""
    with contextlib.suppress(IntegrityError), session_scope(runtime.engine) as session:
        service.ensure_default_rubric(session)


def expire_once(runtime: Runtime) -> int:
    """One expiry pass in one transaction; wakes the relay when it staged events."""
    now = utcnow()
    with session_scope(runtime.engine) as session:
        expired = service.expire_due(session, now.date(), now)
    if expired:
        log.info("expired %d approvals", len(expired))
        runtime.relay.notify()
    return len(expired)


async def expire_forever(runtime: Runtime, interval_s: float) -> None:
    """Every `interval_s` seconds, expire lapsed approvals; a failed pass is logged and retried next time."""
    while True:
        try:
            await asyncio.to_thread(expire_once, runtime)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("expiry pass failed; retrying in %.0fs", interval_s)
        await asyncio.sleep(interval_s)


def on_startup(settings: CurationSettings) -> Callable[[Runtime], Awaitable[None]]:
    """The hook `create_service_app` runs once the database is migrated."""

    async def start(runtime: Runtime) -> None:
        await asyncio.to_thread(seed_rubric, runtime)
        # Held here so it is not garbage-collected; asyncio cancels it when the server's loop ends.
        task = asyncio.create_task(expire_forever(runtime, settings.expiry_interval_s), name="curation-expiry")
        _running.add(task)
        task.add_done_callback(_running.discard)

    return start
