"""The registry service: `uvicorn --factory registry.app:create_app` (port REGISTRY_PORT, default 8001)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

from fastapi import FastAPI
from sqlalchemy.exc import IntegrityError

from registry import personal, service, users
from registry.handlers import HANDLERS
from registry.importer import Importer
from registry.regions import bps_regions
from registry.routes import auth, ikms, imports, photos, regions, sentra, stats, withdrawals
from registry.settings import RegistrySettings
from shared.db import session_scope
from shared.groupcommit import GroupCommit
from shared.throttle import LoginThrottle, ThrottleRule
from shared.web import Runtime, create_service_app

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
log = logging.getLogger("sentra.registry")


def create_app(settings: RegistrySettings | None = None) -> FastAPI:
    settings = settings or RegistrySettings()
    personal.use_key(settings.personal_data_key.get_secret_value())

    importer: list[Importer] = []
    registrations: list[GroupCommit[service.Registering, uuid.UUID]] = []

    async def bootstrap(runtime: Runtime) -> None:
        app.state.login_throttle = LoginThrottle(runtime.redis, ThrottleRule(
            settings.login_max_failures, settings.login_max_failures_per_address, settings.login_window_s))
        await asyncio.to_thread(bps_regions)  # the first registration should not pay for loading them
        if settings.serves_api:
            app.state.registrations = GroupCommit(runtime.engine, service.register_ikms, name="registrations",
                                                  on_commit=runtime.notify_relay)
            registrations.append(app.state.registrations)
            app.state.registrations.start()
        if settings.does_background_work:
            app.state.importer = Importer(runtime.engine, settings, runtime.notify_relay)
            importer.append(app.state.importer)
            app.state.importer.start()  # also resumes imports a stopped process left running
        password = settings.admin_password
        if password is None:
            log.warning("SENTRA_ADMIN_PASSWORD is not set: no first admin is created")
            return

        def create_admin() -> None:
            # An `api` and a `worker` process starting at once: one of them loses the race harmlessly.
            with contextlib.suppress(IntegrityError), session_scope(runtime.engine) as session:
                if users.ensure_user(session, "admin", password.get_secret_value(), "Administrator", ["admin"]):
                    log.info("created the first admin user 'admin'")

        await asyncio.to_thread(create_admin)

    app = create_service_app(
        settings=settings,
        title="Sentra registry",
        description="Daftar IKM, sentra, wilayah dan linimasa status. / The IKM register, sentra, regions "
                    "and each IKM's status timeline.",
        routers=[auth.router, ikms.router, imports.router, photos.router, regions.router, sentra.router,
                 stats.router, withdrawals.router],
        handlers=HANDLERS,
        migrations_dir=MIGRATIONS,
        on_startup=bootstrap,
    )
    service_lifespan = app.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(a: FastAPI) -> AsyncIterator[None]:
        async with service_lifespan(a):
            try:
                yield
            finally:
                # Before the database closes: queued registrations and the running chunk commit,
                # the rest of an import resumes at next start.
                for writer in registrations:
                    await writer.stop()
                for running in importer:
                    await running.stop()

    app.router.lifespan_context = lifespan
    return app

