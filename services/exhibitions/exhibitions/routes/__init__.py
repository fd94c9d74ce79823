"""The HTTP routes, one router per resource; `SettingsDep` hands a route the service's settings."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from exhibitions.settings import ExhibitionsSettings


def _settings(request: Request) -> ExhibitionsSettings:
    settings: ExhibitionsSettings = request.app.state.settings
    return settings


SettingsDep = Annotated[ExhibitionsSettings, Depends(_settings)]
