"""An import file is bounded before it is opened: a zip bomb dressed as an XLSX is refused from its
zip directory, before openpyxl inflates anything; a CSV of blank lines is read without being held."""

from __future__ import annotations

import io
import tracemalloc
import zipfile
from pathlib import Path

import openpyxl  # type: ignore[import-untyped]
import pytest
from openpyxl import Workbook

from registry.import_format import _TOO_MANY_ROWS_EXTRA, read_import_file
from registry.upload_limits import MAX_OTHER_MEMBER_BYTES, MAX_RATIO, check_xlsx_sizes
from registry.workbook import MAX_LINES_PER_ROW
from shared.errors import ApiError

EXAMPLE = Path(__file__).resolve().parents[3] / "docs" / "examples" / "import-gianyar.csv"
MB = 1024 * 1024


def bomb(unpacked_mb: int, member: str = "xl/worksheets/sheet1.xml") -> bytes:
    """A zip of `unpacked_mb` MB of one repeated byte: it packs about 1,000 times. Written a
    megabyte at a time, so the test never holds the unpacked data."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open(member, "w", force_zip64=True) as f:
            for _ in range(unpacked_mb):
                f.write(b"<" * MB)
    return out.getvalue()


def xlsx(rows: int) -> bytes:
    book = Workbook()
    sheet = book.active
    for line in EXAMPLE.read_text(encoding="utf-8").splitlines()[: rows + 1]:
        sheet.append(line.split(","))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def refusal(content: bytes, max_unzipped_bytes: int = 128 * MB) -> ApiError:
    with pytest.raises(ApiError) as caught:
        check_xlsx_sizes(content, max_unzipped_bytes)
    return caught.value


def test_a_real_workbook_passes() -> None:
    check_xlsx_sizes(xlsx(rows=20))


def test_a_member_packed_like_a_zip_bomb_is_refused_from_the_directory() -> None:
    content = bomb(unpacked_mb=20)
    assert len(content) < 128 * 1024  # the size of the file the probe sent
    error = refusal(content)
    assert error.status == 413
    assert f"paling banyak {MAX_RATIO} kali" in error.body.message
    assert "xl/worksheets/sheet1.xml" in error.body.message_en and "save it again from Excel" in error.body.message_en


def test_a_workbook_that_unpacks_past_the_total_is_refused_whatever_its_ratio() -> None:
    error = refusal(xlsx(rows=20), max_unzipped_bytes=10 * 1024)
    assert error.status == 413
    assert error.body.message.startswith("Berkas XLSX terlalu besar setelah dibuka:")
    assert error.body.message_en.endswith("at most 10 KB; split it.")


def test_a_part_openpyxl_reads_whole_is_bounded_on_its_own() -> None:
    content = bomb(unpacked_mb=MAX_OTHER_MEMBER_BYTES // MB + 1, member="xl/styles.xml")
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert archive.getinfo("xl/styles.xml").file_size > MAX_OTHER_MEMBER_BYTES
    assert refusal(content).status == 413


def test_something_that_is_not_a_zip_is_left_for_the_reader() -> None:
    check_xlsx_sizes(b"PK\x03\x04 not really a zip")


def test_the_import_refuses_a_zip_bomb_before_openpyxl_opens_it(monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[object] = []
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *args, **kwargs: opened.append(args))
    with pytest.raises(ApiError) as caught:
        read_import_file(bomb(unpacked_mb=200), "bom.xlsx", max_rows=50_000)
    assert caught.value.status == 413
    assert opened == []


def test_an_import_of_more_blank_lines_than_its_rows_allow_is_refused_without_reading_them_all() -> None:
    lines = EXAMPLE.read_bytes().splitlines(keepends=True)
    allowed = (100 + _TOO_MANY_ROWS_EXTRA) * MAX_LINES_PER_ROW
    with pytest.raises(ApiError) as caught:
        read_import_file(lines[0] + lines[1] + b"\r\n" * allowed + lines[2], "kosong.csv", max_rows=100)
    assert caught.value.status == 413
    assert caught.value.body.message == "Terlalu banyak baris: paling banyak 100 per berkas; bagi berkasnya."
    assert len(read_import_file(lines[0] + lines[1] + b"\r\n" * (allowed - 10) + lines[2], "kosong.csv",
                                max_rows=100).rows) == 2


def test_an_import_of_blank_lines_is_read_without_being_held() -> None:
    lines = EXAMPLE.read_bytes().splitlines(keepends=True)
    content = lines[0] + lines[1] + b"\r\n" * (512 * 1024)
    tracemalloc.start()
    try:
        parsed = read_import_file(content, "kosong.csv", max_rows=50_000)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(parsed.rows) == 1
    assert peak < 2 * MB  # half a million blank rows held as lists would take over 30 MB
