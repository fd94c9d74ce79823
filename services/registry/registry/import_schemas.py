"""API models of an import's preview and mapping (docs/import-format.md, "Preview and mapping")."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints, field_validator

from registry.headers import OFFICE_FIELDS
from registry.import_format import COLUMN_NAMES
from registry.schemas import ImportStarted, ImportStatus
from shared.errors import FieldError, field_error
from shared.text import Input, VisibleName

# The fields a column may be mapped to: the template's, and those only an office workbook has.
MAPPABLE_FIELDS = (*COLUMN_NAMES, *OFFICE_FIELDS)

ColumnName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
CellText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class ImportAnswer(ImportStarted):
    """An import received: queued (it runs now), or waiting in `preview` for its mapping."""

    status: ImportStatus
    profile: str | None = Field(default=None, description="the saved mapping proposed for these columns, if any")


class ValueCount(BaseModel):
    value: str = Field(description="the value as typed in the file")
    rows: int = Field(description="rows holding it")


class ColumnPreview(BaseModel):
    position: int = Field(description="1 for the first column")
    column: str = Field(description="the column's name as the file writes it (two-row headers joined with ' / ')")
    field: str | None = Field(description="the field it is read into; null when left out")
    confidence: float = Field(description="1 when set by a registrar or the template's own name; lower for "
                                          "aliases and office names; 0 for a column nothing proposes")
    source: str = Field(description="template, alias, office, mapping (set by a registrar or a profile), "
                                    "not_stored, row_number, unknown or blank")
    problems: int = Field(description="rows whose value in this column cannot be read or is refused")
    unresolved: list[ValueCount] = Field(description="distinct values that cannot be read, most frequent first "
                                                     "(never shown for personal data)")
    unresolved_more: int = Field(description="further distinct unresolved values not listed")


class PreviewRow(BaseModel):
    row: int = Field(description="line number in the file")
    ikm: dict[str, Any] | None = Field(description="the IKM as it would be stored (personal data masked for a "
                                                   "role that may not see it); null when the row would be refused")
    errors: list[FieldError]


class ImportPreview(BaseModel):
    id: uuid.UUID
    filename: str
    status: ImportStatus
    sheet: str | None
    header_row: int
    regency_code: str | None = Field(description="the kabupaten given with the upload or the mapping")
    profile: str | None = Field(description="the saved mapping proposed for these columns, if any")
    total: int = Field(description="data rows in the file")
    ready: int = Field(description="rows that would be read without a problem (duplicates are found at the run)")
    columns: list[ColumnPreview]
    rows: list[PreviewRow] = Field(description="the first rows as they would be stored")
    problems: list[FieldError] = Field(description="what refuses the file until the mapping is corrected")
    warnings: list[FieldError]
    fields: list[str] = Field(description="every field a column may be mapped to")


class ColumnChoice(Input):
    column: ColumnName = Field(description="the column's name as the preview lists it")
    field: str | None = Field(description="the field it holds; null to leave the column out")

    @field_validator("field")
    @classmethod
    def _known_field(cls, value: str | None) -> str | None:
        if value is not None and value not in MAPPABLE_FIELDS:
            raise field_error(f"Bidang tidak dikenal; pilih salah satu dari daftar 'fields' pratinjau: {value!r}.",
                              f"Unknown field; choose one of the preview's 'fields': {value!r}.")
        return value


class ValueChoice(Input):
    column: ColumnName = Field(description="the column's name as the preview lists it")
    value: CellText = Field(description="the value as typed (case and spacing ignored)")
    to: CellText = Field(description="what to read instead; for KOMODITI / PRODUK, KBLI or SEKTOR, a sector code")


class MappingUpdate(Input):
    columns: list[ColumnChoice] = Field(default_factory=list, max_length=200)
    values: list[ValueChoice] = Field(default_factory=list, max_length=2000)
    regency_code: Annotated[str, StringConstraints(pattern=r"^[0-9]{4}$")] | None = Field(
        default=None, description="the kabupaten, for a file that names it in neither its title nor a column")
    save_as: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100),
                       VisibleName] | None = Field(
        default=None, description="save the whole mapping under this name, proposed again for a file with the same "
                                  "columns (a profile of that name is replaced)")
