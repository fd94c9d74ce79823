"""Registry business rules: pure functions, tested without HTTP, database or Redis."""

from __future__ import annotations

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
    if len(phone) <= 6:
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
