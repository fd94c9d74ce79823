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


def test_the_2017_list_has_42_of_denpasars_43_villages() -> None:
    # DOMAIN.md: Denpasar has 43 desa/kelurahan; the 2017 list lacks Ubung (Denpasar Utara).
    index = bps_regions()
    villages = [v for d in index.children["5171"] for v in index.children[d.code]]
    assert len(villages) == 42
    assert "Ubung" not in {v.name for v in villages}


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
