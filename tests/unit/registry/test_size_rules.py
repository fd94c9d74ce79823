"""Derived classes of an IKM (Permenperin 64/2016, PP 7/2021), the name key imports match on, the
sentra minimum, and the fuller record's validation."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from registry.rules import (
    BILLION,
    industry_class,
    name_key,
    rupiah,
    sentra_below_minimum,
    sentra_decree_missing,
    umkm_scale,
)
from registry.schemas import IkmCreate, IkmUpdate, SentraCreate
from shared.errors import validation_errors

MILLION = 1_000_000


@pytest.mark.parametrize(("workers", "investment", "value"), [
    (6, 150 * MILLION, "kecil"), (19, BILLION - 1, "kecil"), (19, None, "kecil"),
    (19, BILLION, "menengah"), (20, 10 * MILLION, "menengah"), (20, None, "menengah"),
    (5, 15 * BILLION, "menengah"), (5, 15 * BILLION + 1, "besar"), (200, 16 * BILLION, "besar"),
])
def test_industry_class_follows_permenperin_64_2016(workers: int, investment: int | None, value: str) -> None:
    assert industry_class(workers, investment).value == value


def test_industry_class_explains_itself_to_a_registrar() -> None:
    assert industry_class(6, 150 * MILLION).reason == (
        "Industri kecil: 6 tenaga kerja (paling banyak 19) dan investasi Rp 150.000.000 (di bawah Rp 1 miliar) "
        "(Permenperin 64/2016).")
    assert industry_class(25, None).reason == (
        "Industri menengah: 25 tenaga kerja (20 atau lebih) (Permenperin 64/2016).")
    assert industry_class(3, None).reason == (
        "Industri kecil: 3 tenaga kerja (paling banyak 19); nilai investasi belum diisi (Permenperin 64/2016).")
    assert industry_class(5, 20 * BILLION).reason_en == (
        "Large industry: investment Rp 20.000.000.000 is above Rp 15 bn (Permenperin 64/2016).")


@pytest.mark.parametrize(("capital", "sales", "value"), [
    (BILLION, None, "mikro"), (BILLION + 1, None, "kecil"), (5 * BILLION, None, "kecil"),
    (10 * BILLION, None, "menengah"), (10 * BILLION + 1, None, "besar"),
    (None, 2 * BILLION, "mikro"), (None, 15 * BILLION, "kecil"), (None, 50 * BILLION, "menengah"),
    (None, 51 * BILLION, "besar"), (100 * MILLION, 40 * BILLION, "mikro"),
])
def test_umkm_scale_follows_pp_7_2021_capital_first(capital: int | None, sales: int | None, value: str) -> None:
    scale = umkm_scale(capital, sales)
    assert scale is not None and scale.value == value


def test_umkm_scale_is_unknown_without_capital_or_sales_and_says_why_otherwise() -> None:
    assert umkm_scale(None, None) is None
    scale = umkm_scale(None, 3 * BILLION)
    assert scale is not None and scale.reason == (
        "Usaha kecil: hasil penjualan tahunan Rp 3.000.000.000 (paling banyak Rp 15.000.000.000) (PP 7/2021).")


def test_rupiah_uses_the_indonesian_thousands_separator() -> None:
    assert rupiah(150_000_000) == "Rp 150.000.000"


@pytest.mark.parametrize(("a", "b"), [
    ("UD Perak Sari Singapadu", "Perak Sari Singapadu"), ("UD. Perak Sari, Singapadu", "perak  sari singapadu"),
    ("Topeng Kayu MAS", "topeng kayu mas"), ("CV Bambu Lestari", "Bambu-Lestari"), ("Kopi Kintamâni", "kopi kintamani"),
])
def test_the_name_key_ignores_case_punctuation_accents_and_legal_form(a: str, b: str) -> None:
    assert name_key(a) == name_key(b)


def test_different_businesses_keep_different_name_keys() -> None:
    assert name_key("Perak Sari") != name_key("Perak Sari Jaya")


def test_a_sentra_needs_five_members() -> None:
    assert sentra_below_minimum(4) is True
    assert sentra_below_minimum(5) is False


def test_an_official_sentra_without_its_decree_number_or_date_is_flagged() -> None:
    assert sentra_decree_missing("official", None, None) is True
    assert sentra_decree_missing("official", "188.45/77/HK/2019", None) is True
    assert sentra_decree_missing("official", "", date(2019, 6, 10)) is True
    assert sentra_decree_missing("official", "188.45/77/HK/2019", date(2019, 6, 10)) is False
    assert sentra_decree_missing("candidate", None, None) is False
    assert sentra_decree_missing("informal", None, None) is False


BASE: dict[str, Any] = {"name": "Perak Sari", "owner": {"name": "Ni Made Sari", "nik": "5104014101800001"},
                        "sector": "kriya", "regency_code": "5104", "district_code": "5104010",
                        "village_code": "5104010007", "workers": 6}


def messages(model: type[IkmCreate] | type[IkmUpdate] | type[SentraCreate], body: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(body)
    return {e.field: e.message for e in validation_errors(caught.value.errors())}


def test_kbli_version_defaults_to_2020_and_needs_a_kbli() -> None:
    assert IkmCreate.model_validate({**BASE, "kbli": "32112"}).kbli_version == "2020"
    assert IkmCreate.model_validate({**BASE, "kbli": "32112", "kbli_version": "2025"}).kbli_version == "2025"
    assert messages(IkmCreate, {**BASE, "kbli_version": "2025"}) == {
        "kbli_version": "Versi KBLI diisi tetapi kode KBLI kosong."}
    assert messages(IkmCreate, {**BASE, "kbli": "32112", "kbli_version": "2017"}) == {
        "kbli_version": "Harus salah satu dari: '2020' or '2025'."}


def test_a_certificate_may_name_its_issuer() -> None:
    ikm = IkmCreate.model_validate({**BASE, "certifications": [
        {"kind": "competency", "number": "LSP-1", "issuer": "LSP Kriya Bali"}]})
    assert ikm.certifications[0].issuer == "LSP Kriya Bali"


def test_status_is_active_by_default_and_one_of_three() -> None:
    assert IkmCreate.model_validate(BASE).status == "active"
    assert messages(IkmCreate, {**BASE, "status": "bangkrut"}) == {
        "status": "Harus salah satu dari: 'active', 'inactive' or 'closed'."}


def test_a_patch_may_not_clear_a_required_field_but_may_clear_an_optional_one() -> None:
    assert messages(IkmUpdate, {"workers": None}) == {"workers": "Wajib diisi; tidak boleh dikosongkan."}
    assert IkmUpdate.model_validate({"koperasi_name": None}).model_fields_set == {"koperasi_name"}
    assert messages(IkmUpdate, {"owner": {"nik": "123"}}) == {
        "owner.nik": "NIK harus 16 digit angka (diisi 3 karakter)."}
    assert messages(IkmUpdate, {"colour": "red"}) == {"colour": "Kolom ini tidak dikenal."}


def test_a_sentra_records_its_koperasi_problems_and_desa_wisata() -> None:
    sentra = SentraCreate.model_validate({"name": "Sentra Perak Celuk", "sector": "kriya", "regency_code": "5104",
                                          "kind": "official", "koperasi_name": "Kop. Perajin Perak Celuk",
                                          "problems": ["harga perak naik"], "tourism_village": "Desa Wisata Celuk",
                                          "location": "Jl. Raya Celuk"})
    assert sentra.problems == ["harga perak naik"]
    assert messages(SentraCreate, {"name": "S", "sector": "kriya", "regency_code": "5104", "kind": "resmi"}) == {
        "kind": "Harus salah satu dari: 'official', 'candidate' or 'informal'."}
