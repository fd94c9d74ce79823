"""Curation tables."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint, false, text
from sqlmodel import Field, SQLModel

from shared.consumer import InboxEvent
from shared.db import UtcDateTime
from shared.ids import new_id
from shared.outbox import OutboxEvent

__all__ = ["Appeal", "Assignment", "AuditEntry", "Case", "CatalogueEntry", "CatalogueIkm", "CatalogueProduct",
           "ConflictDeclaration", "Curator", "InboxEvent", "OutboxEvent", "ProductPhotoRef", "RubricVersion", "Score"]


def _ts() -> Any:
    return Field(sa_column=Column(UtcDateTime(), nullable=False))


def _ts_or_none() -> Any:
    return Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))


class Curator(SQLModel, table=True):
    __tablename__ = "curator"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    username: str = Field(max_length=64, unique=True)
    full_name: str = Field(max_length=200)
    sectors: list[str] = Field(sa_column=Column(JSON, nullable=False))
    affiliation: str | None = Field(default=None, max_length=200)
    # Availability: an inactive curator gets no new cases (the ones already assigned stay theirs).
    active: bool = True
    # Chairs the curation meeting (rapat kurasi): may decide a case sent to the panel.
    is_chair: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    # Most open cases at once; None means the service default (SENTRA_MAX_OPEN_CASES).
    max_open_cases: int | None = None
    created_at: datetime = _ts()


class RubricVersion(SQLModel, table=True):
    """One version of the rubric (DOMAIN.md, Curation). The newest is current; a case keeps the version
    it was opened with."""

    __tablename__ = "rubric"

    id: int | None = Field(default=None, primary_key=True)
    version: str = Field(max_length=40, unique=True)
    gates: list[dict[str, Any]] = Field(sa_column=Column(JSON, nullable=False))
    criteria: list[dict[str, Any]] = Field(sa_column=Column(JSON, nullable=False))
    thresholds: dict[str, float] = Field(sa_column=Column(JSON, nullable=False))
    created_by: str = Field(max_length=64)
    created_at: datetime = _ts()


class Case(SQLModel, table=True):
    """One product's review. `round` counts re-curations of the same product; `stage` counts appeals
    within a round (0 = the first review)."""

    __tablename__ = "curation_case"
    __table_args__ = (
        UniqueConstraint("product_id", "round"),
        Index("ix_curation_case_status_opened", "status", "opened_at"),
        # A curator's queue filters the ids of their assignments by status and sorts them by opening:
        # this index answers both without reading the case rows (bench/curation_queue.py).
        Index("ix_curation_case_queue", "id", "status", "opened_at"),
    )

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    ikm_id: uuid.UUID = Field(index=True)
    ikm_name: str = Field(max_length=200)
    product_id: uuid.UUID = Field(index=True)
    product_name: str = Field(max_length=200)
    sector: str = Field(max_length=40, index=True)
    regency_code: str = Field(max_length=4)
    round: int = 1
    stage: int = Field(default=0, sa_column_kwargs={"server_default": text("0")})
    rubric_version: str = Field(max_length=40)
    panel_size: int
    status: str = Field(default="open", max_length=20, index=True)
    outcome: str | None = Field(default=None, max_length=30)
    grade: str | None = Field(default=None, max_length=1)
    total: float | None = None
    reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    reason_en: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    decided_by: str | None = Field(default=None, max_length=64)
    decided_at: datetime | None = _ts_or_none()
    valid_until: date | None = Field(default=None, index=True)
    expired_at: datetime | None = _ts_or_none()
    correlation_id: uuid.UUID
    opened_at: datetime = _ts()


class Assignment(SQLModel, table=True):
    __tablename__ = "assignment"
    __table_args__ = (
        UniqueConstraint("case_id", "curator_id"),
        # A curator's queue (GET /cases?curator_id=me) and their open-case load.
        Index("ix_assignment_curator_active_case", "curator_id", "active", "case_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    case_id: uuid.UUID = Field(foreign_key="curation_case.id", index=True)
    curator_id: uuid.UUID = Field(foreign_key="curator.id")
    stage: int = Field(default=0, sa_column_kwargs={"server_default": text("0")})
    assigned_at: datetime = _ts()
    scored: bool = False
    active: bool = Field(default=True, description="false once the curator recused or was replaced")
    replaces_id: int | None = Field(default=None, description="the assignment this one replaced (a conflict)")
    ended_reason: str | None = Field(default=None, max_length=20)


class Score(SQLModel, table=True):
    """One curator's sheet for a case stage. A correction adds a version; the old one is kept."""

    __tablename__ = "score"
    __table_args__ = (
        UniqueConstraint("case_id", "curator_id", "stage", "version"),
        Index("ix_score_case_current", "case_id", "current"),
    )

    id: int | None = Field(default=None, primary_key=True)
    case_id: uuid.UUID = Field(foreign_key="curation_case.id")
    curator_id: uuid.UUID = Field(foreign_key="curator.id")
    stage: int = 0
    version: int = 1
    current: bool = True
    gates: dict[str, bool] = Field(sa_column=Column(JSON, nullable=False))
    scores: dict[str, int] = Field(sa_column=Column(JSON, nullable=False))
    comment: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    total: float
    submitted_at: datetime = _ts()


class ConflictDeclaration(SQLModel, table=True):
    """A curator's declared conflict of interest with an IKM: it holds for every case of that IKM."""

    __tablename__ = "conflict"
    __table_args__ = (UniqueConstraint("curator_id", "ikm_id"),)

    id: int | None = Field(default=None, primary_key=True)
    curator_id: uuid.UUID = Field(foreign_key="curator.id")
    ikm_id: uuid.UUID = Field(index=True)
    case_id: uuid.UUID = Field(foreign_key="curation_case.id")
    reason: str = Field(max_length=20)
    note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    declared_at: datetime = _ts()


class Appeal(SQLModel, table=True):
    __tablename__ = "appeal"

    id: int | None = Field(default=None, primary_key=True)
    case_id: uuid.UUID = Field(foreign_key="curation_case.id", index=True)
    stage: int
    reason: str = Field(sa_column=Column(Text, nullable=False))
    filed_by: str = Field(max_length=64)
    filed_at: datetime = _ts()


class AuditEntry(SQLModel, table=True):
    """Every step of a case: who, when, what, and the details."""

    __tablename__ = "audit"

    id: int | None = Field(default=None, primary_key=True)
    case_id: uuid.UUID = Field(index=True)
    at: datetime = _ts()
    actor: str = Field(max_length=64)
    action: str = Field(max_length=30)
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


# --- the catalogue (curation/catalogue.py) and what it is made from -------------------------------


class CatalogueIkm(SQLModel, table=True):
    """What the catalogue shows of an IKM, from ikm.registered and ikm.updated (no personal data)."""

    __tablename__ = "catalogue_ikm"

    ikm_id: uuid.UUID = Field(primary_key=True)
    name: str = Field(max_length=200)
    sector: str = Field(max_length=40)
    regency_code: str = Field(max_length=4)
    regency_name: str | None = Field(default=None, max_length=200)
    sentra_id: uuid.UUID | None = None
    sentra_name: str | None = Field(default=None, max_length=200)
    changed_at: datetime = _ts()


class CatalogueProduct(SQLModel, table=True):
    """What the catalogue shows of a product, from ikm.registered and product.submitted; whether a
    registrar withdrew it (product.withdrawn), until it is submitted again."""

    __tablename__ = "catalogue_product"

    product_id: uuid.UUID = Field(primary_key=True)
    ikm_id: uuid.UUID = Field(index=True)
    name: str = Field(max_length=200)
    description: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    category: str | None = Field(default=None, max_length=100)
    price_idr: int | None = None
    withdrawn: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    # When the newest product.photos_changed applied was published: an older one arriving late is ignored.
    photos_changed_at: datetime | None = _ts_or_none()


class ProductPhotoRef(SQLModel, table=True):
    """A product's photo by reference (the registry serves it), with when curation learnt of it and,
    once gone, when it was removed: a case shows the photos as they were when it opened."""

    __tablename__ = "product_photo_ref"

    photo_id: uuid.UUID = Field(primary_key=True)
    product_id: uuid.UUID = Field(index=True)
    ikm_id: uuid.UUID
    hash: str = Field(max_length=64)
    position: int
    sizes: list[dict[str, Any]] = Field(sa_column=Column(JSON, nullable=False))
    added_at: datetime = _ts()
    removed_at: datetime | None = _ts_or_none()


class CatalogueEntry(SQLModel, table=True):
    """A product in the catalogue: one row while its approval stands (grade A or B, not expired, not
    withdrawn), with everything an entry shows, so a page of the catalogue is one query."""

    __tablename__ = "catalogue_entry"
    # Each sort ends with the product id, so that pages do not overlap: the index answers both.
    __table_args__ = (Index("ix_catalogue_entry_sector_regency", "sector", "regency_code"),
                      Index("ix_catalogue_entry_name", "product_name", "product_id"),
                      Index("ix_catalogue_entry_price", "price_idr", "product_id"),
                      Index("ix_catalogue_entry_listed", "listed_at", "product_id"))

    product_id: uuid.UUID = Field(primary_key=True)
    ikm_id: uuid.UUID = Field(index=True)
    case_id: uuid.UUID
    product_name: str = Field(max_length=200)
    description: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    category: str | None = Field(default=None, max_length=100)
    price_idr: int | None = None
    ikm_name: str = Field(max_length=200)
    sector: str = Field(max_length=40)
    regency_code: str = Field(max_length=4)
    regency_name: str | None = Field(default=None, max_length=200)
    sentra_id: uuid.UUID | None = Field(default=None, index=True)
    sentra_name: str | None = Field(default=None, max_length=200)
    grade: str = Field(max_length=1, index=True)
    valid_until: date | None = None
    conditions: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    conditions_en: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    # Lower-cased product and IKM words that `q` searches.
    search: str = Field(sa_column=Column(Text, nullable=False))
    listed_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
