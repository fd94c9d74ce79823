"""An import's preview and mapping before anything is written (docs/import-format.md, "Preview and
mapping"): a file not in the template's format waits in status `preview`; the registrar sees the
table chosen, each column's proposed field, the values the import cannot read and the first rows as
they would be stored, corrects columns and maps values, and starts it. Operations on a `Session`
like `service`'s; `build_preview` is the pure part."""

from __future__ import annotations

import functools
import threading
import uuid
from collections import Counter, OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from registry import import_format, mapping_profiles, service
from registry.headers import header_key
from registry.import_format import ImportFile, Sheets, read_sheets, read_table
from registry.import_mapping import SECTOR_SOURCES, Mapping, value_key
from registry.import_schemas import (
    MAPPABLE_FIELDS,
    ColumnPreview,
    ImportPreview,
    MappingUpdate,
    PreviewRow,
    ValueCount,
)
from registry.office_rows import PERSONAL
from registry.regions import bps_regions
from registry.rules import mask_address, mask_nik, mask_phone, may_see_personal_data
from registry.schemas import IkmCreate
from registry.tables import ImportJob
from shared.auth import Principal
from shared.domain import SECTORS
from shared.errors import ApiError, FieldError, invalid, not_found
from shared.events import utcnow

SAMPLE_ROWS = 10
UNRESOLVED_SHOWN = 20
# How sure the proposal is, by where it comes from (a registrar's choice, or the template's own name, is sure).
CONFIDENCE = {"template": 1.0, "mapping": 1.0, "alias": 0.95, "office": 0.9}

Parse = Callable[[dict[str, str]], "IkmCreate | service.RowOutcome"]


class _RecentSheets:
    """The worksheets of the last few files put in preview, as read at upload: reading a large
    workbook is most of a preview's time, and the preview, each correction and the start follow the
    upload within minutes. Per process and bounded; a miss (another process, an old preview) reads
    the file again."""

    def __init__(self, size: int = 2) -> None:
        self._size = size
        self._items: OrderedDict[uuid.UUID, Sheets] = OrderedDict()
        self._lock = threading.Lock()

    def put(self, job_id: uuid.UUID, sheets: Sheets) -> None:
        with self._lock:
            self._items[job_id] = sheets
            while len(self._items) > self._size:
                self._items.popitem(last=False)

    def get(self, job_id: uuid.UUID) -> Sheets | None:
        with self._lock:
            return self._items.get(job_id)

    def drop(self, job_id: uuid.UUID) -> None:
        with self._lock:
            self._items.pop(job_id, None)


RECENT = _RecentSheets()


@dataclass(frozen=True)
class Received:
    job: ImportJob
    parsed: ImportFile
    profile: str | None


def regency_problem(code: str | None, field: str) -> ApiError | None:
    region = bps_regions().get(code) if code else None
    if code is None or (region is not None and len(code) == 4):
        return None
    return invalid(field, f"Kode kabupaten/kota {code!r} tidak dikenal.", f"Unknown regency code {code!r}.")


def receive(session: Session, filename: str, content: bytes, max_rows: int, principal: Principal,
            run_now: bool, regency_code: str | None) -> Received:
    """An upload read with the proposed mapping (a saved profile for these columns, else the names),
    queued when it is in the template's format or `run_now`, else kept in status `preview`. A file
    that runs now and cannot be read as proposed is refused with every problem at once."""
    problem = regency_problem(regency_code, "regency_code")
    if problem is not None:
        raise problem
    sheets = read_sheets(content, filename, max_rows)
    parsed = read_table(sheets, max_rows, None, regency_code, strict=False)
    profile = mapping_profiles.proposed(session, parsed.columns_key)
    mapping = Mapping.from_json(profile.mapping) if profile is not None else Mapping()
    if mapping:
        parsed = read_table(sheets, max_rows, mapping, regency_code, strict=False)
    run_now = run_now or parsed.in_template_format
    if run_now and parsed.problems:
        read_table(sheets, max_rows, mapping, regency_code)  # raises the file's 422, naming every problem
    job = service.create_import(session, filename, content, parsed, principal)
    job.regency_code = regency_code
    job.mapping = {**mapping.to_json(), "profile": profile.name} if profile is not None else None
    if not run_now:
        job.status = "preview"
        RECENT.put(job.id, sheets)
    return Received(job, parsed, profile.name if profile is not None else None)


def _job_in_preview(session: Session, import_id: uuid.UUID) -> ImportJob:
    job = session.get(ImportJob, import_id)
    if job is None:
        raise not_found("Impor", "Import")
    if job.status != "preview" or job.content is None:
        raise ApiError(409, "import_not_in_preview", f"Impor ini tidak lagi dalam pratinjau (status {job.status}).",
                       f"This import is no longer in preview (status {job.status}).")
    return job


def _read(job: ImportJob, max_rows: int, strict: bool, sheets: Sheets | None = None) -> tuple[Sheets, ImportFile]:
    assert job.content is not None  # _job_in_preview checked it
    sheets = sheets or RECENT.get(job.id) or read_sheets(job.content, job.filename, max_rows)
    return sheets, read_table(sheets, max_rows, Mapping.from_json(job.mapping), job.regency_code, strict=strict)


def preview(session: Session, import_id: uuid.UUID, max_rows: int, principal: Principal,
            sheets: Sheets | None = None) -> ImportPreview:
    job = _job_in_preview(session, import_id)
    _, parsed = _read(job, max_rows, strict=False, sheets=sheets)
    parse: Parse = functools.partial(service.parse_row, sentra_ids=service.sentra_ids_by_name(session),
                                     places=service.region_places(session), labels=parsed.labels)
    columns, rows, ready = build_preview(parsed, parse, may_see_personal_data(principal))
    return ImportPreview(
        id=job.id, filename=job.filename, status="preview", sheet=parsed.sheet, header_row=parsed.header_line,
        regency_code=job.regency_code, profile=(job.mapping or {}).get("profile"), total=len(parsed.rows),
        ready=ready, columns=columns, rows=rows, problems=list(parsed.problems), warnings=list(parsed.warnings),
        fields=list(MAPPABLE_FIELDS))


def set_mapping(session: Session, import_id: uuid.UUID, update: MappingUpdate, max_rows: int,
                principal: Principal) -> Sheets:
    """Put a registrar's corrections on an import in preview (and save them as a profile when asked);
    returns the file's sheets, read, for the preview that follows."""
    job = _job_in_preview(session, import_id)
    sheets, parsed = _read(job, max_rows, strict=False)
    problem = regency_problem(update.regency_code, "regency_code")
    if problem is not None:
        raise problem
    mapping = Mapping.from_json(job.mapping).merged(choices(update, [label for label, _, _ in parsed.uses]))
    fields = {label: name for label, name, _ in parsed.uses} | dict(mapping.columns)
    errors = [FieldError(field=f"values.{i}.to", message=f"Subsektor tidak dikenal: {choice.to!r}; pilih salah satu "
                         f"dari: {', '.join(sorted(SECTORS))}.", message_en=f"Unknown subsector: {choice.to!r}; "
                         f"choose one of: {', '.join(sorted(SECTORS))}.")
              for i, choice in enumerate(update.values)
              if _field_of(choice.column, fields) in SECTOR_SOURCES and choice.to.lower() not in SECTORS]
    if errors:
        raise ApiError(422, "invalid_input", "Data tidak valid.", "Invalid data.", errors)
    profile = (job.mapping or {}).get("profile")
    if update.save_as is not None:
        mapping_profiles.save(session, update.save_as, parsed.columns_key, mapping, principal)
        profile = update.save_as
    # A new dict, not one changed in place: the JSON column notices only an assignment.
    job.mapping = {**mapping.to_json(), "profile": profile}
    if update.regency_code is not None:
        job.regency_code = update.regency_code
    job.updated_at = utcnow()
    session.add(job)
    return sheets


def _field_of(column: str, fields: dict[str, str | None]) -> str | None:
    label = _label_in(column, fields)
    return fields.get(label) if label is not None else None


def _label_in(column: str, labels: dict[str, Any] | list[str]) -> str | None:
    """The file's own name of a column a registrar wrote (case and punctuation ignored)."""
    if column in labels:
        return column
    key = header_key(column)
    return next((label for label in labels if header_key(label) == key), None)


def choices(update: MappingUpdate, labels: list[str]) -> Mapping:
    """A registrar's corrections as a mapping, each column named as the file writes it; a column the
    file does not have is a 422 naming it."""
    errors: list[FieldError] = []
    columns: dict[str, str | None] = {}
    values: dict[str, dict[str, str]] = {}
    for i, column_choice in enumerate(update.columns):
        label = _label_in(column_choice.column, labels)
        if label is None:
            errors.append(_no_column(f"columns.{i}.column", column_choice.column))
        else:
            columns[label] = column_choice.field
    for i, value_choice in enumerate(update.values):
        label = _label_in(value_choice.column, labels)
        if label is None:
            errors.append(_no_column(f"values.{i}.column", value_choice.column))
        else:
            values.setdefault(label, {})[value_key(value_choice.value)] = value_choice.to
    if errors:
        raise ApiError(422, "invalid_input", "Data tidak valid.", "Invalid data.", errors)
    return Mapping(columns, values)


def _no_column(field: str, column: str) -> FieldError:
    return FieldError(field=field, message=f"Berkas tidak memiliki kolom {column[:60]!r}; tulis nama kolom seperti "
                      "pada pratinjau.", message_en=f"The file has no column {column[:60]!r}; write the column's "
                      "name as the preview lists it.")


def start(session: Session, import_id: uuid.UUID, max_rows: int) -> tuple[ImportJob, ImportFile]:
    """Queue an import in preview with its mapping, or refuse it (422) with every problem left."""
    job = _job_in_preview(session, import_id)
    _, parsed = _read(job, max_rows, strict=True)
    RECENT.drop(job.id)
    job.status, job.total = "queued", len(parsed.rows)
    job.updated_at = utcnow()
    session.add(job)
    return job, parsed


# --- the preview itself (pure) -------------------------------------------------------------------


def build_preview(parsed: ImportFile, parse: Parse, show_personal: bool,
                  sample: int = SAMPLE_ROWS) -> tuple[list[ColumnPreview], list[PreviewRow], int]:
    """Every row read as the import would read it: each column with its problems counted and its
    unreadable values listed, the first `sample` rows as they would be stored, and the rows ready."""
    field_of = {label: name for label, name, _ in parsed.uses}
    problems: Counter[str] = Counter()
    unresolved: dict[str, Counter[str]] = {}
    rows: list[PreviewRow] = []
    ready = 0
    for number, values in parsed.rows:
        result = parse(values)
        if isinstance(result, IkmCreate):
            ready += 1
            if len(rows) < sample:
                rows.append(PreviewRow(row=number, ikm=_stored(result, show_personal), errors=[]))
            continue
        _count(result.errors, values, parsed.labels, field_of, problems, unresolved)
        if len(rows) < sample:
            rows.append(PreviewRow(row=number, ikm=None,
                                   errors=[FieldError.model_validate(e)
                                           for e in import_format.row_errors(list(result.errors), parsed.labels)]))
    columns = []
    for position, (label, name, source) in enumerate(parsed.uses, start=1):
        counted = unresolved.get(label, Counter())
        columns.append(ColumnPreview(
            position=position, column=label, field=name, confidence=CONFIDENCE.get(source, 0.0) if name else 0.0,
            source=source, problems=problems[label],
            unresolved=[ValueCount(value=v, rows=n) for v, n in counted.most_common(UNRESOLVED_SHOWN)],
            unresolved_more=max(0, len(counted) - UNRESOLVED_SHOWN)))
    return columns, rows, ready


def _count(errors: tuple[FieldError, ...], values: dict[str, str], labels: dict[str, str],
           field_of: dict[str, str | None], problems: Counter[str], unresolved: dict[str, Counter[str]]) -> None:
    """Count a refused row once against each column it has a problem in, and keep the value as typed
    (never personal data)."""
    for label in {labels.get(import_format.column_of(err.field)) for err in errors} - {None}:
        assert label is not None
        problems[label] += 1
        name = field_of.get(label)
        typed = values.get(name, "") if name else ""
        if typed and name not in PERSONAL:
            unresolved.setdefault(label, Counter())[typed] += 1


def _stored(data: IkmCreate, show_personal: bool) -> dict[str, Any]:
    body = data.model_dump(mode="json", exclude_none=True)
    if not show_personal:
        owner = body.get("owner", {})
        owner["nik"] = mask_nik(owner.get("nik", ""))
        owner["phone"] = mask_phone(owner.get("phone"))
        body["address"] = mask_address(body.get("address"))
    return body
