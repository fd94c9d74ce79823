"""One router per resource; `Settings` gives a route the service's settings."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from curation.settings import CurationSettings


def _settings(request: Request) -> CurationSettings:
    settings: CurationSettings = request.app.state.settings
    return settings


Settings = Annotated[CurationSettings, Depends(_settings)]
