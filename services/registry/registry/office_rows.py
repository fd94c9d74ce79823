"""A row of an import as the office typed it, read into the import's plain values before it becomes
the body of `POST /ikms`: empty markers dropped, money, capacity, dates, NIK/NIB, phones and words read
(registry.values), the sector derived (registry.sectors), regions by name resolved
(registry.region_names). Every cell that cannot be read becomes a problem of its column, so the row
is rejected with all of them at once. Pure: no database."""

from __future__ import annotations

import re
from collections.abc import Callable

from registry import values as read
from registry.region_names import Places
from registry.sectors import derive_sector, sector_from_text
from shared.domain import SECTORS
from shared.errors import FieldError

# Characters a database refuses (PostgreSQL: NUL) or a spreadsheet hides; tab and line breaks are text.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Columns whose value an error may not repeat (personal data: CONVENTIONS.md).
PERSONAL = frozenset({"owner_nik", "owner_phone", "owner_name", "address"})

def _money(text: str, _: bool) -> str:
    return str(read.parse_money(text))


def _date(text: str, _: bool) -> str:
    return read.parse_date(text).isoformat()


# Each cell read by its field: (field, reader(text, from_number_cell)).
_READERS: tuple[tuple[str, Callable[[str, bool], str]], ...] = (
    ("owner_nik", read.parse_nik), ("nib", read.parse_nib), ("owner_phone", read.parse_phone),
    ("investment_idr", _money), ("annual_sales_idr", _money), ("product_price_idr", _money),
    ("owner_gender", lambda t, _: read.parse_gender(t)), ("business_form", lambda t, _: read.parse_business_form(t)),
    ("cert_kind", lambda t, _: read.parse_certificate_kind(t)), ("cert_valid_until", _date),
)
_REGION_FIELDS = ("regency_name", "district_name", "village_name")
_CODE_FIELDS = ("regency_code", "district_code", "village_code")
_HIDDEN = ("Sel ini berisi karakter tersembunyi (misalnya NUL) yang tidak dapat disimpan; ketik ulang isinya.",
           "This cell holds a hidden character (such as NUL) that cannot be stored; type its content again.")


def normalise(row: dict[str, str], places: Callable[[], Places]) -> tuple[dict[str, str], list[FieldError]]:
    """The row's values in the import's plain form, and a problem for each cell that cannot be read."""
    v: dict[str, str] = {}
    problems: list[FieldError] = []
    hidden = _CONTROL.search("".join(row.values())) is not None  # once a row; each cell only when found
    for name, text in row.items():
        if not text or name[:2] == "__":
            v[name] = text
        elif hidden and _CONTROL.search(text):
            problems.append(_problem(name, *_HIDDEN))
        elif len(text) <= read.LONGEST_MARKER and read.is_empty_marker(text):
            v[name] = ""
        else:
            v[name] = text.strip()
    numeric = frozenset(row["__numeric__"].split()) if "__numeric__" in row else frozenset()
    for name, reader in _READERS:
        cell = v.get(name)
        if cell:
            try:
                v[name] = reader(cell, name in numeric)
            except read.ValueProblem as exc:
                problems.append(_problem(name, exc.message, exc.message_en))
                v[name] = ""
    _capacity(v, problems)
    _workers(v, problems)
    _sector(v, problems)
    if any(v.get(name) for name in _REGION_FIELDS) or any(not v.get(c, "0").isdigit() for c in _CODE_FIELDS):
        _regions(v, places(), problems)  # a name, or a Kemendagri code, somewhere in the region columns
    return v, problems


def _capacity(v: dict[str, str], problems: list[FieldError]) -> None:
    unit = v.pop("capacity_unit", "")
    text = v.get("product_monthly_capacity")
    if text and not v.get("product_name"):
        problems.append(_problem("product_name", "Kapasitas produksi diisi, tetapi nama produknya (KOMODITI / "
                                 "PRODUK) kosong; isi nama produknya.", "A production capacity is given but its "
                                 "product (KOMODITI / PRODUK) is empty; fill in the product."))
    elif text:
        try:
            v["product_monthly_capacity"] = str(read.monthly_units(read.parse_capacity(text, unit)))
        except read.ValueProblem as exc:
            problems.append(_problem("product_monthly_capacity", exc.message, exc.message_en))
            v["product_monthly_capacity"] = ""


def _problem(name: str, message: str, message_en: str) -> FieldError:
    return FieldError(field=name, message=message, message_en=message_en)


def _workers(v: dict[str, str], problems: list[FieldError]) -> None:
    parts = [v.pop("workers_male", ""), v.pop("workers_female", "")]
    try:
        if v.get("workers"):
            v["workers"] = str(read.parse_count(v["workers"]))
        elif any(parts):
            v["workers"] = str(sum(read.parse_count(p) for p in parts if p))
    except read.ValueProblem as exc:
        problems.append(_problem("workers", exc.message, exc.message_en))
        v["workers"] = ""


def _sector(v: dict[str, str], problems: list[FieldError]) -> None:
    if v.get("kbli") and not (v["kbli"].isascii() and v["kbli"].isdigit()):
        code, words = read.split_kbli(v["kbli"])
        v["kbli"] = code or ""
        if words and not v.get("local_label"):
            v["local_label"] = words[:100]
    written = v.get("sector", "").lower()
    if written and written not in SECTORS:
        v["sector"] = sector_from_text(written) or written  # `Kerajinan` -> kriya; else IkmCreate says what is valid
        return
    if written:
        v["sector"] = written
        return
    derived = derive_sector(v.get("kbli"), v.get("product_name", ""), v.get("local_label", ""))
    if derived is None:
        column = next((c for c in ("product_name", "local_label", "kbli") if v.get(c)), "sector")
        shown = v.get(column, "")
        problems.append(_problem(column, f"Subsektor ekonomi kreatif tidak dapat ditentukan dari KBLI atau komoditi "
                                 f"{shown!r}; tambahkan kolom SEKTOR (misalnya kriya, kuliner, fesyen).",
                                 f"The creative-economy subsector cannot be derived from the KBLI or commodity "
                                 f"{shown!r}; add a SEKTOR column (for example kriya, kuliner, fesyen)."))
    else:
        v["sector"] = derived


def _regions(v: dict[str, str], places: Places, problems: list[FieldError]) -> None:
    """Kabupaten, then kecamatan within it, then desa within that (or the kabupaten), by name or code."""
    try:
        regency = places.regency(v.get("regency_code") or v.get("regency_name", ""))
    except read.ValueProblem as exc:
        problems.append(_problem("regency_code", exc.message, exc.message_en))
        return
    v["regency_code"] = regency
    district_text = v.get("district_code") or v.get("district_name", "")
    district: str | None = None
    if district_text:
        try:
            district = places.district(regency, district_text)
        except read.ValueProblem as exc:
            problems.append(_problem("district_code", exc.message, exc.message_en))
            return
        v["district_code"] = district
    village_text = v.get("village_code") or v.get("village_name", "")
    if village_text:
        try:
            village = places.village(regency, district, village_text)
        except read.ValueProblem as exc:
            problems.append(_problem("village_code", exc.message, exc.message_en))
            return
        v["village_code"] = village.code
        if district is None and village.parent_code:
            v["district_code"] = village.parent_code


def with_values(errors: list[FieldError], row: dict[str, str], labels: dict[str, str]) -> list[FieldError]:
    """Errors of the register's checks with the value that failed added, as typed in the file (never
    for personal data), so that a clerk sees what to correct."""
    out: list[FieldError] = []
    for err in errors:
        name = err.field.replace("owner.", "owner_").split(".")[0]
        typed = row.get(name, "")
        if typed and name not in PERSONAL and repr(typed)[:60] not in err.message and name in labels:
            shown = repr(typed)[:60]
            err = FieldError(field=err.field, message=f"{err.message} (tertulis: {shown})",
                             message_en=f"{err.message_en} (written: {shown})")
        out.append(err)
    return out
