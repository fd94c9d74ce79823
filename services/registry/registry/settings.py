from __future__ import annotations

from pydantic import AliasChoices, Field, SecretStr

from shared.passwords import password_problems
from shared.settings import DEV_ADMIN_PASSWORD, MIN_SECRET_KEY_BYTES, ServiceSettings

DEV_PERSONAL_DATA_KEY = "sentra-development-only-personal-data-key"


class RegistrySettings(ServiceSettings):
    service_name: str = "registry"
    port: int = Field(default=8001, validation_alias=AliasChoices("REGISTRY_PORT", "port"))
    database_url: str = Field(default="", validation_alias=AliasChoices("REGISTRY_DATABASE_URL", "DATABASE_URL"))
    # Encrypts NIKs at rest and keys their fingerprints (registry/personal.py, ADR 0016). Changing
    # it makes stored NIKs unreadable: keep it with the database's backups, apart from them.
    personal_data_key: SecretStr = Field(default=SecretStr(DEV_PERSONAL_DATA_KEY), alias="SENTRA_PERSONAL_DATA_KEY")
    # The first admin's password; without it no admin is created (production must set it).
    admin_password: SecretStr | None = Field(default=None, alias="SENTRA_ADMIN_PASSWORD")

    # Sign-in throttling (shared.throttle): failures allowed per account and per client address
    # within the window before sign-in answers 429 until the window has passed.
    login_max_failures: int = Field(default=5, ge=1, alias="SENTRA_LOGIN_MAX_FAILURES")
    login_max_failures_per_address: int = Field(default=20, ge=1, alias="SENTRA_LOGIN_MAX_FAILURES_PER_ADDRESS")
    login_window_s: int = Field(default=15 * 60, ge=1, alias="SENTRA_LOGIN_WINDOW_S")

    # Bulk imports (docs/import-format.md). A larger upload gets 413 before it is read.
    import_max_bytes: int = Field(default=20 * 1024 * 1024, alias="SENTRA_IMPORT_MAX_BYTES")
    # Rows per file: all of Bali (15,216 IKM) fits three times over.
    import_max_rows: int = Field(default=50_000, alias="SENTRA_IMPORT_MAX_ROWS")
    # Rows per committed chunk: progress is stored with each chunk, so a restart resumes after it.
    import_chunk_rows: int = Field(default=1000, alias="SENTRA_IMPORT_CHUNK_ROWS")
    # How long a worker holds an import without committing a chunk before another process takes it over.
    import_lease_s: float = Field(default=30.0, alias="SENTRA_IMPORT_LEASE_S")
    # How often the importer looks for queued imports and for ones a crashed process left behind.
    import_poll_s: float = Field(default=2.0, alias="SENTRA_IMPORT_POLL_S")
    # Reliability tests only (ADR 0005): exit like SIGKILL after working this many rows of an import,
    # before their chunk commits.
    fault_import_exit_after_rows: int | None = Field(default=None, alias="SENTRA_FAULT_IMPORT_EXIT_AFTER_ROWS")

    # Product photos (registry/photos.py): a larger file gets 413 as soon as the upload passes this
    # (before it is read whole); one with more pixels than this gets 422 before it is decoded (a 48 MP
    # phone photo fits; a decompression bomb does not).
    photo_max_bytes: int = Field(default=15 * 1024 * 1024, ge=1024, alias="SENTRA_PHOTO_MAX_BYTES")
    photo_max_pixels: int = Field(default=50_000_000, ge=10_000, alias="SENTRA_PHOTO_MAX_PIXELS")

    # Mapping dashboard: the share of IKM whose managers should hold a competency certificate
    # (Denpasar's target: all of them).
    competency_target: float = Field(default=1.0, ge=0, le=1, alias="SENTRA_COMPETENCY_TARGET")

    def safety_problems(self) -> list[str]:
        problems = super().safety_problems()
        key = self.personal_data_key.get_secret_value()
        if key == DEV_PERSONAL_DATA_KEY:
            problems.append("SENTRA_PERSONAL_DATA_KEY is the development key published in the repository")
        elif len(key.encode()) < MIN_SECRET_KEY_BYTES:
            problems.append(f"SENTRA_PERSONAL_DATA_KEY is shorter than {MIN_SECRET_KEY_BYTES} bytes")
        if self.admin_password is not None:
            password = self.admin_password.get_secret_value()
            if password == DEV_ADMIN_PASSWORD:
                problems.append("SENTRA_ADMIN_PASSWORD is the development password published in the repository")
            elif password_problems(password, "admin"):
                problems.append("SENTRA_ADMIN_PASSWORD is too weak: " + password_problems(password, "admin")[0][1])
        return problems
