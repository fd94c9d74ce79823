"""CSV as spreadsheets read and write it: the one reader for every upload (a kabupaten's import, a
fair's floor plan) and the one writer for every CSV the project writes (the register's and the
exhibitor list's exports, the CLI's rejection list, the demo import file), which keeps a spreadsheet
from running a cell as a formula."""

from __future__ import annotations

import codecs
import csv
import io
import itertools
from collections.abc import Iterable, Iterator
from typing import TextIO

# A cell is text, or a number written as a number; None is an empty cell (as csv.writer writes it).
Cell = str | int | float | None

# What makes Excel, LibreOffice and Google Sheets read a text cell as a formula (OWASP, "CSV
# Injection"); tab and carriage return because a spreadsheet strips them and reads what follows.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A header line longer than this is not a header (the import's 33 columns take under 1,000).
MAX_HEADER_CHARS = 64 * 1024


class UnreadableCsv(ValueError):
    """Why a file cannot be read as CSV, in both languages; the caller turns it into its 4xx."""

    def __init__(self, message: str, message_en: str, status: int = 422) -> None:
        super().__init__(message_en)
        self.message = message
        self.message_en = message_en
        self.status = status


def read_csv_rows(content: bytes) -> Iterator[list[str]]:
    """The rows of a CSV file: UTF-8 (with or without BOM) or Excel-on-Windows cp1252, separated by
    whatever the header line uses most of `;`, `,` or tab (Excel in an Indonesian locale saves `;`).

    Read lazily: the header is checked now, each further row is decoded and split only when the
    caller asks for it, so a file of blank lines costs no memory beyond its bytes (the caller bounds
    how many rows it reads). A row the csv module cannot read raises `UnreadableCsv` when reached."""
    if b"\x00" in content[:4096]:
        raise UnreadableCsv("Berkas ini bukan CSV yang dapat dibaca.", "This file is not a readable CSV.", status=415)
    text = io.TextIOWrapper(io.BytesIO(content), encoding=_encoding(content), errors="replace", newline="")
    first_line = text.readline(MAX_HEADER_CHARS)
    delimiter = max((";", ",", "\t"), key=first_line.count)
    if first_line.count(delimiter) == 0:
        raise UnreadableCsv("Baris pertama harus berisi judul kolom yang dipisah koma atau titik koma.",
                            "The first line must hold the column names, separated by commas or semicolons.")
    if len(first_line) == MAX_HEADER_CHARS:
        raise UnreadableCsv(f"Baris judul kolom terlalu panjang (lebih dari {MAX_HEADER_CHARS:,} karakter).",
                            f"The header line is too long (over {MAX_HEADER_CHARS:,} characters).")
    return _rows(itertools.chain([first_line], text), delimiter)


def _encoding(content: bytes) -> str:
    """UTF-8 when the whole file decodes as UTF-8, else cp1252; checked a slice at a time, so the
    check holds no decoded copy of the file."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    view, step = memoryview(content), 256 * 1024
    try:
        for start in range(0, len(content), step):
            decoder.decode(view[start:start + step], final=start + step >= len(content))
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8-sig"


def _rows(lines: Iterator[str], delimiter: str) -> Iterator[list[str]]:
    try:
        yield from csv.reader(lines, delimiter=delimiter)
    except csv.Error as exc:
        raise UnreadableCsv(f"CSV tidak dapat dibaca: {exc}.", f"The CSV cannot be read: {exc}.") from exc


def neutralise_cell(value: Cell) -> Cell:
    """A text cell that a spreadsheet would run as a formula, with a single quote before it (OWASP):
    the spreadsheet shows the text and runs nothing. Numbers pass as they are: a negative amount
    written as an int is a number, not text, and cannot hold a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class CsvWriter:
    """`csv.writer` whose every cell goes through `neutralise_cell`: the way the project writes CSV."""

    def __init__(self, out: TextIO, lineterminator: str = "\r\n") -> None:
        self._writer = csv.writer(out, lineterminator=lineterminator)

    def writerow(self, row: Iterable[Cell]) -> None:
        self._writer.writerow([neutralise_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Cell]]) -> None:
        for row in rows:
            self.writerow(row)
