"""The exhibitions service: `uvicorn --factory exhibitions.app:create_app` (port EXHIBITIONS_PORT, default 8003)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from exhibitions.handlers import HANDLERS
from exhibitions.routes import allocation_runs, applications, entries, exhibitions, fairness, outputs
from exhibitions.settings import ExhibitionsSettings
from exhibitions.tasks import on_startup
from shared.web import create_service_app

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def create_app(settings: ExhibitionsSettings | None = None) -> FastAPI:
    settings = settings or ExhibitionsSettings()
    return create_service_app(
        settings=settings,
        title="Sentra exhibitions",
        description="Pameran, denah stan, pendaftaran, alokasi stan dan daftar tunggu. / Fairs, floor plans, "
                    "applications, booth allocation and the waitlist.",
        routers=[exhibitions.router, applications.router, allocation_runs.router,
                 outputs.router, entries.router, fairness.router],
        handlers=HANDLERS,
        migrations_dir=MIGRATIONS,
        on_startup=on_startup(settings),
    )
