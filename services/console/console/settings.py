from __future__ import annotations

from pydantic import AliasChoices, Field

from shared.settings import ServiceSettings


class ConsoleSettings(ServiceSettings):
    """The console owns no data: it needs where the three APIs answer, its port, and the key that signs
    its CSRF tokens (SENTRA_SECRET_KEY, inherited)."""

    service_name: str = "console"
    port: int = Field(default=8000, validation_alias=AliasChoices("CONSOLE_PORT", "port"))
    # The three public APIs, as this process reaches them (behind the gateway: http://gateway/registry…).
    registry_url: str = Field(default="http://127.0.0.1:8001", alias="REGISTRY_URL")
    curation_url: str = Field(default="http://127.0.0.1:8002", alias="CURATION_URL")
    exhibitions_url: str = Field(default="http://127.0.0.1:8003", alias="EXHIBITIONS_URL")
    # The province whose regencies the forms and filters offer (Bali is 51).
    province_code: str = Field(default="51", alias="CONSOLE_PROVINCE")
    # How long the console waits for one API call before it shows "the service is not answering".
    api_timeout_s: float = Field(default=15.0, alias="CONSOLE_API_TIMEOUT_S")
    # Times are shown in this zone: Bali is WITA (UTC+8).
    timezone: str = Field(default="Asia/Makassar", alias="CONSOLE_TIMEZONE")
    # How often the IKM page asks for its timeline again while the user watches it.
    timeline_poll_s: float = Field(default=3.0, ge=0.5, alias="CONSOLE_TIMELINE_POLL_S")
