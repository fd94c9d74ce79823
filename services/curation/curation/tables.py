"""Curation tables."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from shared.consumer import InboxEvent
from shared.db import UtcDateTime
from shared.outbox import OutboxEvent

__all__ = ["Assignment", "Case", "Curator", "InboxEvent", "OutboxEvent"]


def _ts() -> Any:
    return Field(sa_column=Column(UtcDateTime(), nullable=False))


class Curator(SQLModel, table=True):
    __tablename__ = "curator"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    username: str = Field(max_length=64, unique=True)
    full_name: str = Field(max_length=200)
    sectors: list[str] = Field(sa_column=Column(JSON, nullable=False))
    affiliation: str | None = Field(default=None, max_length=200)
    active: bool = True
    created_at: datetime = _ts()


class Case(SQLModel, table=True):
    """One product's review. `round` counts re-curations of the same product."""

    __tablename__ = "curation_case"
    __table_args__ = (UniqueConstraint("product_id", "round"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    ikm_id: uuid.UUID = Field(index=True)
    ikm_name: str = Field(max_length=200)
    product_id: uuid.UUID = Field(index=True)
    product_name: str = Field(max_length=200)
    sector: str = Field(max_length=40, index=True)
    regency_code: str = Field(max_length=4)
    round: int = 1
    rubric_version: str = Field(max_length=40)
    panel_size: int
    status: str = Field(default="open", max_length=20, index=True)
    outcome: str | None = Field(default=None, max_length=30)
    grade: str | None = Field(default=None, max_length=1)
    total: float | None = None
    correlation_id: uuid.UUID
    opened_at: datetime = _ts()


class Assignment(SQLModel, table=True):
    __tablename__ = "assignment"
    __table_args__ = (UniqueConstraint("case_id", "curator_id"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: uuid.UUID = Field(foreign_key="curation_case.id", index=True)
    curator_id: uuid.UUID = Field(foreign_key="curator.id", index=True)
    assigned_at: datetime = _ts()
    scored: bool = False
    active: bool = Field(default=True, description="false once the curator recused or was replaced")
