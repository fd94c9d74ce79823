"""A floor plan as a CSV file (docs/exhibitions.md): one booth a row, the columns of the JSON booth
(`BoothCreate`), checked by the same validators. Pure: bytes in, booths or a 4xx `ApiError` out.

Row numbers are the ones a spreadsheet shows (the header is row 1). Made for spreadsheets saved in an
Indonesian locale too: `;` as the separator, a decimal comma (2,5), `ya`/`tidak`, Indonesian column names."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from exhibitions.schemas import MAX_BOOTHS, BoothCreate
from shared.csvfile import UnreadableCsv, read_csv_rows
from shared.errors import ApiError, FieldError, validation_errors

TEMPLATE = Path(__file__).resolve().parent / "data" / "floorplan-template.csv"
COLUMNS = ("code", "hall", "zone", "sectors", "width_m", "depth_m", "x", "y", "kind", "accessible", "power_w",
           "price_idr")
REQUIRED = ("code", "hall", "zone")
MAX_ROWS = MAX_BOOTHS
ALIASES = {"kode": "code", "kode_stan": "code", "gedung": "hall", "aula": "hall", "zona": "zone",
           "sektor": "sectors", "lebar_m": "width_m", "panjang_m": "width_m", "kedalaman_m": "depth_m",
           "dalam_m": "depth_m", "jenis": "kind", "akses": "accessible", "aksesibel": "accessible",
           "daya_w": "power_w", "listrik_w": "power_w", "harga_idr": "price_idr", "harga": "price_idr"}
KIND_WORDS = {"standar": "standard", "sudut": "corner", "pulau": "island", "ruang_kosong": "space_only"}
YES_NO = {"ya": "true", "tidak": "false", "y": "true", "t": "false"}
SECTOR_SEPARATORS = re.compile(r"[;|,]")
DECIMAL_COMMA = re.compile(r"-?\d+,\d+")
THOUSANDS = re.compile(r"\d{1,3}([.,]\d{3})+")
FLOAT_COLUMNS = ("width_m", "depth_m", "x", "y")
INT_COLUMNS = ("power_w", "price_idr")


def _bad_file(message: str, message_en: str, errors: list[FieldError] | None = None,
              status: int = 422) -> ApiError:
    return ApiError(status, "bad_floorplan_file", message, message_en, errors)


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.strip().lower()).strip("_")


def read_floorplan_csv(content: bytes) -> tuple[list[int], list[BoothCreate]]:
    """The booths of an uploaded floor plan and the row each came from. Every row is checked; any
    problem rejects the whole file with 422 naming each row and column. Rows are read one at a time
    and every line after the header counts toward `MAX_ROWS`, blank ones too, so a file of blank
    lines is refused at the bound instead of being held."""
    table = _table(content)
    columns = _header(next(table))
    lines: list[int] = []
    booths: list[BoothCreate] = []
    errors: list[FieldError] = []
    for line, cells in enumerate(table, start=2):
        if line - 1 > MAX_ROWS:
            raise _bad_file(f"Terlalu banyak baris: paling banyak {MAX_ROWS:,} stan per berkas (baris kosong ikut "
                            "dihitung).", f"Too many rows: at most {MAX_ROWS:,} booths per file (blank lines "
                            "count too).", status=413)
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > len(columns) and any(c.strip() for c in cells[len(columns):]):
            errors.append(FieldError(field=f"{line}", message=f"Baris {line}: ada lebih banyak sel daripada judul "
                                     "kolom.", message_en=f"Row {line}: more cells than column names."))
            continue
        values = {name: cells[i].strip() for i, name in enumerate(columns) if i < len(cells) and cells[i].strip()}
        try:
            booth = BoothCreate.model_validate(_typed(values))
        except ValidationError as exc:
            errors.extend(_row_errors(line, validation_errors(exc.errors())))
            continue
        lines.append(line)
        booths.append(booth)
    if errors:
        raise _bad_file("Denah tidak dapat dimuat: perbaiki baris-baris berikut. Tidak ada stan yang disimpan.",
                        "The floor plan cannot be loaded: fix the rows below. No booth was saved.", errors)
    if not booths:
        raise _bad_file("Berkas hanya berisi judul kolom, tanpa stan.", "The file has a header but no booths.")
    return lines, booths


def _table(content: bytes) -> Iterator[list[str]]:
    if not content.strip():
        raise _bad_file("Berkas kosong.", "The file is empty.")
    if b"\x00" in content[:4096] or content[:4] == b"PK\x03\x04":
        raise _bad_file("Berkas ini bukan CSV; simpan denah sebagai CSV (UTF-8).",
                        "This file is not a CSV; save the floor plan as CSV (UTF-8).", status=415)
    try:
        rows = read_csv_rows(content)
    except UnreadableCsv as exc:
        raise _bad_file(exc.message, exc.message_en, status=exc.status) from exc
    return _unreadable_as_bad_file(rows)


def _unreadable_as_bad_file(rows: Iterator[list[str]]) -> Iterator[list[str]]:
    """A row the csv module cannot read, met mid-file, refuses the file like a bad header does."""
    try:
        yield from rows
    except UnreadableCsv as exc:
        raise _bad_file(exc.message, exc.message_en, status=exc.status) from exc


def _header(cells: list[str]) -> list[str]:
    columns: list[str] = []
    errors: list[FieldError] = []
    for position, cell in enumerate(cells, start=1):
        key = _key(cell)
        name = ALIASES.get(key, key)
        if not key:
            name = f"__blank_{position}"
        elif name not in COLUMNS:
            errors.append(FieldError(field="header", message=f"Kolom {position} ({cell.strip()[:40]}) tidak dikenal.",
                                     message_en=f"Column {position} ({cell.strip()[:40]}) is unknown."))
        elif name in columns:
            errors.append(FieldError(field="header", message=f"Kolom {name} muncul dua kali.",
                                     message_en=f"Column {name} appears twice."))
        columns.append(name)
    errors.extend(FieldError(field="header", message=f"Kolom wajib {name} tidak ada.",
                             message_en=f"The required column {name} is missing.")
                  for name in REQUIRED if name not in columns)
    if errors:
        raise _bad_file("Judul kolom tidak sesuai templat denah.", "The column names do not match the floor plan "
                        "template.", errors)
    return columns


def _typed(values: dict[str, str]) -> dict[str, Any]:
    """Cells as the JSON booth would hold them; what cannot be read is left for the validators to name."""
    out: dict[str, Any] = {k: v for k, v in values.items() if not k.startswith("__blank_")}
    if "sectors" in out:
        out["sectors"] = [s.strip().lower() for s in SECTOR_SEPARATORS.split(out["sectors"]) if s.strip()]
    for name in FLOAT_COLUMNS:
        if name in out and DECIMAL_COMMA.fullmatch(out[name]):
            out[name] = out[name].replace(",", ".")
    for name in INT_COLUMNS:
        if name in out and THOUSANDS.fullmatch(out[name]):
            out[name] = re.sub(r"[.,]", "", out[name])
    if "kind" in out:
        kind = _key(out["kind"])
        out["kind"] = KIND_WORDS.get(kind, kind)
    if "accessible" in out:
        answer = out["accessible"].lower()
        out["accessible"] = YES_NO.get(answer, answer)
    return out


def _row_errors(line: int, errors: list[FieldError]) -> list[FieldError]:
    """Validator errors named by row and column (a sector's position in its cell is dropped)."""
    out: list[FieldError] = []
    for err in errors:
        column = err.field.split(".")[0]
        out.append(FieldError(field=f"{line}.{column}", message=f"Baris {line}, kolom {column}: {err.message}",
                              message_en=f"Row {line}, column {column}: {err.message_en}"))
    return out


def template() -> str:
    """The template organisers fill in: the header and two example booths."""
    return TEMPLATE.read_text(encoding="utf-8")
