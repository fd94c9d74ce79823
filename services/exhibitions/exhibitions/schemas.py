"""Exhibitions API models."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Generic, Literal, Self, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator
from pydantic.json_schema import SkipJsonSchema

from shared.bounds import DbInt
from shared.domain import SECTORS, Sector
from shared.errors import field_error
from shared.text import Input

T = TypeVar("T")
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Share = Annotated[float, Field(ge=0, le=1)]
# Metres from a hall's origin: a hall is far smaller than 10 km, and an unbounded float lets through
# numbers no floor plan means (and, from JSON's Infinity, ones no reply can carry).
Coordinate = Annotated[float, Field(ge=-10_000, le=10_000)]
# Booths one floor-plan request may add, as JSON or as CSV rows: a fair is far smaller, and a body
# is parsed whole before it is stored.
MAX_BOOTHS = 5000
# Input lists are bounded like every other input: each sector at most once, every kabupaten/kota.
Sectors = Annotated[list[Sector], Field(max_length=len(SECTORS))]


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


class ExhibitionCreate(Input):
    name: Text
    venue: Text
    starts_on: date
    ends_on: date
    application_deadline: date
    requires_curation: bool = False
    sectors: Sectors = []
    regency_codes: Annotated[list[Annotated[str, StringConstraints(pattern=r"^[0-9]{4}$")]],
                             Field(max_length=1000)] = []
    regency_min_share: Share = 0.0
    regency_max_share: Share = 1.0
    sentra_cap: Annotated[int, Field(ge=1, le=10_000, description="booths one sentra may take at most")] | None = None
    newcomer_share: Share = 0.0
    confirm_days: Annotated[int, Field(ge=0, le=365, description="days an exhibitor has to confirm a booth hold "
                                       "(0: holds do not expire); default SENTRA_CONFIRM_DAYS")] | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.ends_on < self.starts_on:
            raise field_error("Tanggal selesai (ends_on) tidak boleh sebelum tanggal mulai (starts_on).",
                              "The end date (ends_on) cannot be before the start date (starts_on).")
        if self.application_deadline > self.starts_on:
            raise field_error("Batas pendaftaran (application_deadline) harus sebelum pameran dimulai.",
                              "The application deadline must not be after the fair starts.")
        if self.regency_min_share > self.regency_max_share:
            raise field_error("Porsi minimum kabupaten (regency_min_share) melebihi porsi maksimum.",
                              "The regency minimum share exceeds the maximum share.")
        return self


class EffectiveCountsPublic(BaseModel):
    """What the fair's shares mean for its number of booths (`shares.effective_counts`): a maximum is
    floor(share × booths), a minimum ceil(share × booths) but never above the maximum."""

    booths: int
    regency_min: int
    regency_max: int
    newcomer_min: int
    sentra_cap: int | None


class ExhibitionPublic(BaseModel):
    id: uuid.UUID
    name: str
    venue: str
    starts_on: date
    ends_on: date
    application_deadline: date
    requires_curation: bool
    sectors: list[str]
    regency_codes: list[str]
    regency_min_share: float
    regency_max_share: float
    sentra_cap: int | None
    newcomer_share: float
    confirm_days: int | None
    status: str
    booths: int
    effective: EffectiveCountsPublic


BoothKind = Literal["standard", "corner", "island", "space_only"]


class BoothCreate(Input):
    code: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20)]
    hall: Text
    zone: Text
    sectors: Sectors = []
    width_m: Annotated[float, Field(gt=0, le=100)] = 3
    depth_m: Annotated[float, Field(gt=0, le=100)] = 3
    x: Coordinate = 0
    y: Coordinate = 0
    kind: BoothKind = "standard"
    accessible: bool = False
    power_w: Annotated[int, Field(ge=0, le=100_000)] = 450
    price_idr: DbInt = 0


class BoothPublic(BaseModel):
    """A booth as the floor plan shows it. Without BoothCreate's bounds: a combined booth is as wide,
    as powered and as dear as its parts together, more than one booth sent in may be."""

    model_config = ConfigDict(extra="ignore")

    code: str
    hall: str
    zone: str
    sectors: list[str]
    width_m: float
    depth_m: float
    x: float
    y: float
    kind: BoothKind
    accessible: bool
    power_w: int
    price_idr: int
    # False for a booth that was combined into a larger one or split into parts (listed on request).
    active: bool = True
    # The code of the booth this one is a part of (see combine and split), if any.
    part_of: str | None = None


class ApplicationPublic(BaseModel):
    ikm_id: uuid.UUID
    ikm_name: str
    status: Literal["pending_curation", "allocated", "waitlisted", "declined", "withdrawn"]
    booth_code: str | None
    waitlist_rank: int | None
    reason: str
    reason_en: str
    updated_at: datetime


class AllocationPublic(BaseModel):
    booth_code: str
    ikm_id: uuid.UUID
    ikm_name: str
    status: str


class EntryRequest(Input):
    """A registered IKM to enter into the fair, by its id in the register."""

    ikm_id: uuid.UUID


class InvitationsPublic(BaseModel):
    """What inviting every eligible IKM did: how many were entered now, had applied before, or may not
    join (sector, regency, or no product that passed curation or is under review)."""

    entered: int
    already: int
    not_eligible: int


class AssignmentRequest(Input):
    ikm_id: uuid.UUID


class AllocationRunCreate(Input):
    seed: Annotated[int, Field(ge=0, le=2**31 - 1)] | None = None


class RuleProblemPublic(BaseModel):
    rule: str
    message: str
    message_en: str


class AllocationResultPublic(BaseModel):
    ikm_id: uuid.UUID
    ikm_name: str
    status: str
    booth_code: str | None
    waitlist_rank: int | None
    lottery: int
    points: int
    reason: str
    reason_en: str
    # The rule that kept a waitlisted IKM off every booth, as a code for grouping: sector, regency_max,
    # sentra_cap, regency_min, newcomer, accessible, points or lottery; empty when allocated.
    rule: str = ""


class AllocationRunPublic(BaseModel):
    id: uuid.UUID
    exhibition_id: uuid.UUID
    seed: int
    status: Literal["draft", "published", "infeasible"]
    objective: float | None
    bound: float | None
    gap: float | None
    solve_seconds: float
    variables: int
    allocated: int
    waitlisted: int
    problems: list[RuleProblemPublic]
    created_by: str
    created_at: datetime
    published_at: datetime | None
    results: list[AllocationResultPublic]


class FairnessGroupPublic(BaseModel):
    """One regency, sector or sentra (or the newcomers) in a fairness report: booths held and their
    share of all booths, against the rule's minimum and maximum (null: no such rule) and against its
    applicants and their share of the pool. `within`: the count keeps the rule (a minimum counts as
    met when every applicant of the group holds a booth)."""

    key: str
    count: int
    share: float
    applicants: int
    applicant_share: float
    min: int | None
    max: int | None
    within: bool


class AccessiblePublic(BaseModel):
    booths: int  # accessible booths on the floor plan
    held: int  # of them, held
    held_by_owners_who_need_one: int
    owners_who_need_one: int  # in the applicant pool
    owners_who_need_one_placed: int  # with any booth
    owners_who_need_one_in_accessible_booth: int


class FairnessPublic(BaseModel):
    """How a run's allocation, or the fair as it stands, meets the fair's rules (issue 18)."""

    source: Literal["run", "published", "current"]
    run_id: uuid.UUID | None
    booths: int
    allocated: int
    applicants: int
    effective: EffectiveCountsPublic
    regencies: list[FairnessGroupPublic]
    sectors: list[FairnessGroupPublic]
    sentras: list[FairnessGroupPublic]
    newcomers: FairnessGroupPublic
    accessible: AccessiblePublic


class PreferenceRequest(Input):
    ikm_id: uuid.UUID
    zones: Annotated[list[Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]],
                     Field(max_length=3)]


class CheckinCreate(Input):
    ikm_id: uuid.UUID
    day: date


class CheckinPublic(BaseModel):
    ikm_id: uuid.UUID
    ikm_name: str
    day: date
    checked_in_by: str
    checked_in_at: datetime


class CheckinDayPublic(BaseModel):
    day: date
    count: int


class CheckinsPublic(BaseModel):
    per_day: list[CheckinDayPublic]
    items: list[CheckinPublic]


BoothCode = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20)]


class MoveRequest(Input):
    to: BoothCode


class SwapRequest(Input):
    a: BoothCode
    b: BoothCode

    @model_validator(mode="after")
    def _two_booths(self) -> Self:
        if self.a == self.b:
            raise field_error("Dua stan yang ditukar harus berbeda.", "The two booths to swap must differ.")
        return self


def _distinct(codes: list[str]) -> list[str]:
    if len(set(codes)) != len(codes):
        raise field_error("Kode stan tidak boleh disebut dua kali.", "A booth code may be named only once.")
    return codes


class CombineRequest(Input):
    """Booths side by side in one hall and zone become one booth with a new code."""


    codes: Annotated[list[BoothCode], Field(min_length=2, max_length=20)]
    code: BoothCode

    _codes_distinct = field_validator("codes")(_distinct)


class SplitRequest(Input):
    """Split a booth: back into the booths it was combined from (no body needed), or into `parts` booths
    of equal width along its row, coded `codes` (by default the code with a, b, c… appended)."""


    parts: Annotated[int, Field(ge=2, le=20)] | None = None
    # Left out means "the usual codes"; an explicit null is refused (a 422 naming the field), and the
    # schema does not offer it.
    codes: Annotated[list[BoothCode], Field(min_length=2, max_length=20)] | SkipJsonSchema[None] = None

    @field_validator("codes", mode="before")
    @classmethod
    def _codes_not_null(cls, codes: object) -> object:
        if codes is None:
            raise field_error("Isi daftar kode bagian, atau hilangkan kolom codes.",
                              "Give a list of the parts' codes, or leave codes out.")
        return codes

    _codes_distinct = field_validator("codes")(_distinct)

    @model_validator(mode="after")
    def _agree(self) -> Self:
        if self.parts is not None and self.codes is not None and self.parts != len(self.codes):
            raise field_error(f"Jumlah bagian ({self.parts}) tidak sama dengan jumlah kode ({len(self.codes)}).",
                              f"The number of parts ({self.parts}) differs from the number of codes "
                              f"({len(self.codes)}).")
        return self
