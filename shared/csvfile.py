"""Reading a CSV file as a spreadsheet saves it: the one reader for every upload (a kabupaten's
import, a fair's floor plan)."""

from __future__ import annotations

import csv
import io


class UnreadableCsv(ValueError):
    """Why a file cannot be read as CSV, in both languages; the caller turns it into its 4xx."""

    def __init__(self, message: str, message_en: str, status: int = 422) -> None:
        super().__init__(message_en)
        self.message = message
        self.message_en = message_en
        self.status = status


def read_csv_rows(content: bytes) -> list[list[str]]:
    """The rows of a CSV file: UTF-8 (with or without BOM) or Excel-on-Windows cp1252, separated by
    whatever the header line uses most of `;`, `,` or tab (Excel in an Indonesian locale saves `;`)."""
    if b"\x00" in content[:4096]:
        raise UnreadableCsv("Berkas ini bukan CSV yang dapat dibaca.", "This file is not a readable CSV.", status=415)
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252", errors="replace")
    first_line = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first_line.count)
    if first_line.count(delimiter) == 0:
        raise UnreadableCsv("Baris pertama harus berisi judul kolom yang dipisah koma atau titik koma.",
                            "The first line must hold the column names, separated by commas or semicolons.")
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise UnreadableCsv(f"CSV tidak dapat dibaca: {exc}.", f"The CSV cannot be read: {exc}.") from exc
