"""Work the service does on its own at start-up and on a timer: seed the rubric, expire approvals."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from curation import service
from curation.settings import CurationSettings
from shared.db import session_scope
from shared.events import utcnow
from shared.web import Runtime


def seed_rubric(runtime: Runtime) -> None:
    """Store the default rubric when the table is empty (a second replica starting at once loses the race
    harmlessly)."""
    with contextlib.suppress(IntegrityError), session_scope(runtime.engine) as session:
        service.ensure_default_rubric(session)


def expire_due(session: Session) -> int:
    now = utcnow()
    return len(service.expire_due(session, now.date(), now))


def on_startup(settings: CurationSettings) -> Callable[[Runtime], Awaitable[None]]:
    """The hook `create_service_app` runs once the database is migrated."""

    async def start(runtime: Runtime) -> None:
        await asyncio.to_thread(seed_rubric, runtime)
        runtime.run_periodically("curation-expiry", settings.expiry_interval_s, expire_due)

    return start
