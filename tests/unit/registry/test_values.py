"""Values as offices type them (issue 15): each form read, or refused saying what to write."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from registry import values
from registry.sectors import derive_sector, sector_from_kbli, sector_from_text
from registry.values import Capacity, ValueProblem


@pytest.mark.parametrize("text", ["-", "—", "Belum ada", "belum  ada.", "Dalam proses", "TIDAK ADA", " "])
def test_empty_markers_mean_no_value(text: str) -> None:
    assert values.is_empty_marker(text)


@pytest.mark.parametrize("text", ["0", "Ada", "Tidak", "Perak"])
def test_values_are_not_empty_markers(text: str) -> None:
    assert not values.is_empty_marker(text)


@pytest.mark.parametrize(("text", "amount"), [
    ("150000000", 150_000_000), ("Rp. 25.000.000,-", 25_000_000), ("Rp25.000.000,00", 25_000_000),
    ("Rp 150.000.000", 150_000_000), ("25 juta", 25_000_000), ("1,5 M", 1_500_000_000), ("1.5 M", 1_500_000_000),
    ("500 rb", 500_000), ("150,000,000", 150_000_000), ("2,5 jt", 2_500_000), ("Rp. 7.500.000", 7_500_000),
])
def test_money_as_offices_write_it(text: str, amount: int) -> None:
    assert values.parse_money(text) == amount


@pytest.mark.parametrize("text", ["dua juta", "25 kodi", "Rp 1,2345", "banyak"])
def test_unreadable_money_says_what_to_write(text: str) -> None:
    with pytest.raises(ValueProblem) as caught:
        values.parse_money(text)
    assert text in caught.value.message and "25 juta" in caught.value.message
    assert "write a number" in caught.value.message_en


@pytest.mark.parametrize(("text", "unit", "capacity", "monthly"), [
    ("500 pcs/bulan", "", Capacity(Decimal(500), None, "pcs", "bulan"), 500),
    ("1,5 ton", "", Capacity(Decimal("1.5"), None, "ton", ""), 1500),
    ("100-150", "", Capacity(Decimal(100), Decimal(150), "", ""), 100),
    ("1.200", "buah/tahun", Capacity(Decimal(1200), None, "buah", "tahun"), 100),
    ("2.000 buah per tahun", "", Capacity(Decimal(2000), None, "buah", "tahun"), 166),
    ("300", "Pcs", Capacity(Decimal(300), None, "pcs", ""), 300),
])
def test_capacity_with_its_unit_and_period(text: str, unit: str, capacity: Capacity, monthly: int) -> None:
    assert values.parse_capacity(text, unit) == capacity
    assert values.monthly_units(capacity) == monthly


def test_an_unknown_capacity_period_is_refused() -> None:
    with pytest.raises(ValueProblem, match="per hari"):
        values.parse_capacity("500 pcs/musim")


@pytest.mark.parametrize(("text", "day"), [
    ("31/01/28", date(2028, 1, 31)), ("31/01/2028", date(2028, 1, 31)), ("31 Januari 2028", date(2028, 1, 31)),
    ("2028-01-31", date(2028, 1, 31)), ("1-Feb-27", date(2027, 2, 1)), ("5 Nopember 2026", date(2026, 11, 5)),
    ("31.12.2029", date(2029, 12, 31)),
])
def test_dates_as_offices_write_them(text: str, day: date) -> None:
    assert values.parse_date(text) == day


@pytest.mark.parametrize("text", ["31/02/2028", "Januari", "31 Janu 2028", "seumur hidup"])
def test_unreadable_dates_show_an_example(text: str) -> None:
    with pytest.raises(ValueProblem, match="31/01/2028"):
        values.parse_date(text)


def test_nik_and_nib_lose_their_spaces_and_dots() -> None:
    assert values.parse_nik("5104 0141 0180 0001") == "5104014101800001"
    assert values.parse_nik("51.04.01.410180.0001") == "5104014101800001"
    assert values.parse_nib("9120 3012 34567") == "9120301234567"


def test_a_nib_from_a_number_cell_gets_its_leading_zero_back() -> None:
    assert values.parse_nib("912030123456", from_number_cell=True) == "0912030123456"
    with pytest.raises(ValueProblem) as caught:  # typed as text (or a CSV): whether a 0 was lost is not known
        values.parse_nib("912030123456")
    assert "format kolom NIB menjadi Teks" in caught.value.message


@pytest.mark.parametrize(("text", "number_cell"), [("5104014101800000", True), ("5,10401E+15", False),
                                                   ("5.10401E+15", False)])
def test_a_nik_that_may_be_rounded_is_refused_with_the_fix(text: str, number_cell: bool) -> None:
    with pytest.raises(ValueProblem) as caught:
        values.parse_nik(text, from_number_cell=number_cell)
    assert "Teks" in caught.value.message and "Format the NIK column as Text" in caught.value.message_en


@pytest.mark.parametrize(("text", "number_cell", "phone"), [
    ("81234567890", True, "081234567890"), ("0812-3456-7890", False, "081234567890"),
    ("(0361) 123456", False, "0361123456"), ("0812345678 / 0813987654", False, "0812345678"),
    ("0812345678, 0813987654", False, "0812345678"), ("+62 812 3456 7890", False, "+6281234567890"),
    ("6281234567890", True, "6281234567890"), ("81234567890", False, "081234567890"),
    ("361123456", True, "0361123456"),
])
def test_phones_as_offices_write_them(text: str, number_cell: bool, phone: str) -> None:
    assert values.parse_phone(text, from_number_cell=number_cell) == phone


def test_an_unreadable_phone_is_refused() -> None:
    with pytest.raises(ValueProblem, match="081234567890"):
        values.parse_phone("hubungi kantor")


@pytest.mark.parametrize(("text", "gender"), [("LK", "M"), ("PR", "F"), ("L", "M"), ("p", "F"), ("Perempuan", "F"),
                                              ("Laki-laki", "M")])
def test_gender_words(text: str, gender: str) -> None:
    assert values.parse_gender(text) == gender


@pytest.mark.parametrize(("text", "form"), [("C.V.", "cv"), ("CV", "cv"), ("Perseorangan", "perorangan"),
                                            ("Usaha Dagang", "ud"), ("U.D.", "ud"), ("P.T.", "pt"),
                                            ("Koperasi", "koperasi")])
def test_business_forms(text: str, form: str) -> None:
    assert values.parse_business_form(text) == form


@pytest.mark.parametrize(("text", "kind"), [("P-IRT", "pirt"), ("SPP-IRT", "pirt"), ("PIRT", "pirt"),
                                            ("HKI (Merek)", "hki"), ("Halal MUI", "halal"), ("BPOM MD", "bpom_md")])
def test_certificate_kinds(text: str, kind: str) -> None:
    assert values.parse_certificate_kind(text) == kind


def test_an_unknown_word_is_refused_with_the_accepted_ones() -> None:
    with pytest.raises(ValueProblem, match="P-IRT"):
        values.parse_certificate_kind("ISO 9001")
    with pytest.raises(ValueProblem, match="Perorangan, UD, CV"):
        values.parse_business_form("BUMDes")
    with pytest.raises(ValueProblem) as caught:
        values.parse_gender("X")
    assert "L atau P" in caught.value.message


def test_kbli_and_its_words_come_apart() -> None:
    assert values.split_kbli("10792 - Industri Roti") == ("10792", "Industri Roti")
    assert values.split_kbli("Industri Kerajinan Perak (32112)") == ("32112", "Industri Kerajinan Perak")
    assert values.split_kbli("Industri Makanan") == (None, "Industri Makanan")


def test_counts() -> None:
    assert values.parse_count("6") == 6 and values.parse_count("6 orang") == 6 and values.parse_count("6.0") == 6
    with pytest.raises(ValueProblem) as caught:
        values.parse_count("enam")
    assert "bilangan bulat" in caught.value.message


def test_sector_from_kbli_then_from_the_commodity_text() -> None:
    assert sector_from_kbli("32112") == "kriya" and sector_from_kbli("10792") == "kuliner"
    assert sector_from_kbli("47111") is None
    assert sector_from_text("Kerajinan Perak") == "kriya"
    assert sector_from_text("Kain Tenun Endek") == "fesyen"
    assert sector_from_text("Es krim") == "kuliner" and sector_from_text("Tas rotan") in {"fesyen", "kriya"}
    assert sector_from_text("Jasa servis") is None
    assert derive_sector("47111", "Keripik pisang") == "kuliner"
    assert derive_sector(None, "", "Lukisan kaca") == "seni_rupa"
