"""API models of the public catalogue: no personal data (no owner, NIK, phone or address)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, Field


class CataloguePhoto(BaseModel):
    position: int
    thumbnail_url: str = Field(description="320 px, on the registry, public while the product is listed")
    display_url: str = Field(description="1600 px, on the registry, public while the product is listed")


class CatalogueItem(BaseModel):
    product_id: uuid.UUID
    name: str
    description: str | None
    category: str | None
    price_idr: int | None
    photos: list[CataloguePhoto]
    ikm_id: uuid.UUID
    ikm_name: str
    sector: str
    regency_code: str
    regency_name: str | None
    sentra_id: uuid.UUID | None
    sentra_name: str | None
    grade: str
    valid_until: date | None
    conditions: str | None = Field(description="grade B: what the approval is conditional on")
    conditions_en: str | None
    listed_at: datetime
