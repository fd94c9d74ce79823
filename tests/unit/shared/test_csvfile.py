"""The one CSV reader behind every upload, and the one writer behind every CSV the project writes."""

from __future__ import annotations

import csv
import io
import itertools
import re
import tracemalloc
from pathlib import Path

import pytest

from shared.csvfile import CsvWriter, UnreadableCsv, neutralise_cell, read_csv_rows


def test_a_semicolon_file_from_excel_in_an_indonesian_locale_reads_with_its_bom() -> None:
    content = "\ufeffnama;desa\nPerak Sari;Singapadu\n".encode()
    assert list(read_csv_rows(content)) == [["nama", "desa"], ["Perak Sari", "Singapadu"]]


def test_a_windows_encoded_file_keeps_its_accents_and_quoted_commas() -> None:
    content = 'name,note\n"Café Ubud","kopi, teh"\n'.encode("cp1252")
    assert list(read_csv_rows(content)) == [["name", "note"], ["Café Ubud", "kopi, teh"]]


def test_a_tab_separated_file_reads_too() -> None:
    assert list(read_csv_rows(b"a\tb\n1\t2\n")) == [["a", "b"], ["1", "2"]]


@pytest.mark.parametrize(("content", "status", "words"), [
    (b"PK\x03\x04\x00\x00binary", 415, "bukan CSV"),
    (b"just one column\nno separators\n", 422, "judul kolom"),
])
def test_what_is_not_a_csv_is_refused_with_a_reason_in_both_languages(content: bytes, status: int, words: str) -> None:
    with pytest.raises(UnreadableCsv) as caught:
        read_csv_rows(content)
    assert caught.value.status == status
    assert words in caught.value.message and caught.value.message_en and caught.value.message != caught.value.message_en


def test_rows_are_read_lazily_so_a_file_of_blank_lines_holds_nothing_but_its_bytes() -> None:
    content = b"kode,aula\n" + b"\n" * (20 * 1024 * 1024)
    tracemalloc.start()
    try:
        rows = read_csv_rows(content)
        first = list(itertools.islice(rows, 3))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert first == [["kode", "aula"], [], []]
    assert peak < 2 * 1024 * 1024  # the file is 20 MB


def test_a_row_the_csv_module_cannot_read_is_refused_when_reached() -> None:
    rows = read_csv_rows(b"kode,aula\nA-01,H\n\"" + b"x" * 200_000 + b"\",H\n")
    assert next(rows) == ["kode", "aula"] and next(rows) == ["A-01", "H"]
    with pytest.raises(UnreadableCsv) as caught:
        next(rows)
    assert caught.value.status == 422 and "tidak dapat dibaca" in caught.value.message


# --- writing: formula injection (issue 19, point 4) ------------------------------------------------

@pytest.mark.parametrize("text", ['=HYPERLINK("http://x","y")', "+62 812", "-1+2", "@SUM(A1:A9)", "\t=1+1",
                                  "\r=1+1", "-5"])
def test_a_text_cell_a_spreadsheet_would_run_gets_a_single_quote_before_it(text: str) -> None:
    assert neutralise_cell(text) == "'" + text


@pytest.mark.parametrize("text", ["UD Perak Sari", "", "5104", " =1+1", "a=b", "'=quoted already", "Kriya - Perak"])
def test_other_text_is_left_as_it_is(text: str) -> None:
    assert neutralise_cell(text) == text


@pytest.mark.parametrize("number", [-5, 0, 150_000_000, -2.5, None])
def test_numbers_stay_numbers_even_negative_and_none_stays_an_empty_cell(number: int | float | None) -> None:
    # The decision: the type says what a cell is. A number written as a number cannot hold a formula,
    # and a negative amount must stay one for a spreadsheet's sums; text that looks like "-5" is text.
    assert neutralise_cell(number) is number


def test_the_writer_neutralises_every_cell_and_keeps_numbers_as_numbers() -> None:
    out = io.StringIO()
    writer = CsvWriter(out)
    writer.writerow(["name", "workers", "hall"])
    writer.writerows([['=HYPERLINK("http://x","y")', -3, "@hall"], ["UD Sari", 6, None]])
    assert out.getvalue() == ('name,workers,hall\r\n"\'=HYPERLINK(""http://x"",""y"")",-3,\'@hall\r\n'
                              "UD Sari,6,\r\n")
    assert list(csv.reader(io.StringIO(out.getvalue()))) == [
        ["name", "workers", "hall"], ['\'=HYPERLINK("http://x","y")', "-3", "'@hall"], ["UD Sari", "6", ""]]


def test_every_csv_the_project_writes_goes_through_the_one_writer() -> None:
    # A new export written with csv.writer would skip the neutralising: this keeps it from drifting.
    root = Path(__file__).resolve().parents[3]
    sources = [p for top in ("shared", "services", "bench") for p in (root / top).rglob("*.py")]
    assert len(sources) > 50
    direct = [str(p.relative_to(root)) for p in sources if p.name != "csvfile.py"
              and re.search(r"\bcsv\.(writer|DictWriter)\b", p.read_text(encoding="utf-8"))]
    assert direct == []
