"""The import file: how a kabupaten's CSV/XLSX is read, and what a registrar reads about a bad one."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import Workbook  # type: ignore[import-untyped]
from pydantic import ValidationError

from registry.import_format import COLUMN_NAMES, column_of, read_import_file, row_errors, row_to_ikm, template_csv
from registry.schemas import IkmCreate
from shared.errors import ApiError, FieldError, validation_errors

EXAMPLE = Path(__file__).resolve().parents[3] / "docs" / "examples" / "import-gianyar.csv"
TEMPLATE = Path(__file__).resolve().parents[3] / "services" / "registry" / "registry" / "data" / "import-template.csv"

HEADER = "name,owner_name,owner_nik,sector,regency_code,district_code,village_code,workers"
ROW = "Perak Sari,Ni Made Sari,5104014101800001,kriya,5104,5104010,5104010007,6"


def refused(content: bytes, filename: str = "x.csv", max_rows: int = 100) -> ApiError:
    with pytest.raises(ApiError) as caught:
        read_import_file(content, filename, max_rows)
    return caught.value


def test_the_shipped_template_lists_every_column() -> None:
    assert TEMPLATE.read_text() == template_csv()
    assert template_csv().strip().split(",") == list(COLUMN_NAMES)


def test_the_example_file_reads_as_thirty_rows_numbered_like_a_spreadsheet() -> None:
    parsed = read_import_file(EXAMPLE.read_bytes(), "import-gianyar.csv", 1000)
    assert parsed.file_format == "csv"
    assert len(parsed.rows) == 30
    assert parsed.rows[0][0] == 2 and parsed.rows[-1][0] == 31
    assert set(parsed.columns) == set(COLUMN_NAMES)


def test_semicolons_indonesian_column_names_and_blank_lines_are_understood() -> None:
    content = (b"nama_usaha;nama_pemilik;NIK;Sektor;kode kabupaten;kode_kecamatan;kode_desa;Tenaga Kerja\n\n"
               b"Perak Sari;Ni Made Sari;5104014101800001;kriya;5104;5104010;5104010007;6\n")
    parsed = read_import_file(content, "x.csv", 10)
    assert parsed.rows == [(3, {"name": "Perak Sari", "owner_name": "Ni Made Sari", "owner_nik": "5104014101800001",
                                "sector": "kriya", "regency_code": "5104", "district_code": "5104010",
                                "village_code": "5104010007", "workers": "6"})]


def test_an_xlsx_file_reads_like_the_csv_and_marks_a_nik_from_a_number_cell() -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.split(","))
    sheet.append(["Perak Sari", "Ni Made Sari", 5104014101800001, "kriya", 5104, 5104010, 5104010007, 6.0])
    sheet.append(["Perak Sari Dua", "Ni Made Sari", "5104014101800002", "kriya", 5104, 5104010, 5104010007, 6.0])
    buffer = io.BytesIO()
    book.save(buffer)
    parsed = read_import_file(buffer.getvalue(), "x.xlsx", 10)
    assert parsed.file_format == "xlsx"
    first, second = parsed.rows[0][1], parsed.rows[1][1]
    assert first["owner_nik"] == "5104014101800001" and first["workers"] == "6"
    # Excel keeps 15 significant digits: a NIK typed into a number cell may already be changed, so
    # the row says where it came from and is refused (tests/unit/registry/test_office_files.py).
    assert first["__numeric__"] == "owner_nik"
    assert "__numeric__" not in second and second["owner_nik"] == "5104014101800002"


@pytest.mark.parametrize(("content", "filename", "status", "message"), [
    (b"", "x.csv", 422, "Berkas kosong."),
    (b"   \n", "x.csv", 422, "Berkas kosong."),
    (HEADER.encode() + b"\n\n", "x.csv", 422, "Berkas hanya berisi judul kolom (baris 1), tanpa data IKM."),
    (b"\x00\x01garbage", "x.csv", 415, "Berkas ini bukan CSV atau XLSX yang dapat dibaca."),
    (b"PK\x03\x04broken", "x.xlsx", 422, "Berkas XLSX ini rusak atau bukan XLSX."),
    (b"not a zip at all", "x.xlsx", 422, "Berkas XLSX ini rusak atau bukan XLSX."),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1....", "x.xls", 415,
     "Format XLS lama tidak didukung; simpan sebagai XLSX atau CSV."),
    (b"just some words\nand more", "x.csv", 422,
     "Baris pertama harus berisi judul kolom yang dipisah koma atau titik koma."),
])
def test_a_file_that_cannot_be_read_is_refused_with_a_reason(content: bytes, filename: str, status: int,
                                                             message: str) -> None:
    error = refused(content, filename)
    assert (error.status, error.body.message) == (status, message)
    assert error.body.message_en


def test_a_missing_required_column_and_an_unknown_one_are_each_named() -> None:
    error = refused(HEADER.replace("workers", "pekerja").encode() + b"\n" + ROW.encode())
    assert error.body.message == "Judul kolom (baris 1) tidak sesuai format impor; lihat templat impor."
    assert [(e.field, e.message) for e in error.body.errors] == [
        ("workers", "Kolom wajib ini tidak ada (atau TENAGA KERJA L/P)."),
        ("pekerja", "Kolom tidak dikenal (kolom 8); kolom ini diabaikan.")]


def test_an_unknown_column_is_read_past_with_a_warning() -> None:
    parsed = read_import_file((HEADER + ",catatan_dinas").encode() + b"\n" + ROW.encode() + b",disurvei 2024", "x.csv",
                              10)
    assert "catatan_dinas" not in parsed.rows[0][1] and parsed.rows[0][1]["workers"] == "6"
    assert [(w.field, w.message_en) for w in parsed.warnings] == [
        ("catatan_dinas", "Unknown column (column 9); it was ignored.")]


def test_a_column_given_twice_is_refused() -> None:
    error = refused((HEADER + ",nama_usaha").encode() + b"\n" + ROW.encode() + b",Lain")
    assert [(e.field, e.message) for e in error.body.errors] == [("nama_usaha", "Kolom ini muncul dua kali (kolom 9).")]


def test_too_many_rows_is_413_and_asks_to_split_the_file() -> None:
    error = refused((HEADER + "\n" + (ROW + "\n") * 3).encode(), max_rows=2)
    assert error.status == 413
    assert error.body.message == "Terlalu banyak baris: paling banyak 2 per berkas; bagi berkasnya."


def values(**changes: str) -> dict[str, str]:
    base = dict(zip(HEADER.split(","), ROW.split(","), strict=True))
    base.update(changes)
    return base


def test_a_row_becomes_the_body_of_post_ikms() -> None:
    body, sentra = row_to_ikm(values(investment_idr="Rp 150.000.000", annual_sales_idr="600,000,000",
                                     owner_gender="P", needs="modal|pemasaran_digital", needs_accessible_booth="ya",
                                     cert_kind="Halal", cert_number="ID1", cert_valid_until="31/01/2028",
                                     product_name="Cincin", product_price_idr="450.000",
                                     more_products="Gelang | Liontin", sentra_name="Sentra Perak Celuk",
                                     business_form="UD."))
    ikm = IkmCreate.model_validate(body)
    assert sentra == "Sentra Perak Celuk"
    assert (ikm.investment_idr, ikm.annual_sales_idr) == (150_000_000, 600_000_000)
    assert ikm.owner.gender == "F" and ikm.business_form == "ud"
    assert ikm.needs == ["capital", "digital_marketing"] and ikm.needs_accessible_booth is True
    assert ikm.certifications[0].kind == "halal" and str(ikm.certifications[0].valid_until) == "2028-01-31"
    assert [p.name for p in ikm.products] == ["Cincin", "Gelang", "Liontin"]
    assert ikm.products[0].price_idr == 450_000


def rejection(**changes: str) -> list[dict[str, str]]:
    body, _ = row_to_ikm(values(**changes))
    with pytest.raises(ValidationError) as caught:
        IkmCreate.model_validate(body)
    return row_errors(validation_errors(caught.value.errors()))


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"owner_nik": "510401410180000"}, "owner_nik", "NIK harus 16 digit angka (diisi 15 karakter)."),
    ({"owner_nik": "5.10401E+15"}, "owner_nik", "NIK harus 16 digit angka (diisi 11 karakter)."),
    ({"nib": "12345"}, "nib", "NIB harus 13 digit angka (diisi 5 karakter)."),
    ({"kbli": "3211"}, "kbli", "KBLI harus 5 digit angka (diisi 4 karakter)."),
    ({"kbli_version": "2025"}, "kbli_version", "Versi KBLI diisi tetapi kode KBLI kosong."),
    ({"workers": "0"}, "workers", "Tidak boleh kurang dari 1."),
    ({"workers": "enam"}, "workers", "Harus berupa bilangan bulat."),
    ({"investment_idr": "lima puluh juta"}, "investment_idr", "Harus berupa bilangan bulat."),
    ({"name": ""}, "name", "Wajib diisi."),
    ({"owner_phone": "12345"}, "owner_phone", "Nomor telepon tidak valid (contoh: 081234567890)."),
    ({"needs_accessible_booth": "mungkin"}, "needs_accessible_booth", "Harus ya atau tidak (true/false)."),
    ({"product_price_idr": "-5"}, "product_price_idr", "Tidak boleh kurang dari 0."),
    ({"product_price_idr": "5000"}, "product_name", "Wajib diisi."),
    ({"cert_kind": "halal"}, "cert_number", "Wajib diisi."),
    ({"product_name": "Cincin", "more_products": "x" * 201}, "more_products",
     "Terlalu panjang (paling banyak 200 karakter)."),
    ({"status": "tutup"}, "status", "Harus salah satu dari: 'active', 'inactive' or 'closed'."),
    ({"business_form": "yayasan"}, "business_form",
     "Harus salah satu dari: 'perorangan', 'ud', 'cv', 'pt', 'firma', 'koperasi' or 'lainnya'."),
    ({"registered_year": "1850"}, "registered_year", "Tidak boleh kurang dari 1900."),
])
def test_each_bad_value_is_reported_against_its_column(changes: dict[str, str], field: str, message: str) -> None:
    errors = rejection(**changes)
    assert {"field": field, "message": message} in [{"field": e["field"], "message": e["message"]} for e in errors]


def test_a_row_with_more_cells_than_the_header_is_rejected_with_a_reason() -> None:
    parsed = read_import_file(f"{HEADER}\n{ROW},surplus\n".encode(), "x.csv", 10)
    body, _ = row_to_ikm(parsed.rows[0][1])
    with pytest.raises(ValidationError) as caught:
        IkmCreate.model_validate(body)
    assert row_errors(validation_errors(caught.value.errors())) == [{
        "field": "row", "message": "Baris ini berisi lebih banyak sel daripada judul kolom.",
        "message_en": "This row has more cells than there are column names."}]


@pytest.mark.parametrize(("field", "column"), [
    ("owner.nik", "owner_nik"), ("products.0.price_idr", "product_price_idr"), ("products.2.name", "more_products"),
    ("certifications.0.valid_until", "cert_valid_until"), ("sentra_id", "sentra_name"),
    ("village_code", "village_code"),
])
def test_register_fields_map_back_to_file_columns(field: str, column: str) -> None:
    assert column_of(field) == column
    assert row_errors([FieldError(field=field, message="x", message_en="y")])[0]["field"] == column
