"""Regions by name as offices write them (issue 15)."""

from __future__ import annotations

import pytest

from registry.region_names import Places, place_key, regency_in_title
from registry.regions import Region, bps_regions
from registry.values import ValueProblem


@pytest.fixture(scope="module")
def places() -> Places:
    return Places(bps_regions())


@pytest.mark.parametrize("text", ["Desa Singapadu", "Ds. Singapadu", "DS SINGAPADU", "singapadu", "Singa padu",
                                  "Kel. Singapadu", "  SINGAPADU "])
def test_prefixes_case_and_spacing_are_ignored(text: str) -> None:
    assert place_key(text) == "singapadu"


def test_names_resolve_within_the_kabupaten(places: Places) -> None:
    assert places.regency("Gianyar") == "5104" and places.regency("KABUPATEN GIANYAR") == "5104"
    assert places.regency("Kota Denpasar") == "5171" and places.regency("51.04") == "5104"
    assert places.district("5104", "SUKAWATI") == "5104010" and places.district("5104", "Kec. Ubud") == "5104050"
    assert places.village("5104", "5104010", "Desa Singapadu").code == "5104010007"
    assert places.village("5104", None, "Ds. Singapadu Tengah").code == "5104010008"


def test_villages_missing_from_bps_2017_resolve(places: Places) -> None:
    for name, district in (("Celuk", "5104010"), ("Ketewel", "5104010"), ("Kemenuh", "5104010"),
                           ("Bedulu", "5104020"), ("Ubud", "5104050"), ("Petulu", "5104050")):
        village = places.village("5104", None, f"Desa {name}")
        assert village.parent_code == district and village.name == name


def test_close_spellings_resolve(places: Places) -> None:
    assert places.village("5104", "5104010", "Singapdu").code == "5104010007"
    assert places.district("5104", "Blahbatu") == "5104020"


def test_a_different_direction_word_is_another_village_not_a_typo(places: Places) -> None:
    with pytest.raises(ValueProblem, match="not found"):
        places.village("5104", "5104010", "Singapadu Kaja")


def test_kemendagri_dotted_codes(places: Places) -> None:
    assert places.village("5104", None, "51.04.01.2005").code == "5104010905"  # Celuk
    assert places.village("5104", None, "51.04.01.2006").code == "5104010007"  # Singapadu, its BPS code
    assert places.district("5104", "51.04.01") == "5104010"


def test_a_name_in_two_kecamatan_names_the_candidates(places: Places) -> None:
    # An admin-added namesake in another kecamatan of the kabupaten.
    twin = Places(bps_regions(), [Region("5104020099", "5104020", "Singapadu")])
    with pytest.raises(ValueProblem) as caught:
        twin.village("5104", None, "Singapadu")
    assert "lebih dari satu" in caught.value.message
    assert "Sukawati" in caught.value.message and "Blahbatuh" in caught.value.message
    assert "5104010007" in caught.value.message_en and "5104020099" in caught.value.message_en
    assert twin.village("5104", "5104010", "Singapadu").code == "5104010007"  # the kecamatan decides


def test_an_unknown_name_suggests_near_ones(places: Places) -> None:
    with pytest.raises(ValueProblem) as caught:
        places.village("5104", "5104010", "Batubolong")
    assert "tidak ditemukan di Kecamatan Sukawati" in caught.value.message and "Batubulan" in caught.value.message


def test_an_added_village_wins_over_a_listed_namesake(places: Places) -> None:
    added = Places(bps_regions(), [Region("5104010006", "5104010", "Celuk")])
    assert added.village("5104", "5104010", "Celuk").code == "5104010006"


def test_the_kabupaten_in_a_title_block(places: Places) -> None:
    assert regency_in_title(places, ["DATA INDUSTRI KECIL MENENGAH KABUPATEN GIANYAR TAHUN 2025"]) == "5104"
    assert regency_in_title(places, ["DINAS PERINDUSTRIAN DAN PERDAGANGAN", "KOTA DENPASAR"]) == "5171"
    assert regency_in_title(places, ["DATA IKM KAB. BANGLI PROVINSI BALI"]) == "5106"
    assert regency_in_title(places, ["REKAPITULASI DATA IKM"]) is None
