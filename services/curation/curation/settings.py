from __future__ import annotations

from pydantic import AliasChoices, Field

from shared.settings import ServiceSettings


class CurationSettings(ServiceSettings):
    service_name: str = "curation"
    port: int = Field(default=8002, validation_alias=AliasChoices("CURATION_PORT", "port"))
    database_url: str = Field(default="", validation_alias=AliasChoices("CURATION_DATABASE_URL", "DATABASE_URL"))
    # Curators per case (DOMAIN.md: panels of about three; 1 is allowed for small offices).
    panel_size: int = Field(default=3, ge=1, le=7, alias="SENTRA_PANEL_SIZE")
    # Open cases a curator carries at most, unless their profile sets its own cap.
    max_open_cases: int = Field(default=40, ge=1, alias="SENTRA_MAX_OPEN_CASES")
    # Days an approval (with or without conditions) stays valid; it lapses on its valid_until day.
    approval_valid_days: int = Field(default=730, ge=0, alias="SENTRA_APPROVAL_VALID_DAYS")
    # Days after a decision within which a registrar may file an appeal.
    appeal_window_days: int = Field(default=30, ge=0, alias="SENTRA_APPEAL_WINDOW_DAYS")
    # Seconds between two passes of the task that marks lapsed approvals as expired.
    expiry_interval_s: float = Field(default=3600, gt=0, alias="SENTRA_EXPIRY_INTERVAL_S")
    # Where the registry is reached from outside (a browser, a marketplace): photo links in cases and
    # in the public catalogue are made with it.
    registry_public_url: str = Field(default="http://127.0.0.1:8001", alias="SENTRA_REGISTRY_PUBLIC_URL")
