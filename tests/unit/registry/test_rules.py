"""Registry rules: who sees personal data, how it is masked, and how region codes must nest."""

from __future__ import annotations

import pytest

from registry.regions import bps_regions
from registry.rules import mask_address, mask_nik, mask_phone, may_see_personal_data, region_problems
from shared.auth import Principal
from shared.errors import FieldError


def principal(*roles: str) -> Principal:
    return Principal(username="someone", roles=frozenset(roles))


def problems_for(regency: str, district: str, village: str) -> list[FieldError]:
    index = bps_regions()
    lookup = {code: index.get(code) for code in (regency, district, village)}
    return region_problems(lookup, regency, district, village)


# --- who may see personal data -------------------------------------------------------------------


@pytest.mark.parametrize("role", ["registrar", "admin"])
def test_registrars_and_admins_see_personal_data(role: str) -> None:
    assert may_see_personal_data(principal(role)) is True


@pytest.mark.parametrize("role", ["curator", "organiser", "operator"])
def test_other_roles_do_not_see_personal_data(role: str) -> None:
    assert may_see_personal_data(principal(role)) is False


def test_a_caller_without_roles_does_not_see_personal_data() -> None:
    assert may_see_personal_data(principal()) is False


def test_a_curator_who_is_also_a_registrar_sees_personal_data() -> None:
    assert may_see_personal_data(principal("curator", "registrar")) is True


# --- masking ------------------------------------------------------------------------------------


def test_a_nik_keeps_its_regency_prefix_and_last_four_digits() -> None:
    assert mask_nik("5104014101800001") == "5104********0001"


def test_a_masked_nik_hides_the_birth_date() -> None:
    masked = mask_nik("5104014101800001")
    assert "410180" not in masked
    assert len(masked) == 16


def test_a_nik_of_eight_characters_or_fewer_is_hidden_entirely() -> None:
    assert mask_nik("12345678") == "********"
    assert mask_nik("123") == "***"


def test_no_nik_length_comes_back_unmasked() -> None:
    niks = ["123456789012345678901"[:length] for length in range(1, 21)]
    assert [nik for nik in niks if mask_nik(nik) == nik] == []
    assert [len(mask_nik(nik)) for nik in niks] == [len(nik) for nik in niks]


def test_a_phone_keeps_its_first_four_and_last_three_digits() -> None:
    assert mask_phone("081234567890") == "0812*****890"


def test_an_international_phone_is_masked_in_the_middle() -> None:
    assert mask_phone("+6281234567890") == "+628*******890"


def test_a_short_phone_is_hidden_entirely() -> None:
    assert mask_phone("123456") == "******"


def test_a_missing_phone_stays_missing() -> None:
    assert mask_phone(None) is None
    assert mask_phone("") == ""


def test_no_phone_length_comes_back_unmasked() -> None:
    phones = ["081234567890123456789"[:length] for length in range(1, 21)]
    assert [phone for phone in phones if mask_phone(phone) == phone] == []
    assert [len(mask_phone(phone) or "") for phone in phones] == [len(phone) for phone in phones]


def test_an_address_is_replaced_by_a_bilingual_placeholder() -> None:
    masked = mask_address("Jl. Raya Singapadu No. 7")
    assert masked == "(disembunyikan / hidden)"
    assert "Singapadu" not in masked


def test_a_missing_address_stays_missing() -> None:
    assert mask_address(None) is None


# --- region codes -------------------------------------------------------------------------------


def test_singapadu_in_sukawati_in_gianyar_has_no_problems() -> None:
    assert problems_for("5104", "5104010", "5104010007") == []


def test_an_unknown_village_code_is_refused_and_says_an_admin_can_add_it() -> None:
    problems = problems_for("5104", "5104010", "5104010999")
    assert [p.field for p in problems] == ["village_code"]
    assert "admin" in problems[0].message
    assert "admin" in problems[0].message_en


def test_an_unknown_regency_code_is_refused() -> None:
    problems = problems_for("5199", "5104010", "5104010007")
    assert [p.field for p in problems] == ["regency_code"]
    assert "5199" in problems[0].message_en


def test_a_province_code_given_as_regency_is_refused() -> None:
    problems = problems_for("51", "5104010", "5104010007")
    assert "regency_code" in [p.field for p in problems]


def test_a_district_of_another_regency_is_refused() -> None:
    # 5171010 is Denpasar Selatan, in Kota Denpasar, not in Gianyar.
    problems = problems_for("5104", "5171010", "5104010007")
    fields = [p.field for p in problems]
    assert "district_code" in fields
    district_problem = next(p for p in problems if p.field == "district_code")
    assert "Gianyar" in district_problem.message_en


def test_a_village_of_another_district_is_refused() -> None:
    # 5104020001 lies in district 5104020 (Blahbatuh), not in Sukawati.
    problems = problems_for("5104", "5104010", "5104020001")
    assert [p.field for p in problems] == ["village_code"]
    assert "Sukawati" in problems[0].message_en


def test_a_district_code_given_as_village_is_refused() -> None:
    problems = problems_for("5104", "5104010", "5104010")
    assert [p.field for p in problems] == ["village_code"]


def test_every_problem_is_worded_in_indonesian_and_english() -> None:
    problems = problems_for("9999", "9999999", "9999999999")
    assert {p.field for p in problems} == {"regency_code", "district_code", "village_code"}
    for problem in problems:
        assert problem.message and problem.message_en
        assert problem.message != problem.message_en
