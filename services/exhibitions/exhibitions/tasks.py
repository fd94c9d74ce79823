"""Work the service does on its own on a timer: release booth holds not confirmed in time."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlmodel import Session

from exhibitions import service
from exhibitions.settings import ExhibitionsSettings
from shared.events import utcnow
from shared.web import Runtime


def release_unconfirmed(session: Session) -> int:
    return len(service.release_unconfirmed(session, utcnow()))


def on_startup(settings: ExhibitionsSettings) -> Callable[[Runtime], Awaitable[None]]:
    """The hook `create_service_app` runs once the database is migrated."""

    async def start(runtime: Runtime) -> None:
        runtime.run_periodically("exhibitions-hold-expiry", settings.hold_expiry_interval_s, release_unconfirmed)

    return start
