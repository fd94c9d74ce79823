"""Curation API models."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import BaseModel, Field, StringConstraints, ValidationInfo, field_validator

from curation.rules import MAX_CASE_CAP, grade_matches_outcome
from shared.domain import Sector
from shared.errors import field_error
from shared.text import Input

T = TypeVar("T")
# Open cases a curator's profile allows at once; only an admin raises it (rules.cap_change_allowed).
CaseCap = Annotated[int, Field(ge=1, le=MAX_CASE_CAP)]


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


class CuratorCreate(Input):
    username: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=64,
                                               pattern=r"^[a-z0-9._-]+$")]
    full_name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    sectors: Annotated[list[Sector], Field(min_length=1)]
    affiliation: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = None
    is_chair: bool = False
    max_open_cases: CaseCap | None = None


class CuratorUpdate(Input):
    """Availability and profile; only the fields sent change. A curator may change their own `active`
    and lower their own `max_open_cases`; the rest is for an admin."""


    active: bool | None = None
    max_open_cases: CaseCap | None = None
    is_chair: bool | None = None
    sectors: Annotated[list[Sector], Field(min_length=1)] | None = None
    full_name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)] | None = None
    affiliation: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = None


class CuratorPublic(BaseModel):
    id: uuid.UUID
    username: str
    full_name: str
    sectors: list[str]
    affiliation: str | None
    active: bool
    is_chair: bool
    max_open_cases: int
    open_cases: int


class AssignmentPublic(BaseModel):
    curator_id: uuid.UUID
    username: str
    stage: int
    scored: bool
    assigned_at: datetime


class ScorePublic(BaseModel):
    curator_id: uuid.UUID
    username: str
    stage: int
    version: int
    gates: dict[str, bool]
    scores: dict[str, int]
    comment: str | None
    total: float
    submitted_at: datetime


class CasePhotoPublic(BaseModel):
    """A photo of the case's product, by reference: the registry serves its bytes."""

    photo_id: uuid.UUID
    position: int
    hash: str
    thumbnail_url: str
    display_url: str
    added_since_opening: bool = Field(description="added after the case opened")
    removed_since_opening: bool = Field(description="the product had it when the case opened; removed since")


class CasePublic(BaseModel):
    id: uuid.UUID
    ikm_id: uuid.UUID
    ikm_name: str
    product_id: uuid.UUID
    product_name: str
    sector: str
    round: int
    stage: int
    rubric_version: str
    panel_size: int
    status: str
    outcome: str | None
    grade: str | None
    total: float | None
    reason: str | None
    reason_en: str | None
    decided_by: str | None
    decided_at: datetime | None
    valid_until: date | None
    expired_at: datetime | None
    assignments: list[AssignmentPublic]
    scores: list[ScorePublic] = []
    photos: list[CasePhotoPublic] = []
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


OneToFive = Annotated[int, Field(ge=1, le=5)]
Code = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{1,29}$")]


class ScoreCreate(Input):
    """One curator's sheet (SPEC.md): every gate of the case's rubric, and 1–5 for every criterion."""


    gates: dict[str, bool]
    scores: dict[str, OneToFive]
    comment: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] | None = None


ConflictReason = Literal["family", "employer", "supplier", "competitor", "coaching_client"]


class ConflictCreate(Input):
    reason: ConflictReason
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)] | None = None


OutcomeName = Literal["approved", "approved_with_conditions", "needs_improvement", "rejected"]


class DecisionCreate(Input):
    """The panel's decision (rapat kurasi). The grade goes with the outcome: A, B, C, D."""


    outcome: OutcomeName
    grade: Literal["A", "B", "C", "D"]
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=2000)]
    reason_en: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=2000)] | None = None

    @field_validator("grade")
    @classmethod
    def _grade_goes_with_outcome(cls, grade: str, info: ValidationInfo) -> str:
        outcome = info.data.get("outcome")
        if outcome is not None and not grade_matches_outcome(outcome, grade):
            raise field_error(f"Nilai {grade} tidak sesuai dengan hasil {outcome} (A lolos, B lolos bersyarat, "
                              "C perlu perbaikan, D tidak lolos).",
                              f"Grade {grade} does not go with outcome {outcome} (A approved, B with conditions, "
                              "C needs improvement, D rejected).")
        return grade


class AppealCreate(Input):
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=10, max_length=2000)]


class GateIn(Input):
    code: Code
    label: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=200)]
    label_en: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=200)]


class CriterionIn(GateIn):
    weight: Annotated[int, Field(ge=1, le=100)]
    anchors: dict[int, Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]]

    @field_validator("anchors")
    @classmethod
    def _one_to_five(cls, anchors: dict[int, str]) -> dict[int, str]:
        if sorted(anchors) != [1, 2, 3, 4, 5]:
            raise field_error("Isi uraian untuk setiap nilai 1 sampai 5.", "Describe every score from 1 to 5.")
        return anchors


class ThresholdsIn(Input):
    approved: Annotated[float, Field(gt=0, le=100)]
    approved_with_conditions: Annotated[float, Field(gt=0, le=100)]
    needs_improvement: Annotated[float, Field(gt=0, le=100)]
    disagreement_points: Annotated[float, Field(ge=0, le=4)] = 1.5

    @field_validator("needs_improvement")
    @classmethod
    def _ordered(cls, value: float, info: ValidationInfo) -> float:
        approved, conditional = info.data.get("approved"), info.data.get("approved_with_conditions")
        if approved is not None and conditional is not None and not value < conditional < approved:
            raise field_error("Ambang harus naik: perlu perbaikan < lolos bersyarat < lolos.",
                              "Thresholds must rise: needs improvement < with conditions < approved.")
        return value


class RubricCreate(Input):
    """A new rubric version for a curation call; it becomes current, open cases keep theirs."""


    version: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9._-]{1,40}$")]
    gates: list[GateIn]
    criteria: Annotated[list[CriterionIn], Field(min_length=1, max_length=20)]
    thresholds: ThresholdsIn

    @field_validator("gates", "criteria")
    @classmethod
    def _unique_codes(cls, items: list[GateIn]) -> list[GateIn]:
        codes = [i.code for i in items]
        if len(set(codes)) != len(codes):
            raise field_error("Kode tidak boleh berulang.", "Codes must not repeat.")
        return items

    @field_validator("criteria")
    @classmethod
    def _weights_sum_to_100(cls, criteria: list[CriterionIn]) -> list[CriterionIn]:
        if sum(c.weight for c in criteria) != 100:
            raise field_error("Jumlah bobot kriteria harus 100.", "The criteria weights must add up to 100.")
        return criteria


class AuditPublic(BaseModel):
    at: datetime
    actor: str
    action: str
    details: dict[str, Any]
