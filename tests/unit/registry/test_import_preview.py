"""The preview and mapping of an import (issue 15), without a server: the mapping's rules, the
template's format told from an office's, problems listed instead of refusing the file, and the
preview's columns, unresolved values and first rows."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from registry import service
from registry.import_format import read_sheets, read_table
from registry.import_mapping import Mapping, apply_values, columns_key, value_key
from registry.import_preview import _RecentSheets, build_preview, choices
from registry.import_schemas import MappingUpdate
from registry.region_names import Places
from registry.regions import bps_regions
from registry.schemas import IkmCreate
from registry.values import ValueProblem
from shared.errors import ApiError
from tests.support.office import OFFICE_ROWS, office_csv

EXAMPLE = Path(__file__).resolve().parents[3] / "docs" / "examples" / "import-gianyar.csv"


def table(content: bytes, name: str = "f.csv", mapping: Mapping | None = None, regency: str | None = None,
          strict: bool = False):  # type: ignore[no-untyped-def]
    return read_table(read_sheets(content, name, 20_000), 20_000, mapping, regency, strict=strict)


def test_a_value_mapping_gives_a_commodity_its_sector_and_replaces_any_other_value() -> None:
    by_field = {"product_name": {"jasa servis": "desain_produk"}, "cert_kind": {"halal mui": "halal"}}
    row = {"product_name": "Jasa  SERVIS", "cert_kind": "Halal MUI", "owner_name": "x"}
    apply_values(row, by_field)
    assert row == {"product_name": "Jasa  SERVIS", "sector": "desain_produk", "cert_kind": "halal", "owner_name": "x"}
    written = {"product_name": "Jasa Servis", "sector": "kuliner"}
    apply_values(written, by_field)
    assert written["sector"] == "kuliner"  # a sector the office wrote is kept
    assert value_key("  Kerajinan   Perak ") == "kerajinan perak"


def test_columns_key_ignores_case_and_punctuation_but_not_order_and_merging_keeps_the_newer_choice() -> None:
    assert columns_key(["NO. HP", "NIK"]) == columns_key(["no hp", "nik"])
    assert columns_key(["NIK", "NO. HP"]) != columns_key(["NO. HP", "NIK"])
    old = Mapping({"A": "name", "B": None}, {"C": {"x": "kriya"}})
    new = old.merged(Mapping({"B": "owner_name"}, {"C": {"y": "kuliner"}}))
    assert new.columns == {"A": "name", "B": "owner_name"}
    assert new.values == {"C": {"x": "kriya", "y": "kuliner"}}
    assert Mapping.from_json(new.to_json()) == new and not Mapping()


def test_the_template_runs_in_one_step_and_an_office_workbook_does_not() -> None:
    assert table(EXAMPLE.read_bytes()).in_template_format
    office = table(office_csv("utf-8-sig"))
    assert not office.in_template_format and office.problems == ()
    assert office.columns_key == table(office_csv("cp1252")).columns_key


def test_a_missing_column_is_listed_for_the_preview_and_a_mapping_or_the_regency_supplies_it() -> None:
    header = EXAMPLE.read_text().splitlines()
    content = "\n".join([header[0].replace("workers", "pekerja").replace("regency_code", "kab"),
                         *header[1:3]]).encode()
    with pytest.raises(ApiError) as refused:
        table(content, strict=True)
    assert {e.field for e in refused.value.body.errors} >= {"workers", "regency_code", "pekerja"}
    listed = table(content)
    assert {p.field for p in listed.problems} == {"workers", "regency_code"}
    assert not listed.in_template_format
    mapped = table(content, mapping=Mapping({"pekerja": "workers", "kab": None}), regency="5104")
    assert mapped.problems == ()
    assert ("pekerja", "workers", "mapping") in mapped.uses and ("kab", None, "mapping") in mapped.uses
    assert all(values["regency_code"] == "5104" and values["workers"] for _, values in mapped.rows)


def test_the_preview_counts_problems_per_column_lists_unresolved_values_and_shows_the_first_rows() -> None:
    parsed = table(office_csv("utf-8-sig"))
    places = Places(bps_regions())

    def parse(values: dict[str, str]) -> IkmCreate | service.RowOutcome:
        return service.parse_row(values, {}, lambda: places, parsed.labels)

    columns, rows, ready = build_preview(parsed, parse, show_personal=False, sample=3)
    by_name = {c.column: c for c in columns}
    commodity = by_name["KOMODITI / PRODUK"]
    assert (commodity.field, commodity.source, commodity.problems) == ("product_name", "office", 1)
    assert [(v.value, v.rows) for v in commodity.unresolved] == [("Jasa Servis", 1)]
    nik = by_name["NIK"]
    assert nik.problems == 1 and nik.unresolved == []  # personal data: counted, never listed
    assert by_name["KET"].field is None and by_name["KET"].confidence == 0.0
    assert (by_name["NAMA PERUSAHAAN"].confidence, by_name["L/P"].confidence) == (0.95, 0.9)
    # Without an admin's namesake of Kemenuh, only the NIK, the unknown desa and the commodity refuse a row.
    assert ready == len(OFFICE_ROWS) - 3
    assert [r.row for r in rows] == [7, 8, 9]
    assert rows[0].ikm is not None and rows[0].ikm["sector"] == "kriya"
    assert rows[0].ikm["owner"]["nik"] == "5104********0001"

    mapped = table(office_csv("utf-8-sig"), mapping=Mapping(values={"KOMODITI / PRODUK": {"jasa servis": "kriya"}}))
    columns, _, ready_after = build_preview(mapped, parse, show_personal=True)
    assert ready_after == ready + 1
    assert {c.column: c.problems for c in columns}["KOMODITI / PRODUK"] == 0


def test_a_correction_names_a_column_as_the_file_does_and_refuses_one_it_lacks() -> None:
    labels = ["NO. HP", "KOMODITI / PRODUK"]
    update = MappingUpdate.model_validate({"columns": [{"column": "no hp", "field": "owner_phone"}],
                                           "values": [{"column": "KOMODITI / PRODUK", "value": " Kerajinan ",
                                                       "to": "kriya"}]})
    assert choices(update, labels) == Mapping({"NO. HP": "owner_phone"}, {"KOMODITI / PRODUK": {"kerajinan": "kriya"}})
    with pytest.raises(ApiError) as refused:
        choices(MappingUpdate.model_validate({"columns": [{"column": "EMAIL", "field": None}]}), labels)
    [error] = refused.value.body.errors
    assert error.field == "columns.0.column" and "EMAIL" in error.message and "EMAIL" in error.message_en
    with pytest.raises(ValueError, match="fields"):
        MappingUpdate.model_validate({"columns": [{"column": "NO. HP", "field": "email"}]})


def test_the_sheets_read_at_upload_are_kept_for_the_last_two_previews_only() -> None:
    recent = _RecentSheets(size=2)
    first, second, third = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    sheets = read_sheets(EXAMPLE.read_bytes(), "f.csv", 100)
    for job_id in (first, second, third):
        recent.put(job_id, sheets)
    assert recent.get(first) is None and recent.get(third) is sheets
    recent.drop(third)
    assert recent.get(third) is None and recent.get(second) is sheets


def test_a_place_name_is_resolved_once_and_a_name_that_fails_fails_the_same_way_every_time() -> None:
    places = Places(bps_regions())
    first = places.village("5104", "5104010", "Desa Celuk")
    assert places.village("5104", "5104010", "Desa Celuk") is first and first.code == "5104010905"
    messages = []
    for _ in range(2):
        with pytest.raises(ValueProblem) as failed:
            places.village("5104", "5104010", "Singapadu Kaja")
        messages.append((failed.value.message, failed.value.message_en))
    assert messages[0] == messages[1] and "Sukawati" in messages[0][0]
    assert places.district("5104", "sukawati") == places.district("5104", "sukawati") == "5104010"
