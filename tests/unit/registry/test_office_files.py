"""Office workbooks read (issue 15): the table found under a title block, the row outcomes without HTTP."""

from __future__ import annotations

import pytest

from registry import service
from registry.import_format import read_import_file, row_errors
from registry.region_names import Places
from registry.regions import Region, bps_regions
from registry.workbook import is_end_of_data, is_numbering_row
from shared.errors import ApiError
from tests.support.office import OFFICE_ROWS, TITLE, office_csv, office_xlsx

FILES = {"xlsx": lambda: office_xlsx(), "xlsx-recap-last": lambda: office_xlsx(recap_first=False),
         "csv-cp1252": lambda: office_csv("cp1252"), "csv-utf8-bom": lambda: office_csv("utf-8-sig")}
TWIN = Places(bps_regions(), [Region("5104050099", "5104050", "Kemenuh")])  # a namesake in Ubud


@pytest.mark.parametrize("kind", list(FILES))
def test_the_table_is_found_under_the_title_block(kind: str) -> None:
    parsed = read_import_file(FILES[kind](), f"ikm.{kind.split('-')[0]}", 1000)
    assert parsed.sheet == ("DATA IKM" if kind.startswith("xlsx") else None)
    assert parsed.header_line == 4
    assert [n for n, _ in parsed.rows] == list(range(7, 7 + len(OFFICE_ROWS)))  # numbering row, totals, signature
    assert parsed.labels["workers_male"] == "TENAGA KERJA / L" and parsed.labels["owner_phone"] == "NO. HP"
    assert parsed.labels["village_code"] == "DESA/KELURAHAN"
    assert {w.field for w in parsed.warnings} == {"TAHUN BERDIRI", "TGL TERBIT NIB", "KET"}
    assert all(values["regency_code"] == "5104" for _, values in parsed.rows)  # from the title block
    assert parsed.rows[0][1]["name"] == "Perak Sari Celuk"


def test_a_number_cell_is_marked_so_that_a_nik_in_it_is_refused() -> None:
    rows = dict(read_import_file(office_xlsx(), "ikm.xlsx", 1000).rows)
    assert rows[7]["__numeric__"] == "owner_phone nib"
    assert rows[10]["__numeric__"] == "owner_nik"


@pytest.mark.parametrize("kind", list(FILES))
def test_each_office_row_gets_its_outcome(kind: str) -> None:
    parsed = read_import_file(FILES[kind](), f"ikm.{kind.split('-')[0]}", 1000)
    for (_, values), row in zip(parsed.rows, OFFICE_ROWS, strict=True):
        places = TWIN if row.expect.get("needs_twin") else Places(bps_regions())
        result = service.parse_row(values, {}, lambda places=places: places, parsed.labels)
        if row.expect["outcome"] == "rejected":
            assert isinstance(result, service.RowOutcome), row.cells[1]
            shown = row_errors(list(result.errors), parsed.labels)
            assert any(e["field"] == row.expect["column"] and row.expect["message"] in e["message"] for e in shown), \
                shown
            continue
        assert not isinstance(result, service.RowOutcome), (row.cells[1], result)
        expect = row.expect
        assert result.village_code == expect["village_code"] and result.sector == expect["sector"]
        assert result.workers == expect["workers"]
        for name in ("nib", "district_code", "kbli", "investment_idr", "business_form", "address"):
            if name in expect:
                assert getattr(result, name) == expect[name], name
        for name in ("nik", "phone", "gender"):
            if name in expect:
                assert getattr(result.owner, name) == expect[name], name
        if "capacity" in expect:
            assert result.products[0].monthly_capacity == expect["capacity"]
        if expect.get("cert"):
            assert [(c.kind, c.valid_until.isoformat() if c.valid_until else None)
                    for c in result.certifications] == [expect["cert"]]
        elif "cert" in expect:
            assert result.certifications == []


def test_a_cell_with_a_nul_character_rejects_its_row_only() -> None:
    values = dict(read_import_file(office_csv("utf-8-sig"), "ikm.csv", 1000).rows[0][1])
    values["address"] = "Br. Tangkeban\x00"
    result = service.parse_row(values, {}, None, {"address": "ALAMAT"})
    assert isinstance(result, service.RowOutcome)
    assert row_errors(list(result.errors), {"address": "ALAMAT"})[0]["field"] == "ALAMAT"
    assert "karakter tersembunyi" in result.errors[0].message


def test_a_value_the_register_refuses_is_shown_with_the_column_and_the_fix() -> None:
    values = dict(read_import_file(office_csv("utf-8-sig"), "ikm.csv", 1000).rows[0][1])
    values["investment_idr"] = "lima juta"
    values["kbli"] = "3211"
    labels = {"investment_idr": "NILAI INVESTASI (Rp)", "kbli": "JENIS INDUSTRI / KBLI"}
    result = service.parse_row(values, {}, None, labels)
    assert isinstance(result, service.RowOutcome)
    shown = {e["field"]: e for e in row_errors(list(result.errors), labels)}
    assert "'lima juta'" in shown["NILAI INVESTASI (Rp)"]["message"] and "25 juta" in shown[
        "NILAI INVESTASI (Rp)"]["message"]
    assert "(tertulis: '3211')" in shown["JENIS INDUSTRI / KBLI"]["message"]
    assert "(written: '3211')" in shown["JENIS INDUSTRI / KBLI"]["message_en"]


@pytest.mark.parametrize(("texts", "end"), [
    (["JUMLAH", "", "", "21"], True), (["", "TOTAL", "5"], True), (["Gianyar, 15 Januari 2025"], True),
    (["", "", "NIP. 19700101 199503 1 001"], True), (["1", "Perak Sari", "Ni Made", "Jumlah Dua"], False),
    (["2", "Total Busana", "Ni Made", "5104014101800001", "P"], False),
])
def test_where_the_data_ends(texts: list[str], end: bool) -> None:
    assert is_end_of_data(texts) is end


def test_the_row_of_column_numbers() -> None:
    assert is_numbering_row(["1", "2", "3", "4"]) and is_numbering_row(["(1)", "(2)", "(3)"])
    assert not is_numbering_row(["1", "Perak Sari", "3"]) and not is_numbering_row(["7", "8", "9"])


def test_the_title_names_the_kabupaten_and_a_header_elsewhere_still_reads() -> None:
    assert "GIANYAR" in TITLE
    content = "\r\n".join(["DAFTAR IKM KOTA DENPASAR", "", "NAMA USAHA;NAMA PEMILIK;NIK;SEKTOR;KECAMATAN;DESA;TK",
                           "Perak Sari;Ni Made;5104014101800001;kriya;Denpasar Utara;Ubung;3"]).encode("cp1252")
    parsed = read_import_file(content, "dps.csv", 10)
    assert parsed.header_line == 3 and parsed.rows[0][1]["regency_code"] == "5171"
    data = service.parse_row(parsed.rows[0][1], {}, None, parsed.labels)
    assert not isinstance(data, service.RowOutcome)
    assert (data.district_code, data.village_code) == ("5171031", "5171031807")


def test_names_in_the_templates_code_columns_are_resolved_too() -> None:
    header = "name,owner_name,owner_nik,sector,regency_code,district_code,village_code,workers"
    content = f"{header}\nPerak Sari,Ni Made,5104014101800001,kriya,Gianyar,Kec. Sukawati,51.04.01.2005,3\n"
    parsed = read_import_file(content.encode(), "x.csv", 10)
    data = service.parse_row(parsed.rows[0][1], {}, None, parsed.labels)
    assert not isinstance(data, service.RowOutcome)
    assert (data.regency_code, data.district_code, data.village_code) == ("5104", "5104010", "5104010905")


def test_a_capacity_split_under_a_merged_cell_and_a_signature_without_totals() -> None:
    lines = ["DATA IKM KABUPATEN BANGLI", "",
             "NO;NAMA USAHA;PEMILIK;NIK;SEKTOR;KECAMATAN;DESA;TK;KOMODITI;KAPASITAS PRODUKSI;",
             ";;;;;;;;;JUMLAH;SATUAN",
             "1;Bambu Kayubihi;I Wayan Bambu;5106011203800001;kriya;Bangli;Kayubihi;4;Sokasi;200;buah/bulan",
             "2;Bambu Kayubihi Dua;I Wayan Bambu;5106011203800002;kriya;Bangli;Kayubihi;4;;200;buah/bulan",
             "", "Bangli, 2 Februari 2025", "Kepala Bidang Perindustrian"]
    parsed = read_import_file("\r\n".join(lines).encode("cp1252"), "bangli.csv", 10)
    assert [n for n, _ in parsed.rows] == [5, 6]
    assert parsed.labels["product_monthly_capacity"] == "KAPASITAS PRODUKSI / JUMLAH"
    assert parsed.labels["capacity_unit"] == "KAPASITAS PRODUKSI / SATUAN"
    data = service.parse_row(parsed.rows[0][1], {}, None, parsed.labels)
    assert not isinstance(data, service.RowOutcome), data
    assert data.regency_code == "5106" and data.products[0].monthly_capacity == 200
    no_product = service.parse_row(parsed.rows[1][1], {}, None, parsed.labels)
    assert isinstance(no_product, service.RowOutcome)
    assert [e["field"] for e in row_errors(list(no_product.errors), parsed.labels)] == ["KOMODITI"]
    assert "KOMODITI / PRODUK" in no_product.errors[0].message


def test_a_workbook_with_only_a_recap_is_refused_naming_what_is_missing() -> None:
    lines = ["REKAPITULASI IKM", "NO;KECAMATAN;JUMLAH IKM;TENAGA KERJA;NILAI INVESTASI (Rp)", "1;Sukawati;5;18;6000"]
    with pytest.raises(ApiError) as caught:
        read_import_file("\r\n".join(lines).encode(), "rekap.csv", 10)
    missing = {e.field for e in caught.value.body.errors if "wajib" in e.message}
    assert {"name", "owner_name", "owner_nik", "village_code", "regency_code"} <= missing
    assert "baris 2" in caught.value.body.message
