"""Registry business rules: pure functions, tested without HTTP, database or Redis."""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from registry.regions import Region
from shared.auth import Principal
from shared.errors import FieldError

# Personal data is shown in full only to these roles (SPEC.md, Security).
PERSONAL_DATA_ROLES = ("registrar", "admin")


def may_see_personal_data(principal: Principal) -> bool:
    return principal.has_any(*PERSONAL_DATA_ROLES)


def mask_nik(nik: str) -> str:
    """Keep the regency prefix and the last four digits; hide the birth date and sequence."""
    if len(nik) <= 8:
        return "*" * len(nik)
    return nik[:4] + "*" * (len(nik) - 8) + nik[-4:]


def mask_phone(phone: str | None) -> str | None:
    if not phone:
        return phone
    if len(phone) <= 7:  # too short to show both ends and still hide something
        return "*" * len(phone)
    return phone[:4] + "*" * (len(phone) - 7) + phone[-3:]


def mask_address(address: str | None) -> str | None:
    return None if address is None else "(disembunyikan / hidden)"


def region_problems(
    lookup: dict[str, Region | None], regency_code: str, district_code: str, village_code: str
) -> list[FieldError]:
    """Each region code must exist and nest in the one above it.

    `lookup` maps each of the three codes to its region (None when it exists nowhere).
    """
    problems: list[FieldError] = []
    regency = lookup.get(regency_code)
    district = lookup.get(district_code)
    village = lookup.get(village_code)
    if regency is None or regency.level != "regency":
        problems.append(FieldError(
            field="regency_code",
            message=f"Kode kabupaten/kota {regency_code!r} tidak ada dalam daftar wilayah BPS.",
            message_en=f"Regency code {regency_code!r} is not in the BPS region list."))
    if district is None or district.level != "district":
        problems.append(FieldError(
            field="district_code",
            message=f"Kode kecamatan {district_code!r} tidak ada dalam daftar wilayah BPS.",
            message_en=f"District code {district_code!r} is not in the BPS region list."))
    elif regency is not None and district.parent_code != regency_code:
        problems.append(FieldError(
            field="district_code",
            message=f"Kecamatan {district.name} tidak berada di kabupaten/kota {regency.name}.",
            message_en=f"District {district.name} is not in regency {regency.name}."))
    if village is None or village.level != "village":
        problems.append(FieldError(
            field="village_code",
            message=f"Kode desa/kelurahan {village_code!r} tidak ada dalam daftar wilayah; "
                    "admin dapat menambahkan desa yang belum terdaftar.",
            message_en=f"Village code {village_code!r} is not in the region list; an admin can add a "
                       "missing village."))
    elif district is not None and village.parent_code != district_code:
        problems.append(FieldError(
            field="village_code",
            message=f"Desa/kelurahan {village.name} tidak berada di kecamatan {district.name}.",
            message_en=f"Village {village.name} is not in district {district.name}."))
    return problems


# --- recognising an IKM already in the register ---------------------------------------------------

# Words a kabupaten's list adds or drops at will in front of the same business ("UD Perak Sari" and
# "Perak Sari" are one IKM in one village).
_FORM_WORDS = frozenset({"ud", "cv", "pt", "ikm", "koperasi", "kop", "usaha", "dagang"})


@functools.lru_cache(maxsize=4096)  # an import asks for each row's key three times
def name_key(name: str) -> str:
    """The business name as an import compares it: lower case, ASCII, punctuation and legal-form
    words dropped, single spaces. An IKM without NIB is the same IKM when this and its village match."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return " ".join(w for w in text.split() if w not in _FORM_WORDS)[:200]


# --- size classes ----------------------------------------------------------------------------------

BILLION = 1_000_000_000


@dataclass(frozen=True)
class SizeClass:
    """A derived class with the sentence a registrar reads to see why."""

    value: str
    reason: str
    reason_en: str


def rupiah(amount: int) -> str:
    """Rp 150.000.000 (Indonesian thousands separator)."""
    return "Rp " + f"{amount:,}".replace(",", ".")


def industry_class(workers: int, investment_idr: int | None) -> SizeClass:
    """Industri kecil or menengah (Permenperin 64/2016), from workers and investment excluding land
    and buildings. Kecil: at most 19 workers and investment under Rp 1 bn. Menengah: investment up to
    Rp 15 bn (with at most 19 workers from Rp 1 bn; from 20 workers at any investment up to 15 bn).
    Above Rp 15 bn it is industri besar, outside the IKM programmes. Without an investment figure
    the workers decide."""
    if investment_idr is not None and investment_idr > 15 * BILLION:
        return SizeClass("besar", f"Industri besar: investasi {rupiah(investment_idr)} di atas Rp 15 miliar "
                                  "(Permenperin 64/2016).",
                         f"Large industry: investment {rupiah(investment_idr)} is above Rp 15 bn "
                         "(Permenperin 64/2016).")
    if workers >= 20:
        return SizeClass("menengah", f"Industri menengah: {workers} tenaga kerja (20 atau lebih) "
                                     "(Permenperin 64/2016).",
                         f"Medium industry: {workers} workers (20 or more) (Permenperin 64/2016).")
    if investment_idr is not None and investment_idr >= BILLION:
        return SizeClass("menengah", f"Industri menengah: investasi {rupiah(investment_idr)} "
                                     "(Rp 1 miliar sampai Rp 15 miliar) (Permenperin 64/2016).",
                         f"Medium industry: investment {rupiah(investment_idr)} (Rp 1 bn to Rp 15 bn) "
                         "(Permenperin 64/2016).")
    if investment_idr is None:
        return SizeClass("kecil", f"Industri kecil: {workers} tenaga kerja (paling banyak 19); nilai investasi "
                                  "belum diisi (Permenperin 64/2016).",
                         f"Small industry: {workers} workers (at most 19); investment not given "
                         "(Permenperin 64/2016).")
    return SizeClass("kecil", f"Industri kecil: {workers} tenaga kerja (paling banyak 19) dan investasi "
                              f"{rupiah(investment_idr)} (di bawah Rp 1 miliar) (Permenperin 64/2016).",
                     f"Small industry: {workers} workers (at most 19) and investment {rupiah(investment_idr)} "
                     "(under Rp 1 bn) (Permenperin 64/2016).")


# PP 7/2021: (class, most capital, most annual sales), smallest first.
UMKM_LIMITS = (("mikro", 1 * BILLION, 2 * BILLION), ("kecil", 5 * BILLION, 15 * BILLION),
               ("menengah", 10 * BILLION, 50 * BILLION))
UMKM_WORDS = {"mikro": ("usaha mikro", "micro enterprise"), "kecil": ("usaha kecil", "small enterprise"),
              "menengah": ("usaha menengah", "medium enterprise"), "besar": ("usaha besar", "large enterprise")}


def umkm_scale(investment_idr: int | None, annual_sales_idr: int | None) -> SizeClass | None:
    """Micro, small or medium enterprise (PP 7/2021). Business capital (excluding land and buildings)
    decides: micro up to Rp 1 bn, small up to 5 bn, medium up to 10 bn. Where the capital is not
    known, annual sales decide: up to Rp 2 / 15 / 50 bn. None when neither is known."""
    if investment_idr is not None:
        amount, index, word, word_en = investment_idr, 1, "modal usaha", "business capital"
    elif annual_sales_idr is not None:
        amount, index, word, word_en = annual_sales_idr, 2, "hasil penjualan tahunan", "annual sales"
    else:
        return None
    for name, capital_limit, sales_limit in UMKM_LIMITS:
        limit = capital_limit if index == 1 else sales_limit
        if amount <= limit:
            id_, en = UMKM_WORDS[name]
            return SizeClass(name, f"{id_.capitalize()}: {word} {rupiah(amount)} (paling banyak {rupiah(limit)}) "
                                   "(PP 7/2021).",
                             f"{en.capitalize()}: {word_en} {rupiah(amount)} (at most {rupiah(limit)}) "
                             "(PP 7/2021).")
    top = UMKM_LIMITS[-1][1] if index == 1 else UMKM_LIMITS[-1][2]
    return SizeClass("besar", f"Usaha besar: {word} {rupiah(amount)} di atas {rupiah(top)} (PP 7/2021).",
                     f"Large enterprise: {word_en} {rupiah(amount)} is above {rupiah(top)} (PP 7/2021).")


def sentra_decree_missing(kind: str, decree_number: str | None, decree_date: date | None) -> bool:
    """An official sentra is one set by a decree (SK): its number and date belong on the record."""
    return kind == "official" and (not decree_number or decree_date is None)


def sentra_below_minimum(members: int) -> bool:
    """A sentra is at least 5 IKM in one place making similar products (PP 29/2018)."""
    return members < 5
