"""What the registry accepts when an IKM is registered (SPEC.md, Core resources: registry)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from pydantic import ValidationError

from registry.schemas import IkmCreate, VillageCreate
from shared.domain import SECTORS

# The IKM of SPEC.md, as a registrar enters it.
SPEC_IKM: dict[str, Any] = {
    "nib": "9120301234567",
    "name": "UD Perak Sari Singapadu",
    "owner": {"name": "Ni Made Sari", "nik": "5104014101800001", "phone": "081234567890", "gender": "F"},
    "sector": "kriya",
    "kbli": "32112",
    "regency_code": "5104", "district_code": "5104010", "village_code": "5104010007",
    "address": "Jl. Raya Singapadu",
    "sentra_id": None,
    "workers": 6,
    "investment_idr": 150000000,
    "certifications": [{"kind": "halal", "number": "ID51110000123", "valid_until": "2028-01-31"}],
    "needs": ["capital", "market_access", "machinery"],
    "products": [{"name": "Cincin perak motif jawan", "category": "perhiasan", "price_idr": 450000,
                  "monthly_capacity": 200}],
}


def ikm(**changes: Any) -> dict[str, Any]:
    body = copy.deepcopy(SPEC_IKM)
    body.update(changes)
    return body


def with_owner(**changes: Any) -> dict[str, Any]:
    body = ikm()
    body["owner"].update(changes)
    return body


def errors_for(body: dict[str, Any]) -> list[dict[str, Any]]:
    with pytest.raises(ValidationError) as caught:
        IkmCreate.model_validate(body)
    return [dict(e) for e in caught.value.errors()]


def only_error(body: dict[str, Any]) -> dict[str, Any]:
    errors = errors_for(body)
    assert len(errors) == 1, errors
    return errors[0]


def test_the_ikm_of_the_spec_is_accepted() -> None:
    created = IkmCreate.model_validate(SPEC_IKM)
    assert created.nib == "9120301234567"
    assert created.owner.nik == "5104014101800001"
    assert created.products[0].price_idr == 450000


# --- NIB ----------------------------------------------------------------------------------------


def test_an_ikm_without_a_nib_is_accepted() -> None:
    body = ikm()
    del body["nib"]
    assert IkmCreate.model_validate(body).nib is None


@pytest.mark.parametrize("blank", ["", "   "])
def test_a_blank_nib_counts_as_no_nib(blank: str) -> None:
    assert IkmCreate.model_validate(ikm(nib=blank)).nib is None


def test_a_nib_with_surrounding_spaces_is_trimmed() -> None:
    assert IkmCreate.model_validate(ikm(nib=" 9120301234567 ")).nib == "9120301234567"


def test_a_nib_of_12_digits_is_refused() -> None:
    error = only_error(ikm(nib="912030123456"))
    assert error["loc"] == ("nib",)
    assert error["type"] == "sentra"
    assert "13 digit" in error["msg"]
    assert "13 digits" in error["ctx"]["en"]


def test_a_nib_of_14_digits_is_refused() -> None:
    assert only_error(ikm(nib="91203012345678"))["loc"] == ("nib",)


def test_a_nib_with_a_letter_is_refused() -> None:
    assert only_error(ikm(nib="912030123456A"))["type"] == "sentra"


# --- NIK ----------------------------------------------------------------------------------------


def test_a_nik_of_15_digits_is_refused_with_a_bilingual_message() -> None:
    error = only_error(with_owner(nik="510401410180000"))
    assert error["loc"] == ("owner", "nik")
    assert error["type"] == "sentra"
    assert error["msg"] == "NIK harus 16 digit angka (diisi 15 karakter)."
    assert error["ctx"]["en"] == "NIK must be 16 digits (15 characters given)."


def test_a_nik_of_17_digits_is_refused() -> None:
    assert only_error(with_owner(nik="51040141018000011"))["loc"] == ("owner", "nik")


def test_a_nik_with_dots_is_refused() -> None:
    assert only_error(with_owner(nik="5104.0141.0180.01"))["type"] == "sentra"


def test_a_nik_is_required() -> None:
    body = ikm()
    del body["owner"]["nik"]
    error = only_error(body)
    assert error["loc"] == ("owner", "nik")
    assert error["type"] == "missing"


def test_a_nik_in_fullwidth_digits_is_refused() -> None:
    # Python's \d matches any Unicode decimal digit; a NIK (or NIB) must be ASCII 0-9, or the same
    # number could be registered twice under two spellings.
    fullwidth = "5104014101800001".translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert len(fullwidth) == 16
    error = only_error(with_owner(nik=fullwidth))
    assert error["loc"] == ("owner", "nik")


def test_a_nib_in_arabic_indic_digits_is_refused() -> None:
    arabic_indic = "9120301234567".translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    error = only_error(ikm(nib=arabic_indic))
    assert error["loc"] == ("nib",)


# --- KBLI ---------------------------------------------------------------------------------------


def test_a_kbli_of_5_digits_is_accepted() -> None:
    assert IkmCreate.model_validate(ikm(kbli="10792")).kbli == "10792"


def test_a_kbli_may_be_left_out() -> None:
    assert IkmCreate.model_validate(ikm(kbli=None)).kbli is None


@pytest.mark.parametrize("kbli", ["3211", "321120", "32A12"])
def test_a_kbli_that_is_not_5_digits_is_refused(kbli: str) -> None:
    error = only_error(ikm(kbli=kbli))
    assert error["loc"] == ("kbli",)
    assert "5 digits" in error["ctx"]["en"]


# --- phone --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("given", "stored"), [
    ("081234567890", "081234567890"),
    ("+6281234567890", "+6281234567890"),
    ("6281234567890", "6281234567890"),
    ("0812-3456-7890", "081234567890"),
    ("0812 3456 7890", "081234567890"),
    ("0361123456", "0361123456"),
])
def test_an_indonesian_phone_number_is_accepted_and_normalised(given: str, stored: str) -> None:
    assert IkmCreate.model_validate(with_owner(phone=given)).owner.phone == stored


@pytest.mark.parametrize("phone", ["12345", "081234", "0812abc45678", "+6581234567890", "08123456789012345"])
def test_a_malformed_phone_number_is_refused(phone: str) -> None:
    error = only_error(with_owner(phone=phone))
    assert error["loc"] == ("owner", "phone")
    assert error["type"] == "sentra"
    assert "081234567890" in error["ctx"]["en"]


def test_a_phone_may_be_left_out() -> None:
    assert IkmCreate.model_validate(with_owner(phone=None)).owner.phone is None


# --- workers, sector and the rest ---------------------------------------------------------------


def test_an_ikm_with_no_workers_is_refused() -> None:
    error = only_error(ikm(workers=0))
    assert error["loc"] == ("workers",)
    assert error["type"] == "greater_than_equal"


def test_an_ikm_with_one_worker_is_accepted() -> None:
    assert IkmCreate.model_validate(ikm(workers=1)).workers == 1


def test_the_seventeen_creative_economy_subsectors_are_the_sector_codes() -> None:
    assert len(SECTORS) == 17
    assert len(set(SECTORS)) == 17
    assert {"kriya", "kuliner", "fesyen", "film_animasi_video", "pengembangan_permainan"} <= set(SECTORS)


def test_every_subsector_code_is_accepted() -> None:
    assert [IkmCreate.model_validate(ikm(sector=sector)).sector for sector in SECTORS] == list(SECTORS)


@pytest.mark.parametrize("sector", ["kerajinan", "Kriya", "fashion", ""])
def test_a_local_label_or_unknown_sector_is_refused(sector: str) -> None:
    error = only_error(ikm(sector=sector))
    assert error["loc"] == ("sector",)
    assert error["type"] == "literal_error"


def test_a_negative_product_price_is_refused_at_its_position() -> None:
    body = ikm()
    body["products"][0]["price_idr"] = -1
    error = only_error(body)
    assert error["loc"] == ("products", 0, "price_idr")


def test_an_unknown_field_is_refused() -> None:
    error = only_error(ikm(nomor_induk="123"))
    assert error["type"] == "extra_forbidden"


def test_several_wrong_fields_are_all_reported() -> None:
    body = with_owner(nik="123")
    body.update(nib="1", workers=0, sector="batik")
    locs = {e["loc"] for e in errors_for(body)}
    assert locs == {("owner", "nik"), ("nib",), ("workers",), ("sector",)}


# --- villages an admin adds ---------------------------------------------------------------------


def test_a_missing_village_can_be_added_under_its_district() -> None:
    village = VillageCreate.model_validate({"code": "5104010099", "district_code": "5104010", "name": " Celuk "})
    assert (village.code, village.district_code, village.name) == ("5104010099", "5104010", "Celuk")


@pytest.mark.parametrize("code", ["510401009", "51040100999", "510401009A"])
def test_a_village_code_that_is_not_ten_digits_is_refused(code: str) -> None:
    with pytest.raises(ValidationError) as caught:
        VillageCreate.model_validate({"code": code, "district_code": "5104010", "name": "Celuk"})
    assert [e["loc"] for e in caught.value.errors()] == [("code",)]


def test_a_village_code_in_arabic_indic_digits_is_refused() -> None:
    arabic_indic = "5104010099".translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    with pytest.raises(ValidationError) as caught:
        VillageCreate.model_validate({"code": arabic_indic, "district_code": "5104010", "name": "Celuk"})
    assert [e["loc"] for e in caught.value.errors()] == [("code",)]
