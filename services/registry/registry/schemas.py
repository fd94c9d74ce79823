"""Registry API models: what comes in (`*Create`) and what goes out (`*Public`), never a table."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime
from typing import Annotated, Generic, Literal, TypeVar, get_args

from pydantic import (
    BaseModel,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from shared.bounds import DbInt
from shared.domain import Sector
from shared.errors import FieldError, field_error
from shared.text import Input, VisibleName

Need = Literal["capital", "market_access", "machinery", "training", "certification", "raw_material",
               "packaging", "digital_marketing"]
Needs = Annotated[list[Need], Field(max_length=len(get_args(Need)))]  # each need at most once
CertificationKind = Literal["halal", "pirt", "bpom_md", "sni", "hki", "competency", "other"]
IkmStatus = Literal["active", "inactive", "closed"]
# The legal forms a kabupaten's list uses; `perorangan` is a household business without a legal entity.
BusinessForm = Literal["perorangan", "ud", "cv", "pt", "firma", "koperasi", "lainnya"]
KbliVersion = Literal["2020", "2025"]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), VisibleName]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Rupiah = Annotated[int, Field(ge=0, le=10**15)]
Year = Annotated[int, Field(ge=1900, le=2100)]

T = TypeVar("T")
_DIGITS = re.compile(r"[0-9]+")  # ASCII only: \d also takes full-width and Arabic-Indic digits
_PHONE = re.compile(r"(\+62|62|0)[0-9]{8,13}")


def _digits(value: str, length: int, what: str, what_en: str) -> str:
    value = value.strip()
    if not _DIGITS.fullmatch(value) or len(value) != length:
        raise field_error(f"{what} harus {length} digit angka (diisi {len(value)} karakter).",
                          f"{what_en} must be {length} digits ({len(value)} characters given).")
    return value



class OwnerCreate(Input):
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


class CertificationCreate(Input):
    kind: CertificationKind
    number: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    issuer: ShortText | None = Field(default=None, description="who issued it: BPJPH, Dinkes, BPOM, an LSP…")
    valid_until: date | None = None


class ProductCreate(Input):
    name: Name
    category: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] | None = None
    description: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] | None = None
    # Both are INTEGER columns (a product's price in rupiah, units a month): DbInt keeps them storable.
    price_idr: DbInt | None = None
    monthly_capacity: DbInt | None = None


def _nib_value(v: str | None) -> str | None:
    return None if v is None or not v.strip() else _digits(v, 13, "NIB", "NIB")


def _kbli_value(v: str | None) -> str | None:
    return None if v is None or not v.strip() else _digits(v, 5, "KBLI", "KBLI")


class IkmCreate(Input):
    nib: str | None = Field(default=None, description="13-digit business identification number; optional")
    name: Name
    owner: OwnerCreate
    sector: Sector
    local_label: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] | None = None
    kbli: str | None = None
    kbli_version: KbliVersion | None = Field(default=None, description="2020 or 2025; 2020 when a KBLI is given alone")
    business_form: BusinessForm | None = None
    regency_code: str
    district_code: str
    village_code: str
    address: Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)] | None = None
    sentra_id: uuid.UUID | None = None
    workers: Annotated[int, Field(ge=1, le=100_000)]
    investment_idr: Rupiah | None = Field(default=None, description="excluding land and buildings")
    annual_sales_idr: Rupiah | None = None
    koperasi_name: ShortText | None = Field(default=None, description="the koperasi the IKM is a member of")
    status: IkmStatus = "active"
    registered_year: Year | None = Field(default=None, description="year first recorded; this year if not given")
    certifications: Annotated[list[CertificationCreate], Field(max_length=50)] = []
    needs: Needs = []
    needs_accessible_booth: bool = False
    products: Annotated[list[ProductCreate], Field(max_length=100)] = []

    @field_validator("nib")
    @classmethod
    def _nib(cls, v: str | None) -> str | None:
        return _nib_value(v)

    @field_validator("kbli")
    @classmethod
    def _kbli(cls, v: str | None) -> str | None:
        return _kbli_value(v)

    @field_validator("kbli_version")
    @classmethod
    def _kbli_version(cls, v: str | None, info: ValidationInfo) -> str | None:
        if v is not None and "kbli" in info.data and not info.data["kbli"]:
            raise field_error("Versi KBLI diisi tetapi kode KBLI kosong.", "KBLI version given without a KBLI code.")
        return v

    @model_validator(mode="after")
    def _kbli_2020_by_default(self) -> IkmCreate:
        if self.kbli and self.kbli_version is None:
            self.kbli_version = "2020"
        return self


class OwnerUpdate(Input):
    name: Name | None = None
    nik: str | None = None
    phone: str | None = None
    gender: Literal["F", "M"] | None = None

    @field_validator("nik")
    @classmethod
    def _nik(cls, v: str | None) -> str | None:
        return None if v is None else _digits(v, 16, "NIK", "NIK")

    @field_validator("phone")
    @classmethod
    def _phone(cls, v: str | None) -> str | None:
        return OwnerCreate._phone(v)


class IkmUpdate(Input):
    """A partial change: only the fields sent are changed; `null` clears an optional field.
    Certifications, when sent, replace the IKM's list. Products are added with POST .../products."""

    nib: str | None = None
    name: Name | None = None
    owner: OwnerUpdate | None = None
    sector: Sector | None = None
    local_label: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] | None = None
    kbli: str | None = None
    kbli_version: KbliVersion | None = None
    business_form: BusinessForm | None = None
    regency_code: str | None = None
    district_code: str | None = None
    village_code: str | None = None
    address: Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)] | None = None
    sentra_id: uuid.UUID | None = None
    workers: Annotated[int, Field(ge=1, le=100_000)] | None = None
    investment_idr: Rupiah | None = None
    annual_sales_idr: Rupiah | None = None
    koperasi_name: ShortText | None = None
    status: IkmStatus | None = None
    registered_year: Year | None = None
    certifications: Annotated[list[CertificationCreate], Field(max_length=50)] | None = None
    needs: Needs | None = None
    needs_accessible_booth: bool | None = None

    @field_validator("nib")
    @classmethod
    def _nib(cls, v: str | None) -> str | None:
        return _nib_value(v)

    @field_validator("kbli")
    @classmethod
    def _kbli(cls, v: str | None) -> str | None:
        return _kbli_value(v)

    @field_validator("name", "sector", "regency_code", "district_code", "village_code", "workers", "status",
                     "needs", "needs_accessible_booth")
    @classmethod
    def _not_cleared(cls, v: object) -> object:
        if v is None:
            raise field_error("Wajib diisi; tidak boleh dikosongkan.", "Required; it cannot be cleared.")
        return v


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
    description: str | None = None
    price_idr: int | None
    monthly_capacity: int | None


class CertificationPublic(BaseModel):
    kind: str
    number: str
    issuer: str | None
    valid_until: date | None


class SizeClassPublic(BaseModel):
    value: str
    reason: str
    reason_en: str


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
    industry_class: str | None
    umkm_scale: str | None


class IkmPublic(IkmSummary):
    owner: OwnerPublic
    local_label: str | None
    kbli: str | None
    kbli_version: str | None
    business_form: str | None
    address: str | None
    investment_idr: int | None
    annual_sales_idr: int | None
    koperasi_name: str | None
    registered_year: int | None
    industry_class_reason: SizeClassPublic
    umkm_scale_reason: SizeClassPublic | None
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


class ImportStarted(Created):
    """An import queued, with where its table was found and the columns read past."""

    sheet: str | None = Field(description="the worksheet read (a workbook may hold a recap sheet too)")
    header_row: int = Field(description="the line of the column names (under a title block, if any)")
    warnings: list[FieldError] = Field(description="columns read past: unknown, or with no place in the register yet")


DecreeNumber = Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)]
Location = Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)]
Problems = Annotated[list[Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]],
                     Field(max_length=50)]


class SentraCreate(Input):
    name: Name
    kind: Literal["official", "candidate", "informal"] = "informal"
    sector: Sector
    regency_code: str
    district_code: str | None = None
    village_code: str | None = None
    decree_number: DecreeNumber | None = None
    decree_date: date | None = None
    location: Location | None = None
    koperasi_name: ShortText | None = None
    problems: Problems = []
    tourism_village: ShortText | None = Field(default=None, description="the desa wisata it belongs to")


class SentraUpdate(Input):
    """A partial change of a sentra: only the fields sent change; `null` clears an optional one."""

    name: Name | None = None
    kind: Literal["official", "candidate", "informal"] | None = None
    sector: Sector | None = None
    regency_code: str | None = None
    district_code: str | None = None
    village_code: str | None = None
    decree_number: DecreeNumber | None = None
    decree_date: date | None = None
    location: Location | None = None
    koperasi_name: ShortText | None = None
    problems: Problems | None = None
    tourism_village: ShortText | None = None


class SentraPublic(BaseModel):
    id: uuid.UUID
    name: str
    kind: str
    sector: str
    regency_code: str
    district_code: str | None
    village_code: str | None
    decree_number: str | None
    decree_date: date | None
    location: str | None
    koperasi_name: str | None
    problems: list[str]
    tourism_village: str | None
    members: int
    below_minimum: bool = Field(description="a sentra needs at least 5 IKM (PP 29/2018)")
    decree_missing: bool = Field(default=False, description="official, but its decree number or date is not recorded")


class RegionPublic(BaseModel):
    code: str
    parent_code: str | None
    name: str
    level: str
    added: bool = False


class VillageCreate(Input):
    code: Annotated[str, StringConstraints(pattern=r"^[0-9]{10}$")]
    district_code: Annotated[str, StringConstraints(pattern=r"^[0-9]{7}$")]
    name: Name


ImportStatus = Literal["preview", "queued", "running", "done", "failed"]


class ImportSummary(BaseModel):
    id: uuid.UUID
    filename: str
    status: str
    total: int
    processed: int
    accepted: int
    duplicates: int
    rejected: int
    created_by: str
    created_at: datetime
    finished_at: datetime | None


class ImportRowPublic(BaseModel):
    row: int = Field(description="line number in the file (the header is line 1)")
    ikm_id: uuid.UUID | None = Field(description="for a duplicate: the IKM already registered")
    errors: list[FieldError]


class ImportPublic(ImportSummary):
    file_format: str
    error: str | None
    error_en: str | None
    rejected_rows: list[ImportRowPublic]
    duplicate_rows: list[ImportRowPublic]


class AreaCount(BaseModel):
    code: str
    name: str
    ikm: int
    workers: int


class RegencySectorCount(BaseModel):
    regency_code: str
    regency_name: str
    sector: str
    ikm: int
    workers: int


class SentraCount(BaseModel):
    sentra_id: uuid.UUID
    name: str
    kind: str
    ikm: int
    workers: int
    below_minimum: bool
    needs: dict[str, int] = Field(description="how many member IKM name each need")


class CertificationProgress(BaseModel):
    by_kind: dict[str, int] = Field(description="IKM holding at least one certificate of each kind")
    competency_certified: int = Field(description="IKM whose managers hold a competency certificate (LSP)")
    competency_share: float
    competency_target: float
    competency_gap: int = Field(description="IKM still to certify to reach the target")


class YearCount(BaseModel):
    year: int
    registered: int
    cumulative: int
    growth_pct: float | None = Field(description="growth of the register over the year before, in percent")


class MappingStats(BaseModel):
    """Counts cover IKM that are active or inactive; closed ones appear only in `by_status`."""

    total_ikm: int
    workers: int
    by_status: dict[str, int]
    by_regency: list[AreaCount]
    by_regency_sector: list[RegencySectorCount]
    by_district: list[AreaCount]
    by_village: list[AreaCount]
    by_sentra: list[SentraCount]
    by_industry_class: dict[str, int]
    by_umkm_scale: dict[str, int]
    certification: CertificationProgress
    growth: list[YearCount]
