from __future__ import annotations

from pydantic import AliasChoices, Field, SecretStr

from shared.settings import ServiceSettings


class RegistrySettings(ServiceSettings):
    service_name: str = "registry"
    port: int = Field(default=8001, validation_alias=AliasChoices("REGISTRY_PORT", "port"))
    database_url: str = Field(default="", validation_alias=AliasChoices("REGISTRY_DATABASE_URL", "DATABASE_URL"))
    # The first admin's password; without it no admin is created (production must set it).
    admin_password: SecretStr | None = Field(default=None, alias="SENTRA_ADMIN_PASSWORD")
