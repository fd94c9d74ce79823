"""The BPS region list the registry validates against (DOMAIN.md, Regions)."""

from __future__ import annotations

from registry.regions import Region, RegionIndex, bps_regions


def test_bali_is_province_51() -> None:
    bali = bps_regions().get("51")
    assert bali is not None
    assert bali.name == "Bali"
    assert bali.level == "province"
    assert bali.parent_code is None


def test_bali_has_nine_regencies_and_cities() -> None:
    regencies = bps_regions().children["51"]
    assert len(regencies) == 9
    assert all(r.level == "regency" for r in regencies)
    assert "Kota Denpasar" in {r.name for r in regencies}


def test_bali_has_57_districts() -> None:
    index = bps_regions()
    districts = [d for r in index.children["51"] for d in index.children[r.code]]
    assert len(districts) == 57


def test_kota_denpasar_has_four_districts() -> None:
    index = bps_regions()
    denpasar = index.get("5171")
    assert denpasar is not None and denpasar.name == "Kota Denpasar"
    assert len(index.children["5171"]) == 4


def test_denpasars_43_villages_with_ubung_from_the_kemendagri_list() -> None:
    # DOMAIN.md: Denpasar has 43 desa/kelurahan; the 2017 BPS list lacks Ubung (Denpasar Utara).
    index = bps_regions()
    villages = [v for d in index.children["5171"] for v in index.children[d.code]]
    assert len(villages) == 43
    ubung = next(v for v in villages if v.name == "Ubung")
    assert ubung == Region(code="5171031807", parent_code="5171031", name="Ubung")


def test_the_villages_bps_2017_lacks_in_gianyar_are_listed_and_old_codes_stay() -> None:
    index = bps_regions()
    sukawati = {v.name: v.code for v in index.children["5104010"]}
    assert sukawati["Celuk"] == "5104010905" and sukawati["Ketewel"] == "5104010902"
    assert sukawati["Singapadu"] == "5104010007"  # a BPS 2017 code, as records hold it
    names = {v.name for d in ("5104020", "5104050") for v in index.children[d]}
    assert {"Bedulu", "Ubud", "Petulu"} <= names


def test_kemendagri_codes_lead_to_the_codes_the_register_stores() -> None:
    index = bps_regions()
    assert index.kemendagri["5104012005"] == "5104010905"  # Celuk, new to the list
    assert index.kemendagri["5104012006"] == "5104010007"  # Singapadu keeps its BPS code
    assert index.kemendagri["510401"] == "5104010"  # the kecamatan Sukawati


def test_singapadu_lies_in_sukawati_in_gianyar() -> None:
    index = bps_regions()
    village = index.get("5104010007")
    assert village == Region(code="5104010007", parent_code="5104010", name="Singapadu")
    assert village.level == "village"
    district = index.get("5104010")
    assert district is not None and district.name == "Sukawati" and district.parent_code == "5104"
    regency = index.get("5104")
    assert regency is not None and regency.name == "Kabupaten Gianyar" and regency.parent_code == "51"


def test_every_code_nests_inside_its_parent_one_level_up() -> None:
    index = bps_regions()
    order = ["province", "regency", "district", "village"]
    for region in index.by_code.values():
        if region.parent_code is None:
            assert region.level == "province"
            continue
        parent = index.get(region.parent_code)
        assert parent is not None, region
        assert region.code.startswith(parent.code), region
        assert order.index(region.level) == order.index(parent.level) + 1, region


def test_an_unknown_code_is_not_found() -> None:
    assert bps_regions().get("5104010999") is None
    assert bps_regions().get("") is None


def test_the_region_list_is_loaded_once() -> None:
    assert bps_regions() is bps_regions()


def test_an_index_groups_regions_under_their_parent() -> None:
    index = RegionIndex([
        Region("51", None, "Bali"),
        Region("5104", "51", "Kabupaten Gianyar"),
        Region("5171", "51", "Kota Denpasar"),
    ])
    assert [r.code for r in index.children["51"]] == ["5104", "5171"]
    assert "5104" not in index.children
    assert index.get("5171") == Region("5171", "51", "Kota Denpasar")
