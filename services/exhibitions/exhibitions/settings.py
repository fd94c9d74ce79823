from __future__ import annotations

from pydantic import AliasChoices, Field

from shared.settings import ServiceSettings


class ExhibitionsSettings(ServiceSettings):
    service_name: str = "exhibitions"
    port: int = Field(default=8003, validation_alias=AliasChoices("EXHIBITIONS_PORT", "port"))
    database_url: str = Field(default="",
                              validation_alias=AliasChoices("EXHIBITIONS_DATABASE_URL", "DATABASE_URL"))
