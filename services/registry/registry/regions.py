"""Indonesia's administrative regions (BPS codes, 2017 vintage, copied from the reference data;
see data/wilayah/README.md), the current Kemendagri villages of Bali the BPS list lacks
(data/wilayah/KEMENDAGRI.md), plus villages an admin added because the list lacks them."""

from __future__ import annotations

import csv
import gzip
import io
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

DATA_DIR = Path(__file__).parent / "data" / "wilayah"

Level = Literal["province", "regency", "district", "village"]
LEVEL_BY_LENGTH: dict[int, Level] = {2: "province", 4: "regency", 7: "district", 10: "village"}


@dataclass(frozen=True)
class Region:
    code: str
    parent_code: str | None
    name: str

    @property
    def level(self) -> Level:
        return LEVEL_BY_LENGTH[len(self.code)]


class RegionIndex:
    """All BPS regions in memory (about 88,000 rows, a few MB): lookups are dictionary reads."""

    def __init__(self, regions: list[Region], kemendagri: dict[str, str] | None = None) -> None:
        self.by_code: dict[str, Region] = {r.code: r for r in regions}
        # Kemendagri code without dots (kecamatan: 6 digits, desa: 10) -> the code the register stores.
        self.kemendagri: dict[str, str] = kemendagri or {}
        self.children: dict[str, list[Region]] = {}
        for region in regions:
            if region.parent_code is not None:
                self.children.setdefault(region.parent_code, []).append(region)

    def get(self, code: str) -> Region | None:
        return self.by_code.get(code)


def _read(name: str, with_parent: bool) -> list[Region]:
    with gzip.open(DATA_DIR / f"{name}.csv.gz", "rb") as fh:
        rows = csv.reader(io.TextIOWrapper(fh, encoding="utf-8"))
        if with_parent:
            return [Region(code=r[0], parent_code=r[1], name=r[2].title()) for r in rows if r]
        return [Region(code=r[0], parent_code=None, name=r[1].title()) for r in rows if r]


_load_lock = threading.Lock()


def _read_kemendagri(known: set[str]) -> tuple[list[Region], dict[str, str]]:
    """The villages Kemendagri lists that BPS 2017 lacks, and every Kemendagri code's register code."""
    added: list[Region] = []
    aliases: dict[str, str] = {}
    with open(DATA_DIR / "kemendagri-bali.csv", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            dotted = row["kemendagri_code"]
            aliases[dotted.replace(".", "")] = row["code"]
            aliases.setdefault(dotted[:8].replace(".", ""), row["district_code"])
            if row["in_bps_2017"] == "0" and row["code"] not in known:
                added.append(Region(code=row["code"], parent_code=row["district_code"], name=row["name"]))
    return added, aliases


@cache
def _load() -> RegionIndex:
    regions = _read("provinces", False)
    for name in ("regencies", "districts", "villages"):
        regions += _read(name, True)
    added, aliases = _read_kemendagri({r.code for r in regions})
    return RegionIndex(regions + added, aliases)


def bps_regions() -> RegionIndex:
    """The index, loaded once (about a second) and shared; the service warms it at start-up."""
    with _load_lock:  # concurrent first callers wait for one load instead of each doing it
        return _load()
