"""Reading a floor plan CSV: the JSON booth's validators, errors by row and column, every row or none."""

from __future__ import annotations

import tracemalloc

import pytest

from exhibitions.floorplan_csv import MAX_ROWS, read_floorplan_csv, template
from shared.errors import ApiError

HEADER = "code,hall,zone,sectors,width_m,depth_m,x,y,kind,accessible,power_w,price_idr\n"


def problem(content: str | bytes) -> ApiError:
    with pytest.raises(ApiError) as caught:
        read_floorplan_csv(content.encode() if isinstance(content, str) else content)
    return caught.value


def test_the_shipped_template_reads_as_booths() -> None:
    lines, booths = read_floorplan_csv(template().encode())
    assert lines == [2, 3, 4]
    assert [b.code for b in booths] == ["A-01", "A-02", "K-01"]
    assert booths[1].sectors == ["kriya", "fesyen"] and booths[0].accessible and not booths[1].accessible
    assert booths[2].depth_m == 2.5 and booths[2].power_w == 1300 and booths[2].price_idr == 250_000
    assert template().splitlines()[0] == HEADER.strip()


def test_empty_cells_take_the_json_defaults() -> None:
    _, [booth] = read_floorplan_csv(b"code,hall,zone\nA-01,Ksirarnawa,Kriya\n")
    assert (booth.width_m, booth.depth_m, booth.kind, booth.accessible, booth.power_w, booth.sectors) == \
        (3, 3, "standard", False, 450, [])


def test_a_spreadsheet_saved_in_an_indonesian_locale_reads_the_same() -> None:
    content = ("\ufeffKode;Gedung;Zona;Sektor;Lebar_m;Kedalaman_m;x;y;Jenis;Akses;Daya_W;Harga_IDR\r\n"
               "A-01;Ksirarnawa;Kriya;Kriya|Fesyen;2,5;3;0;0;sudut;ya;450;1.500.000\r\n"
               ";;;;;;;;;;;\r\n"
               "A-02;Ksirarnawa;Kriya;\"kriya; fesyen\";2,5;3;2,5;0;Standar;tidak;450;0\r\n").encode("utf-8")
    lines, booths = read_floorplan_csv(content)
    assert lines == [2, 4]  # the blank row 3 is skipped, the row numbers stay the spreadsheet's
    assert booths[0].sectors == ["kriya", "fesyen"] == booths[1].sectors
    assert booths[0].width_m == 2.5 and booths[1].x == 2.5 and booths[0].price_idr == 1_500_000
    assert booths[0].kind == "corner" and booths[0].accessible and booths[1].kind == "standard"


def test_a_windows_spreadsheet_encoding_is_read() -> None:
    _, [booth] = read_floorplan_csv("code,hall,zone\nA-01,Gedung Ksirarnawa é,Kriya\n".encode("cp1252"))
    assert booth.hall == "Gedung Ksirarnawa é"


def test_every_bad_row_is_named_by_row_and_column_in_both_languages() -> None:
    err = problem(HEADER + "A-01,Ksirarnawa,Kriya,kriya,3,3,0,0,standard,ya,450,0\n"
                           "A-02,Ksirarnawa,Kriya,perak,tiga,3,0,0,kios,mungkin,-5,0\n"
                           ",Ksirarnawa,Kriya,,3,3,0,0,,,,\n")
    assert err.status == 422 and err.body.code == "bad_floorplan_file"
    assert "Tidak ada stan yang disimpan" in err.body.message and "No booth was saved" in err.body.message_en
    fields = [e.field for e in err.body.errors]
    assert fields == ["3.sectors", "3.width_m", "3.kind", "3.accessible", "3.power_w", "4.code"]
    by_field = {e.field: e for e in err.body.errors}
    assert by_field["3.width_m"].message.startswith("Baris 3, kolom width_m: ")
    assert by_field["3.width_m"].message_en.startswith("Row 3, column width_m: ")
    assert "angka" in by_field["3.width_m"].message and "number" in by_field["3.width_m"].message_en
    assert "Wajib diisi" in by_field["4.code"].message


def test_the_header_must_match_the_template() -> None:
    err = problem("code,hall,warna\nA-01,Ksirarnawa,merah\n")
    assert err.status == 422 and {e.field for e in err.body.errors} == {"header"}
    words = " ".join(e.message_en for e in err.body.errors)
    assert "(warna) is unknown" in words and "required column zone is missing" in words
    err = problem("code,hall,zone,kode\nA-01,H,Z,A-02\n")
    assert "appears twice" in err.body.errors[0].message_en


@pytest.mark.parametrize(("content", "status", "words"), [
    (b"", 422, "empty"),
    (b"   \n", 422, "empty"),
    (b"PK\x03\x04rest-of-an-xlsx", 415, "not a CSV"),
    (b"code hall zone\n", 422, "column names"),
    (HEADER.encode(), 422, "no booths"),
    (b"code,hall,zone\nA-01,H,Z,extra\n", 422, "more cells"),
])
def test_a_file_that_is_not_a_floor_plan_says_why(content: bytes, status: int, words: str) -> None:
    err = problem(content)
    assert err.status == status and words in (err.body.message_en + " ".join(e.message_en for e in err.body.errors))


def test_a_file_too_large_is_refused() -> None:
    rows = "".join(f"B-{i:05d},H,Z\n" for i in range(MAX_ROWS + 1))
    assert problem("code,hall,zone\n" + rows).status == 413


def test_blank_lines_count_toward_the_row_bound_and_are_never_held() -> None:
    content = b"code,hall,zone\nA-01,H,Z\n" + b"\r\n" * (8 * 1024 * 1024)
    tracemalloc.start()
    try:
        err = problem(content)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert err.status == 413
    assert err.body.message == f"Terlalu banyak baris: paling banyak {MAX_ROWS:,} stan per berkas (baris kosong ikut " \
                               "dihitung)."
    assert peak < 2 * 1024 * 1024  # the file is 16 MB; its blank lines as lists would take over 500 MB


def test_a_few_blank_lines_between_booths_are_skipped() -> None:
    lines, booths = read_floorplan_csv(b"code,hall,zone\n\nA-01,H,Z\n,,\n\nA-02,H,Z\n")
    assert (lines, [b.code for b in booths]) == ([3, 6], ["A-01", "A-02"])
