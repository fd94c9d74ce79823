"""Registry API models: what comes in (`*Create`) and what goes out (`*Public`), never a table."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime
from typing import Annotated, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from shared.auth import ROLES
from shared.domain import Sector
from shared.errors import field_error

Need = Literal["capital", "market_access", "machinery", "training", "certification", "raw_material",
               "packaging", "digital_marketing"]
CertificationKind = Literal["halal", "pirt", "bpom_md", "sni", "hki", "competency", "other"]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]

T = TypeVar("T")
_DIGITS = re.compile(r"\d+")
_PHONE = re.compile(r"(\+62|62|0)\d{8,13}")


def _digits(value: str, length: int, what: str, what_en: str) -> str:
    value = value.strip()
    if not _DIGITS.fullmatch(value) or len(value) != length:
        raise field_error(f"{what} harus {length} digit angka (diisi {len(value)} karakter).",
                          f"{what_en} must be {length} digits ({len(value)} characters given).")
    return value


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OwnerCreate(Strict):
    name: Name
    nik: str = Field(description="16-digit national identity number (personal data)")
    phone: str | None = None
    gender: Literal["F", "M"] | None = None

    @field_validator("nik")
    @classmethod
    def _nik(cls, v: str) -> str:
        return _digits(v, 16, "NIK", "NIK")

    @field_validator("phone")
    @classmethod
    def _phone(cls, v: str | None) -> str | None:
        if v is None:
            return v
        v = v.replace(" ", "").replace("-", "")
        if not _PHONE.fullmatch(v):
            raise field_error("Nomor telepon tidak valid (contoh: 081234567890).",
                              "Invalid phone number (example: 081234567890).")
        return v


class CertificationCreate(Strict):
    kind: CertificationKind
    number: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    valid_until: date | None = None


class ProductCreate(Strict):
    name: Name
    category: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] | None = None
    price_idr: Annotated[int, Field(ge=0)] | None = None
    monthly_capacity: Annotated[int, Field(ge=0)] | None = None


class IkmCreate(Strict):
    nib: str | None = Field(default=None, description="13-digit business identification number; optional")
    name: Name
    owner: OwnerCreate
    sector: Sector
    local_label: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] | None = None
    kbli: str | None = None
    regency_code: str
    district_code: str
    village_code: str
    address: Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)] | None = None
    sentra_id: uuid.UUID | None = None
    workers: Annotated[int, Field(ge=1, le=100_000)]
    investment_idr: Annotated[int, Field(ge=0)] | None = None
    certifications: list[CertificationCreate] = []
    needs: list[Need] = []
    needs_accessible_booth: bool = False
    products: Annotated[list[ProductCreate], Field(max_length=100)] = []

    @field_validator("nib")
    @classmethod
    def _nib(cls, v: str | None) -> str | None:
        return None if v is None or not v.strip() else _digits(v, 13, "NIB", "NIB")

    @field_validator("kbli")
    @classmethod
    def _kbli(cls, v: str | None) -> str | None:
        return None if v is None or not v.strip() else _digits(v, 5, "KBLI", "KBLI")


class OwnerPublic(BaseModel):
    name: str
    nik: str
    phone: str | None
    gender: str | None
    masked: bool = Field(description="true when personal data is hidden for the caller's roles")


class ProductPublic(BaseModel):
    id: uuid.UUID
    name: str
    category: str | None
    price_idr: int | None
    monthly_capacity: int | None


class CertificationPublic(BaseModel):
    kind: str
    number: str
    valid_until: date | None


class TimelineEntryPublic(BaseModel):
    event_type: str
    occurred_at: datetime
    summary: str
    summary_en: str
    details: dict[str, object]


class IkmSummary(BaseModel):
    id: uuid.UUID
    nib: str | None
    name: str
    sector: str
    regency_code: str
    district_code: str
    village_code: str
    sentra_id: uuid.UUID | None
    workers: int
    status: str


class IkmPublic(IkmSummary):
    owner: OwnerPublic
    local_label: str | None
    kbli: str | None
    address: str | None
    investment_idr: int | None
    needs: list[str]
    needs_accessible_booth: bool
    certifications: list[CertificationPublic]
    products: list[ProductPublic]
    timeline: list[TimelineEntryPublic]
    created_at: datetime


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


class Created(BaseModel):
    id: uuid.UUID


class UserCreate(Strict):
    username: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=64,
                                               pattern=r"^[a-z0-9._-]+$")]
    password: Annotated[str, StringConstraints(min_length=10, max_length=200)]
    full_name: Name
    roles: Annotated[list[Literal[ROLES]], Field(min_length=1)]  # type: ignore[valid-type]


class UserPublic(BaseModel):
    username: str
    full_name: str
    roles: list[str]


class Token(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"


class SentraCreate(Strict):
    name: Name
    kind: Literal["official", "candidate", "informal"] = "informal"
    sector: Sector
    regency_code: str
    district_code: str | None = None
    village_code: str | None = None
    decree_number: str | None = None
    decree_date: date | None = None


class SentraPublic(BaseModel):
    id: uuid.UUID
    name: str
    kind: str
    sector: str
    regency_code: str
    district_code: str | None
    village_code: str | None
    members: int
    below_minimum: bool = Field(description="a sentra needs at least 5 IKM (PP 29/2018)")


class RegionPublic(BaseModel):
    code: str
    parent_code: str | None
    name: str
    level: str
    added: bool = False


class VillageCreate(Strict):
    code: Annotated[str, StringConstraints(pattern=r"^\d{10}$")]
    district_code: Annotated[str, StringConstraints(pattern=r"^\d{7}$")]
    name: Name
