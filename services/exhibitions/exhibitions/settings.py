from __future__ import annotations

from pydantic import AliasChoices, Field

from shared.settings import ServiceSettings


class ExhibitionsSettings(ServiceSettings):
    service_name: str = "exhibitions"
    port: int = Field(default=8003, validation_alias=AliasChoices("EXHIBITIONS_PORT", "port"))
    database_url: str = Field(default="",
                              validation_alias=AliasChoices("EXHIBITIONS_DATABASE_URL", "DATABASE_URL"))
    # Seconds an allocation run may solve before it returns the best allocation found (with its gap).
    allocation_time_limit_s: float = Field(default=60.0, alias="SENTRA_ALLOCATION_TIME_LIMIT_S")
    # Days an IKM has to confirm a booth it was given (0: holds never expire).
    confirm_days: int = Field(default=14, alias="SENTRA_CONFIRM_DAYS")
    # Seconds between passes that release holds not confirmed by their deadline (`confirm_by`).
    hold_expiry_interval_s: float = Field(default=600, gt=0, alias="SENTRA_HOLD_EXPIRY_INTERVAL_S")
