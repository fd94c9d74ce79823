"""Curation API models."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from shared.domain import Sector

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


class CuratorCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=64,
                                               pattern=r"^[a-z0-9._-]+$")]
    full_name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    sectors: Annotated[list[Sector], Field(min_length=1)]
    affiliation: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = None


class CuratorPublic(BaseModel):
    id: uuid.UUID
    username: str
    full_name: str
    sectors: list[str]
    affiliation: str | None
    open_cases: int


class AssignmentPublic(BaseModel):
    curator_id: uuid.UUID
    username: str
    scored: bool
    assigned_at: datetime


class CasePublic(BaseModel):
    id: uuid.UUID
    ikm_id: uuid.UUID
    ikm_name: str
    product_id: uuid.UUID
    product_name: str
    sector: str
    round: int
    rubric_version: str
    panel_size: int
    status: str
    outcome: str | None
    grade: str | None
    total: float | None
    assignments: list[AssignmentPublic]
    scores: list[dict[str, object]] = []
    opened_at: datetime


class GatePublic(BaseModel):
    code: str
    label: str
    label_en: str


class CriterionPublic(BaseModel):
    code: str
    label: str
    label_en: str
    weight: int
    anchors: dict[int, str]


class RubricPublic(BaseModel):
    version: str
    gates: list[GatePublic]
    criteria: list[CriterionPublic]
    thresholds: dict[str, float]
