from __future__ import annotations

from pydantic import AliasChoices, Field

from shared.settings import ServiceSettings


class CurationSettings(ServiceSettings):
    service_name: str = "curation"
    port: int = Field(default=8002, validation_alias=AliasChoices("CURATION_PORT", "port"))
    database_url: str = Field(default="", validation_alias=AliasChoices("CURATION_DATABASE_URL", "DATABASE_URL"))
    # Curators per case (DOMAIN.md: panels of about three; 1 is allowed for small offices).
    panel_size: int = Field(default=3, ge=1, le=7, alias="SENTRA_PANEL_SIZE")
