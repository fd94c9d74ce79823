"""The registry service: `uvicorn --factory registry.app:create_app` (port REGISTRY_PORT, default 8001)."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from fastapi import FastAPI

from registry import service
from registry.handlers import HANDLERS
from registry.regions import bps_regions
from registry.routes import auth, ikms, regions, sentra
from registry.settings import RegistrySettings
from shared.db import session_scope
from shared.web import Runtime, create_service_app

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
log = logging.getLogger("sentra.registry")


def create_app(settings: RegistrySettings | None = None) -> FastAPI:
    settings = settings or RegistrySettings()

    async def bootstrap(runtime: Runtime) -> None:
        await asyncio.to_thread(bps_regions)  # the first registration should not pay for loading them
        password = settings.admin_password
        if password is None:
            log.warning("SENTRA_ADMIN_PASSWORD is not set: no first admin is created")
            return

        def create_admin() -> None:
            with session_scope(runtime.engine) as session:
                if service.ensure_user(session, "admin", password.get_secret_value(), "Administrator", ["admin"]):
                    log.info("created the first admin user 'admin'")

        await asyncio.to_thread(create_admin)

    return create_service_app(
        settings=settings,
        title="Sentra registry",
        description="Daftar IKM, sentra, wilayah dan linimasa status. / The IKM register, sentra, regions "
                    "and each IKM's status timeline.",
        routers=[auth.router, ikms.router, regions.router, sentra.router],
        handlers=HANDLERS,
        migrations_dir=MIGRATIONS,
        on_startup=bootstrap,
    )

