"""Registry tables. Personal data (owner NIK, phone, address) lives only here."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index
from sqlmodel import Field, SQLModel

from registry.personal import EncryptedFile, EncryptedNik
from shared.consumer import InboxEvent
from shared.db import UtcDateTime
from shared.ids import new_id
from shared.outbox import OutboxEvent

__all__ = ["CatalogueListing", "Certification", "Ikm", "ImportJob", "ImportRow", "InboxEvent", "MappingProfile",
           "OutboxEvent", "Product", "ProductPhoto", "RegionAddition", "Sentra", "TimelineEntry", "UserAccount"]


def _ts(**kw: Any) -> Any:
    return Field(sa_column=Column(UtcDateTime(), nullable=False, **kw))


class UserAccount(SQLModel, table=True):
    __tablename__ = "user_account"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, unique=True)
    full_name: str = Field(max_length=200)
    password_hash: str = Field(max_length=255)
    roles: list[str] = Field(sa_column=Column(JSON, nullable=False))
    active: bool = True
    created_at: datetime = _ts()


class Sentra(SQLModel, table=True):
    __tablename__ = "sentra"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    name: str = Field(max_length=200)
    kind: str = Field(max_length=20)
    sector: str = Field(max_length=40)
    regency_code: str = Field(max_length=4, index=True)
    district_code: str | None = Field(default=None, max_length=7)
    village_code: str | None = Field(default=None, max_length=10)
    decree_number: str | None = Field(default=None, max_length=100)
    decree_date: date | None = None
    location: str | None = Field(default=None, max_length=300)
    koperasi_name: str | None = Field(default=None, max_length=200)
    problems: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False, server_default="[]"))
    tourism_village: str | None = Field(default=None, max_length=200)
    created_at: datetime = _ts()


class Ikm(SQLModel, table=True):
    __tablename__ = "ikm"
    __table_args__ = (Index("ix_ikm_region_sector", "regency_code", "sector"),
                      Index("ix_ikm_name_key_village", "name_key", "village_code"))

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    nib: str | None = Field(default=None, max_length=13, unique=True)
    name: str = Field(max_length=200, index=True)
    owner_name: str = Field(max_length=200)
    # Sealed in the database, 16 digits in Python (registry/personal.py); the fingerprint finds
    # the same NIK without decrypting every row.
    owner_nik: str = Field(sa_column=Column(EncryptedNik(), nullable=False))
    owner_nik_hash: str = Field(max_length=64, index=True)
    owner_phone: str | None = Field(default=None, max_length=20)
    owner_gender: str | None = Field(default=None, max_length=1)
    sector: str = Field(max_length=40, index=True)
    local_label: str | None = Field(default=None, max_length=100)
    kbli: str | None = Field(default=None, max_length=5)
    kbli_version: str | None = Field(default=None, max_length=4)
    business_form: str | None = Field(default=None, max_length=20)
    regency_code: str = Field(max_length=4)
    district_code: str = Field(max_length=7, index=True)
    village_code: str = Field(max_length=10, index=True)
    address: str | None = Field(default=None, max_length=300)
    sentra_id: uuid.UUID | None = Field(default=None, foreign_key="sentra.id", index=True)
    workers: int
    # Rupiah beyond int32: a menengah IKM invests up to Rp 15 bn and sells up to Rp 50 bn a year.
    investment_idr: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    annual_sales_idr: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    # Derived by rules.industry_class / rules.umkm_scale whenever the figures change.
    industry_class: str | None = Field(default=None, max_length=10, index=True)
    umkm_scale: str | None = Field(default=None, max_length=10)
    koperasi_name: str | None = Field(default=None, max_length=200)
    registered_year: int | None = Field(default=None, index=True)
    # rules.name_key(name): how an import recognises an IKM without NIB it already holds.
    name_key: str | None = Field(default=None, max_length=200)
    needs: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    needs_accessible_booth: bool = False
    status: str = Field(default="active", max_length=20, index=True)
    created_by: str = Field(max_length=64)
    created_at: datetime = _ts()
    updated_at: datetime = _ts()


class Product(SQLModel, table=True):
    __tablename__ = "product"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    ikm_id: uuid.UUID = Field(foreign_key="ikm.id", index=True)
    name: str = Field(max_length=200)
    category: str | None = Field(default=None, max_length=100)
    # What a buyer reads in the catalogue (curation's, from product events).
    description: str | None = Field(default=None, max_length=2000)
    price_idr: int | None = None
    monthly_capacity: int | None = None
    created_at: datetime = _ts()


class ProductPhoto(SQLModel, table=True):
    """One photo of a product (registry/photos.py): its files are named by `hash`, one per size."""

    __tablename__ = "product_photo"
    __table_args__ = (Index("ix_product_photo_product_position", "product_id", "position"),)

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    product_id: uuid.UUID = Field(foreign_key="product.id")
    ikm_id: uuid.UUID = Field(index=True)
    position: int
    hash: str = Field(max_length=64, index=True)
    # Each size kept: [{"name", "width", "height"}].
    sizes: list[dict[str, Any]] = Field(sa_column=Column(JSON, nullable=False))
    created_by: str = Field(max_length=64)
    created_at: datetime = _ts()


class CatalogueListing(SQLModel, table=True):
    """Whether a product stands in curation's catalogue, as curation's `catalogue.changed` events
    last said: its photos are then public. `changed_at` keeps a late, older event from undoing a newer one."""

    __tablename__ = "catalogue_listing"

    product_id: uuid.UUID = Field(foreign_key="product.id", primary_key=True)
    listed: bool
    changed_at: datetime = _ts()


class Certification(SQLModel, table=True):
    __tablename__ = "certification"

    id: int | None = Field(default=None, primary_key=True)
    ikm_id: uuid.UUID = Field(foreign_key="ikm.id", index=True)
    kind: str = Field(max_length=20)
    number: str = Field(max_length=100)
    issuer: str | None = Field(default=None, max_length=200)
    valid_until: date | None = None


class TimelineEntry(SQLModel, table=True):
    """One line of an IKM's status timeline, folded from an event (the read model)."""

    __tablename__ = "timeline_entry"

    id: int | None = Field(default=None, primary_key=True)
    ikm_id: uuid.UUID = Field(foreign_key="ikm.id", index=True)
    event_id: uuid.UUID = Field(unique=True)
    event_type: str = Field(max_length=80)
    occurred_at: datetime = _ts()
    summary: str = Field(max_length=500)
    summary_en: str = Field(max_length=500)
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class RegionAddition(SQLModel, table=True):
    """A village (or district) missing from the 2017 BPS list, added by an admin."""

    __tablename__ = "region_addition"

    code: str = Field(primary_key=True, max_length=10)
    parent_code: str = Field(max_length=7, index=True)
    name: str = Field(max_length=200)
    added_by: str = Field(max_length=64)
    created_at: datetime = _ts()


class ImportJob(SQLModel, table=True):
    """A bulk import of a kabupaten's file, worked through in the background.

    `processed` is committed with the rows it counts, so a restarted service resumes after it.
    The file itself is kept until the import is done, for that resumption.
    """

    __tablename__ = "import_job"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    filename: str = Field(max_length=255)
    file_format: str = Field(max_length=10)
    content: bytes | None = Field(default=None, sa_column=Column(EncryptedFile(), nullable=True))
    status: str = Field(default="queued", max_length=20, index=True)
    total: int = 0
    processed: int = 0
    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0
    error: str | None = Field(default=None, max_length=500)
    error_en: str | None = Field(default=None, max_length=500)
    created_by: str = Field(max_length=64)
    # The kabupaten the registrar named for a file that names it in neither its title nor a column.
    regency_code: str | None = Field(default=None, max_length=4)
    # The columns and values as the registrar mapped them (registry.import_mapping), kept from the
    # preview to the import and across a restart.
    mapping: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    # The process working on it holds it until then; a crashed worker's lease runs out.
    lease_until: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
    created_at: datetime = _ts()
    updated_at: datetime = _ts()
    finished_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))


class MappingProfile(SQLModel, table=True):
    """A column and value mapping saved under a name, proposed again for a file with the same columns
    (`columns_key`: the header's column names, normalised and hashed)."""

    __tablename__ = "mapping_profile"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    name: str = Field(max_length=100, unique=True)
    columns_key: str = Field(max_length=64, index=True)
    mapping: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    created_by: str = Field(max_length=64)
    created_at: datetime = _ts()
    updated_at: datetime = _ts()


class ImportRow(SQLModel, table=True):
    """A row of an import that did not become a new IKM: rejected (with reasons) or a duplicate."""

    __tablename__ = "import_row"

    id: int | None = Field(default=None, primary_key=True)
    import_id: uuid.UUID = Field(foreign_key="import_job.id", index=True)
    row_number: int
    outcome: str = Field(max_length=20)
    ikm_id: uuid.UUID | None = None
    errors: list[dict[str, str]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
