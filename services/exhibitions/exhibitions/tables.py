"""Exhibitions tables. A booth is held through `Application.booth_id`, unique: no booth ever has two
holders, whatever the concurrency, because the database refuses the second."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint, false, true
from sqlmodel import Field, SQLModel

from shared.consumer import InboxEvent
from shared.db import UtcDateTime
from shared.ids import new_id
from shared.outbox import OutboxEvent

__all__ = ["AllocationResult", "AllocationRun", "Application", "Booth", "Checkin", "Exhibition", "ExhibitorHistory",
           "IkmProfile", "InboxEvent", "OutboxEvent"]


def _ts() -> Any:
    return Field(sa_column=Column(UtcDateTime(), nullable=False))


class Exhibition(SQLModel, table=True):
    __tablename__ = "exhibition"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    name: str = Field(max_length=200)
    venue: str = Field(max_length=200)
    starts_on: date
    ends_on: date
    application_deadline: date
    requires_curation: bool
    sectors: list[str] = Field(sa_column=Column(JSON, nullable=False))
    regency_codes: list[str] = Field(sa_column=Column(JSON, nullable=False))
    regency_min_share: float = 0.0
    regency_max_share: float = 1.0
    sentra_cap: int | None = None
    newcomer_share: float = 0.0
    # Days to confirm a booth hold, whoever placed it (None on fairs created before 0006: only runs
    # and organisers' holds had a deadline then, from SENTRA_CONFIRM_DAYS).
    confirm_days: int | None = None
    status: str = Field(default="open", max_length=20)
    created_by: str = Field(max_length=64)
    created_at: datetime = _ts()


class Booth(SQLModel, table=True):
    __tablename__ = "booth"
    __table_args__ = (UniqueConstraint("exhibition_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    exhibition_id: uuid.UUID = Field(foreign_key="exhibition.id", index=True)
    code: str = Field(max_length=20)
    hall: str = Field(max_length=100)
    zone: str = Field(max_length=100)
    sectors: list[str] = Field(sa_column=Column(JSON, nullable=False))
    width_m: float
    depth_m: float
    x: float
    y: float
    kind: str = Field(max_length=20)
    accessible: bool = False
    power_w: int = 0
    price_idr: int = 0
    # Combining and splitting never delete a booth: the booths replaced stay, inactive, so that the
    # codes in past runs and events keep their meaning, and a split can give the old booths back.
    active: bool = Field(default=True, sa_column_kwargs={"server_default": true()})
    # The booth this one is a part of: set on the parts of a combined booth and on the parts a booth
    # was split into. Of a booth and its parts, either the booth or the parts are active.
    part_of_id: int | None = Field(default=None, foreign_key="booth.id")


class IkmProfile(SQLModel, table=True):
    """What exhibitions knows of an IKM, from `ikm.registered` and `ikm.updated` (no personal data)."""

    __tablename__ = "ikm_profile"

    ikm_id: uuid.UUID = Field(primary_key=True)
    name: str = Field(max_length=200)
    sector: str = Field(max_length=40)
    regency_code: str = Field(max_length=4)
    sentra_id: uuid.UUID | None = None
    needs_accessible_booth: bool = False
    # The best grade of an approval seen in `curation.decided` (A–D), weighed by allocation runs.
    curation_grade: str | None = Field(default=None, max_length=1)
    registered_at: datetime = _ts()
    # When the register last changed it (`ikm.updated`): an older update arriving late is ignored.
    updated_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))


class ProductCuration(SQLModel, table=True):
    """The latest curation decision per product, from `curation.decided`. An IKM may join a curated
    fair while at least one of its products holds a standing approval. Kept even when the decision
    arrives before the IKM's registration (the streams are not ordered with each other)."""

    __tablename__ = "product_curation"

    product_id: uuid.UUID = Field(primary_key=True)
    ikm_id: uuid.UUID = Field(index=True)
    outcome: str = Field(max_length=30)
    expired: bool = False
    decided_at: datetime = _ts()


class Application(SQLModel, table=True):
    __tablename__ = "application"
    __table_args__ = (UniqueConstraint("exhibition_id", "ikm_id"),)

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    exhibition_id: uuid.UUID = Field(foreign_key="exhibition.id", index=True)
    ikm_id: uuid.UUID = Field(foreign_key="ikm_profile.ikm_id", index=True)
    status: str = Field(max_length=20, index=True)
    booth_id: int | None = Field(default=None, foreign_key="booth.id", unique=True)
    waitlist_rank: int | None = None
    reason: str = Field(max_length=500)
    reason_en: str = Field(max_length=500)
    # Published by an allocation run: later runs keep the booth until the organiser unlocks it.
    locked: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    # Zones the exhibitor asked for, first choice first (at most three).
    preferred_zones: list[str] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    # A hold not confirmed by then is released and the waitlist moves up.
    confirm_by: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True, index=True))
    confirmed_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
    applied_at: datetime = _ts()
    updated_at: datetime = _ts()


class AllocationRun(SQLModel, table=True):
    """One solve of a fair's allocation: a draft until published (ADR 0009)."""

    __tablename__ = "allocation_run"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    exhibition_id: uuid.UUID = Field(foreign_key="exhibition.id", index=True)
    seed: int
    status: str = Field(max_length=20)  # draft | published | infeasible
    objective: float | None = None
    bound: float | None = None
    gap: float | None = None
    solve_seconds: float
    variables: int = 0
    problems: list[dict[str, str]] = Field(sa_column=Column(JSON, nullable=False))
    # The applications and booths the run was computed from; publishing a stale run is refused.
    fingerprint: str = Field(max_length=64)
    created_by: str = Field(max_length=64)
    created_at: datetime = _ts()
    published_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))


class AllocationResult(SQLModel, table=True):
    __tablename__ = "allocation_result"
    __table_args__ = (UniqueConstraint("run_id", "ikm_id"),)

    id: int | None = Field(default=None, primary_key=True)
    run_id: uuid.UUID = Field(foreign_key="allocation_run.id", index=True)
    ikm_id: uuid.UUID
    status: str = Field(max_length=20)
    booth_code: str | None = Field(default=None, max_length=20)
    waitlist_rank: int | None = None
    lottery: int
    points: int
    reason: str = Field(max_length=500)
    reason_en: str = Field(max_length=500)
    # A waitlisted result's binding rule (`allocation.reasons`): sector, regency_max, sentra_cap,
    # regency_min, newcomer, accessible, points or lottery; empty when allocated (and before 0007).
    rule: str = Field(default="", max_length=20, sa_column_kwargs={"server_default": ""})


class ExhibitorHistory(SQLModel, table=True):
    """Who exhibited at which organiser's fair (from published runs and check-ins): newcomers are IKM
    without a row for the organiser's other fairs."""

    __tablename__ = "exhibitor_history"
    __table_args__ = (UniqueConstraint("ikm_id", "exhibition_id"),)

    id: int | None = Field(default=None, primary_key=True)
    ikm_id: uuid.UUID = Field(index=True)
    exhibition_id: uuid.UUID = Field(foreign_key="exhibition.id")
    organiser: str = Field(max_length=64, index=True)
    source: str = Field(max_length=20)  # published | checkin
    recorded_at: datetime = _ts()


class Checkin(SQLModel, table=True):
    __tablename__ = "checkin"
    __table_args__ = (UniqueConstraint("exhibition_id", "ikm_id", "day"),)

    id: int | None = Field(default=None, primary_key=True)
    exhibition_id: uuid.UUID = Field(foreign_key="exhibition.id", index=True)
    ikm_id: uuid.UUID
    day: date
    checked_in_by: str = Field(max_length=64)
    checked_in_at: datetime = _ts()
