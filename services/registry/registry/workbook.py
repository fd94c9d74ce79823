"""Finding the table in a spreadsheet as an office keeps it: which sheet holds the data, which row
holds the column names (under a title block), a second header row under merged cells (`TENAGA KERJA`
over `L` / `P` / `JML`), the row of column numbers under it, and where the data ends (a `JUMLAH` row,
a signature block). Pure functions over cell values; which names are columns is the caller's
`knows(label)`."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from registry import xlsx_values
from shared.csvfile import UnreadableCsv, read_csv_rows

Rows = list[tuple[int, list[Any]]]  # the non-blank rows, each with its line number

HEADER_SEARCH_ROWS = 40  # a title block is a few lines; a header further down is not a header
# Blank lines are skipped without being kept, but reading them still costs time: a file may hold
# this many lines (blank ones included) for each row it may have, and is refused past them like a
# file of too many rows, instead of a file of millions of blank lines being read to its end.
MAX_LINES_PER_ROW = 20
MIN_HEADER_COLUMNS = 3


@dataclass(frozen=True)
class Sheet:
    name: str | None
    rows: Rows
    truncated: bool = False  # more rows (or lines) than the caller's limit: the rest were not read


def _sheet(name: str | None, rows: Iterable[Iterable[Any]], limit: int, first_line: int = 1) -> Sheet:
    kept: Rows = []
    for line, row in enumerate(rows, start=first_line):
        if line - first_line >= limit * MAX_LINES_PER_ROW:
            return Sheet(name, kept, truncated=True)
        cells = list(row)
        if any(v is not None and str(v).strip() for v in cells):
            if len(kept) == limit:
                return Sheet(name, kept, truncated=True)
            kept.append((line, cells))
    return Sheet(name, kept)


@dataclass(frozen=True)
class Layout:
    """Where the table is: the sheet, the header's line number(s), each column's label as the file
    writes it, the lines above the header, and the data rows (line number, cells)."""

    sheet: str | None
    header_line: int
    labels: tuple[str, ...]
    title: tuple[str, ...]
    rows: Rows
    truncated: bool = False


class UnreadableSheet(ValueError):
    """A file with no table in it; the caller turns it into its 4xx."""


def cell_text(value: Any) -> str:
    """A spreadsheet cell as the text a registrar typed (NIK and NIB stay digits, dates ISO)."""
    if type(value) is str:  # every CSV cell, most XLSX cells
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def is_number_cell(value: Any) -> bool:
    """A cell Excel holds as a number (and so may have rounded, or lost a leading 0)."""
    return type(value) in (int, float)  # not bool, which Excel keeps apart


def _numbered_sheet(name: str, rows: Iterable[tuple[int, list[Any]]], limit: int) -> Sheet:
    kept: Rows = []
    for line, cells in rows:
        if line > limit * MAX_LINES_PER_ROW:  # as `_sheet`: a sheet of millions of empty rows is not read on
            return Sheet(name, kept, truncated=True)
        if any(v is not None and str(v).strip() for v in cells):
            if len(kept) == limit:
                return Sheet(name, kept, truncated=True)
            kept.append((line, cells))
    return Sheet(name, kept)


def read_xlsx_sheets(content: bytes, limit: int) -> list[Sheet]:
    """Every worksheet's non-blank rows (at most `limit` each), typed as Excel keeps them: read from
    the sheet XML (`xlsx_values`), or by openpyxl for a workbook that reader does not handle."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as book:
            return [_numbered_sheet(title, rows, limit) for title, rows in xlsx_values.worksheets(book)]
    except Exception:  # whatever it is, openpyxl reads the file or says it is damaged
        return _openpyxl_sheets(content, limit)


def _openpyxl_sheets(content: bytes, limit: int) -> list[Sheet]:
    from openpyxl import load_workbook  # type: ignore[import-untyped]  # only imports need it

    workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    try:
        return [_sheet(ws.title, ws.iter_rows(min_row=1, values_only=True), limit) for ws in workbook.worksheets]
    finally:
        workbook.close()


def read_csv_sheet(content: bytes, limit: int) -> Sheet:
    """A CSV as Excel saves it (at most `limit` non-blank rows); a title line above the table may
    have no separators at all."""
    try:
        return _sheet(None, read_csv_rows(content), limit)
    except UnreadableCsv:
        head = content[:64 * 1024].splitlines(keepends=True)[:HEADER_SEARCH_ROWS]
        skipped = 0
        while skipped < len(head) and not re.search(rb"[;,\t]", head[skipped]):
            skipped += 1
        if skipped == 0 or skipped == len(head):
            raise
        title = _sheet(None, [[line.decode("utf-8-sig", "replace").strip()] for line in head[:skipped]], limit)
        rest = _sheet(None, read_csv_rows(content[sum(len(line) for line in head[:skipped]):]), limit,
                      first_line=skipped + 1)
        return Sheet(None, title.rows + rest.rows, rest.truncated)


XLSX_ERRORS = (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError, IndexError)


def _texts(row: list[Any]) -> list[str]:
    return [cell_text(v) for v in row]


def _header_score(texts: list[str], knows: Callable[[str], bool]) -> int:
    return sum(1 for t in texts if t and knows(t))


def _is_number(text: str) -> bool:
    return bool(re.fullmatch(r"\(?[0-9]+\)?\.?", text))


def _sub_header(top: list[str], below: list[str]) -> bool:
    """The row under a header is its second line when it holds short words only, at least one of
    them under a cell of the merged span above (whose own cell is empty)."""
    filled = [(i, t) for i, t in enumerate(below) if t]
    if not filled or any(_is_number(t) or len(t) > 30 for _, t in filled):
        return False
    return any(i >= len(top) or not top[i] for i, _ in filled)


def _labels(top: list[str], below: list[str] | None) -> list[str]:
    if below is None:
        return list(top)
    width = max(len(top), len(below))
    labels: list[str] = []
    parent = ""
    for i in range(width):
        own = top[i] if i < len(top) else ""
        sub = below[i] if i < len(below) else ""
        if own:
            parent = own
        elif not sub:
            parent = ""
        labels.append(f"{own or parent} / {sub}" if sub and (own or parent) else own or sub)
    return labels


def is_numbering_row(texts: list[str]) -> bool:
    """The row of column numbers under an office header: 1, 2, 3… (or (1), (2)…)."""
    filled = [t for t in texts if t]
    if len(filled) < MIN_HEADER_COLUMNS or not all(_is_number(t) for t in filled):
        return False
    numbers = [int(re.sub(r"[^0-9]", "", t)) for t in filled]
    return numbers == list(range(numbers[0], numbers[0] + len(numbers))) and numbers[0] in (0, 1)


_TOTALS = {"jumlah", "total", "jumlah total", "grand total", "total keseluruhan", "jumlah keseluruhan", "sub total",
           "subtotal", "jml", "jumlah seluruhnya"}
_SIGNATURE = re.compile(r"^(mengetahui|menyetujui|kepala (dinas|bidang|seksi)|a\.?\s?n\.?\s|plt\.?\s|nip\b|"
                        r"pembina\b|penata\b|dibuat oleh|petugas pendata)|^[a-z .]+,\s*[0-9]{1,2}\s+[a-z]+\s+[0-9]{4}$")


def is_end_of_data(texts: list[str]) -> bool:
    """A `JUMLAH`/`TOTAL` row, or the first line of a signature block: nothing below is data."""
    filled = [t for t in texts if t]
    if any(" ".join(re.sub(r"[^a-z ]", " ", t.lower()).split()) in _TOTALS for t in filled[:3]):
        return True
    return len(filled) <= 3 and any(_SIGNATURE.search(t.lower()) for t in filled)


def find_layout(sheets: list[Sheet], knows: Callable[[str], bool]) -> Layout:
    """The sheet whose header names the most known columns (a recap sheet names fewer), then more rows."""
    best: tuple[tuple[int, int], Layout] | None = None
    for sheet in sheets:
        layout = _sheet_layout(sheet, knows)
        if layout is None:
            continue
        score = (_header_score(list(layout.labels), knows), len(layout.rows))
        if best is None or score > best[0]:
            best = (score, layout)
    if best is None:
        raise UnreadableSheet("no header row")
    return best[1]


def _data_rows(rows: Rows) -> Rows:
    """The rows up to a totals row or a signature block."""
    for index, (_, row) in enumerate(rows):
        # The first four cells with anything in them tell a totals row or a signature line.
        if is_end_of_data(_texts([v for v in row if v is not None and v != ""][:4])):
            return rows[:index]
    return rows


def _sheet_layout(sheet: Sheet, knows: Callable[[str], bool]) -> Layout | None:
    """The header is the row among the first ones that names the most known columns; with none
    (a file of unknown columns), the first row, so that the caller can say what is wrong with it."""
    if not sheet.rows:
        return None
    texts = [_texts(row) for _, row in sheet.rows[:HEADER_SEARCH_ROWS]]
    scores = [_header_score(t, knows) for t in texts]
    at = scores.index(max(scores)) if max(scores) >= MIN_HEADER_COLUMNS else 0
    below = texts[at + 1] if at + 1 < len(texts) else None
    second = below if below is not None and _sub_header(texts[at], below) else None
    start = at + (2 if second is not None else 1)
    if start < len(sheet.rows) and is_numbering_row(_texts(sheet.rows[start][1])):
        start += 1
    rows = _data_rows(sheet.rows[start:])
    title = tuple(" ".join(t for t in row if t) for row in texts[:at])
    return Layout(sheet.name, sheet.rows[at][0], tuple(_labels(texts[at], second)), title, rows, sheet.truncated)
