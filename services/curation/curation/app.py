"""The curation service: `uvicorn --factory curation.app:create_app` (port CURATION_PORT, default 8002)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from curation import photo_links
from curation.handlers import build_handlers
from curation.routes import cases, catalogue, curators, rubrics
from curation.settings import CurationSettings
from curation.tasks import on_startup
from shared.web import create_service_app

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def create_app(settings: CurationSettings | None = None) -> FastAPI:
    settings = settings or CurationSettings()
    photo_links.use_registry_url(settings.registry_public_url)
    return create_service_app(
        settings=settings,
        title="Sentra curation",
        description="Kurasi produk IKM: kurator, rubrik, kasus, penugasan. / Juried product review: curators, "
                    "rubric, cases, assignment.",
        routers=[curators.router, cases.router, rubrics.router, catalogue.router],
        handlers=build_handlers(settings),
        migrations_dir=MIGRATIONS,
        on_startup=on_startup(settings),
    )
