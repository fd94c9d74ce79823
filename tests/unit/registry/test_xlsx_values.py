"""The sheet-XML reader of XLSX values (registry/xlsx_values.py) gives what openpyxl's read-only mode
gives, cell for cell: on the office workbook as openpyxl writes it (inline strings, a date cell, a
number cell, formulas), and rewritten as Excel saves it (shared strings, one with rich text runs and
a phonetic reading, which is not text); a file it cannot read falls back to openpyxl."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from typing import Any

import pytest

from registry import workbook, xlsx_values
from registry.workbook import Sheet, read_xlsx_sheets
from tests.support.office import office_xlsx

SST = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
SST_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"


def as_excel_saves_it(content: bytes) -> bytes:
    """The workbook with every inline string moved to a shared strings part, the first as rich text."""
    source = zipfile.ZipFile(io.BytesIO(content))
    strings: list[str] = []

    def shared(match: re.Match[str]) -> str:
        strings.append(match[2])
        return f'<c r="{match[1]}" t="s"><v>{len(strings) - 1}</v></c>'

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        for name in source.namelist():
            data = source.read(name).decode()
            if name.startswith("xl/worksheets/"):
                data = re.sub(r'<c r="([A-Z]+[0-9]+)"[^>]*? t="inlineStr"[^>]*><is><t[^>]*>(.*?)</t></is></c>', shared,
                              data)
            elif name == "[Content_Types].xml":
                data = data.replace("</Types>", f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SST}"/>'
                                                "</Types>")
            elif name == "xl/_rels/workbook.xml.rels":
                data = data.replace("</Relationships>", f'<Relationship Type="{SST_REL}" Target="sharedStrings.xml" '
                                                        'Id="rId99"/></Relationships>')
            book.writestr(name, data)
        items = [f"<si><t>{s}</t></si>" for s in strings]
        head, _, tail = strings[0].partition(" ")
        items[0] = (f'<si><r><t xml:space="preserve">{head} </t></r><r><rPr><b/></rPr><t>{tail}</t></r>'
                    "<rPh sb=\"0\" eb=\"1\"><t>ふりがな</t></rPh></si>")
        book.writestr("xl/sharedStrings.xml", '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
                      f'main" count="{len(items)}" uniqueCount="{len(items)}">{"".join(items)}</sst>')
    return out.getvalue()


def cells(sheets: list[Sheet]) -> list[tuple[str | None, list[tuple[int, list[Any]]]]]:
    """Rows without their trailing empty cells (openpyxl pads a row to the sheet's width)."""
    def trimmed(row: list[Any]) -> list[Any]:
        row = list(row)
        while row and row[-1] is None:
            row.pop()
        return row
    return [(s.name, [(line, trimmed(row)) for line, row in s.rows]) for s in sheets]


def test_the_values_are_openpyxls_with_inline_and_with_shared_strings() -> None:
    for content in (office_xlsx(), office_xlsx(recap_first=False), as_excel_saves_it(office_xlsx())):
        fast = read_xlsx_sheets(content, 1000)
        assert cells(fast) == cells(workbook._openpyxl_sheets(content, 1000))
    [_, data] = read_xlsx_sheets(as_excel_saves_it(office_xlsx()), 1000)
    title = data.rows[0][1][0]
    assert title.startswith("DATA INDUSTRI KECIL") and "ふりがな" not in title
    assert any(hasattr(v, "year") for _, row in data.rows for v in row)  # the date cell read as a date


def test_a_workbook_the_reader_cannot_read_is_read_by_openpyxl(monkeypatch: pytest.MonkeyPatch) -> None:
    def unsupported(_: zipfile.ZipFile) -> Iterator[tuple[str, Iterator[tuple[int, list[Any]]]]]:
        raise xlsx_values.Unsupported("cells out of order")
        yield  # a generator, as the reader is

    monkeypatch.setattr(xlsx_values, "worksheets", unsupported)
    content = office_xlsx()
    assert cells(read_xlsx_sheets(content, 1000)) == cells(workbook._openpyxl_sheets(content, 1000))
    assert len(read_xlsx_sheets(content, 1000)[1].rows) > 10


def test_a_sheet_of_millions_of_empty_rows_stops_where_a_csv_of_blank_lines_would() -> None:
    def rows() -> Iterator[tuple[int, list[Any]]]:
        yield 1, ["NO", "NAMA"]
        for line in range(2, 10**7):
            yield line, [None, ""]
    sheet = workbook._numbered_sheet("DATA", rows(), 10)
    assert sheet.truncated and sheet.rows == [(1, ["NO", "NAMA"])]
