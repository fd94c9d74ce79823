"""Settings read from the environment, one class per service on top of `ServiceSettings`."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

# Development defaults only. They are published here, so a service refuses to start with either
# unless SENTRA_DEV_MODE is set (`make run` sets it): anyone could sign an admin token with the key.
DEV_SECRET_KEY = "sentra-development-only-signing-key-change-me"
DEV_ADMIN_PASSWORD = "admin-sentra-dev"
MIN_SECRET_KEY_BYTES = 32


def secret_key_problems(key: str) -> list[str]:
    """Why `key` must not sign tokens in a deployment (empty when it may)."""
    if key == DEV_SECRET_KEY:
        return ["SENTRA_SECRET_KEY is the development key published in the repository"]
    if len(key.encode()) < MIN_SECRET_KEY_BYTES:
        return [f"SENTRA_SECRET_KEY is shorter than {MIN_SECRET_KEY_BYTES} bytes"]
    return []


class UnsafeSettings(RuntimeError):
    """A deployment configured with a published or weak secret."""


class ServiceSettings(BaseSettings):
    """What every service needs; each service subclasses it to set its name and port."""

    model_config = SettingsConfigDict(env_prefix="", extra="ignore", populate_by_name=True)

    service_name: str = "sentra"
    host: str = "127.0.0.1"
    port: int = 8000
    data_dir: Path = Field(default=Path("./var"), alias="SENTRA_DATA_DIR")
    # Empty means SQLite at <data_dir>/<service>.db; the service-specific env var wins over DATABASE_URL.
    database_url: str = ""
    redis_url: str = "redis://127.0.0.1:6379/0"
    secret_key: SecretStr = Field(default=SecretStr(DEV_SECRET_KEY), alias="SENTRA_SECRET_KEY")
    token_ttl_minutes: int = Field(default=12 * 60, alias="SENTRA_TOKEN_TTL_MINUTES")
    # How often each process reads the revoked tokens (shared.revocation): a signed-out or
    # deactivated user's token stops working everywhere within this many seconds.
    revocation_refresh_s: float = Field(default=10.0, gt=0, le=60, alias="SENTRA_REVOCATION_REFRESH_S")
    log_level: str = Field(default="INFO", alias="SENTRA_LOG_LEVEL")
    log_json: bool = Field(default=True, alias="SENTRA_LOG_JSON")

    # Consumer machinery (ADR 0002): a message is tried this many times, then dead-lettered.
    max_deliveries: int = Field(default=5, alias="SENTRA_MAX_DELIVERIES")
    # A pending message idle this long is reclaimed by the claimer (XAUTOCLAIM).
    claim_idle_ms: int = Field(default=10_000, alias="SENTRA_CLAIM_IDLE_MS")
    # New entries read and applied in one transaction (ADR 0013): at Bali scale 500 kept the
    # consumers abreast of a bulk import where 100 fell seconds behind (bench/chain.py).
    read_batch: int = Field(default=500, alias="SENTRA_READ_BATCH")
    # Larger entries are dead-lettered unread: the biggest real event (an IKM with 100 products) is ~30 KB.
    max_event_bytes: int = Field(default=256 * 1024, alias="SENTRA_MAX_EVENT_BYTES")
    # Request bodies (shared/limits.py): a larger one gets 413 before it is read. JSON: 5,000 booths fit.
    body_max_bytes: int = Field(default=4 * 1024 * 1024, ge=1024, alias="SENTRA_BODY_MAX_BYTES")
    # The body of an upload route (a kabupaten's import, a floor-plan CSV): a 20 MB file and its form.
    upload_max_bytes: int = Field(default=25 * 1024 * 1024, ge=1024, alias="SENTRA_UPLOAD_MAX_BYTES")
    # Outbox relay: the longest it sleeps when nothing wakes it (rows written by another process).
    relay_poll_s: float = Field(default=0.5, alias="SENTRA_RELAY_POLL_S")
    relay_batch: int = Field(default=500, alias="SENTRA_RELAY_BATCH")
    # How long the relay, woken by a commit, and a consumer that has caught up wait for more work
    # to join the next pass or batch: a little latency for far fewer transactions under a steady
    # load of single requests (bench/chain.py, the API run at 200/s: the registry's CPU per
    # registration was 6.6-7.3 ms with 10 ms, 5.1-6.3 ms with 30 ms; at 100/s p99 to case opened
    # stayed under 250 ms).
    batch_linger_ms: int = Field(default=30, ge=0, le=1000, alias="SENTRA_BATCH_LINGER_MS")
    # Retention (shared.retention): stream entries every consumer group has acknowledged are
    # trimmed once older than this many seconds; a lagging group holds the trim. Checked every
    # SENTRA_STREAM_TRIM_S. Published outbox rows are kept SENTRA_OUTBOX_RETAIN_DAYS for replays.
    stream_retain_s: float = Field(default=3600, ge=0, alias="SENTRA_STREAM_RETAIN_S")
    stream_trim_s: float = Field(default=60, gt=0, alias="SENTRA_STREAM_TRIM_S")
    outbox_retain_days: float = Field(default=7, gt=0, alias="SENTRA_OUTBOX_RETAIN_DAYS")
    consumer_name: str = Field(default="", alias="SENTRA_CONSUMER_NAME")
    run_migrations: bool = Field(default=True, alias="SENTRA_RUN_MIGRATIONS")
    # What this process does (ADR 0015): `all` answers requests and does the background work (the
    # outbox relay, the consumers, timers, the registry's importer); `api` only answers requests;
    # `worker` only does the background work (and answers /healthz, /readyz, /metrics). One
    # service's `api` and `worker` processes share its database: a Python process uses one core,
    # so splitting them lets requests and events use two.
    role: Literal["all", "api", "worker"] = Field(default="all", alias="SENTRA_ROLE")

    # Allows the development key and password (`make run` sets it); never set it in a deployment.
    dev_mode: bool = Field(default=False, alias="SENTRA_DEV_MODE")

    def safety_problems(self) -> list[str]:
        """What makes this configuration unsafe outside a developer's machine."""
        return secret_key_problems(self.secret_key.get_secret_value())

    def refuse_if_unsafe(self) -> list[str]:
        """Raise `UnsafeSettings` naming every problem, unless `dev_mode`; return them otherwise."""
        problems = self.safety_problems()
        if problems and not self.dev_mode:
            raise UnsafeSettings(
                "refusing to start: " + "; ".join(problems)
                + ". Set SENTRA_SECRET_KEY (at least 32 random bytes: openssl rand -hex 32) and "
                "SENTRA_ADMIN_PASSWORD, or SENTRA_DEV_MODE=true on a developer's machine only.")
        return problems

    @property
    def serves_api(self) -> bool:
        return self.role != "worker"

    @property
    def does_background_work(self) -> bool:
        return self.role != "api"

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        self.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        return f"sqlite:///{(self.data_dir / f'{self.service_name}.db').resolve()}"
