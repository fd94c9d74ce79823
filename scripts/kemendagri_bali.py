"""Build services/registry/registry/data/wilayah/kemendagri-bali.csv from the npm package
`idn-area-data` (data: Open Database License; see that folder's KEMENDAGRI.md).

    npm pack idn-area-data && tar xzf idn-area-data-*.tgz
    PYTHONPATH=. .venv/bin/python scripts/kemendagri_bali.py package/data \
        > services/registry/registry/data/wilayah/kemendagri-bali.csv

Each Kemendagri village of Bali (province 51) becomes one line: its dotted Kemendagri code, the BPS
code the register uses for it, its BPS kecamatan and its name. A village the 2017 BPS list has (same
kecamatan, same or close spelling) keeps its BPS code, so records made before stay valid; one the
BPS list lacks (Celuk, Ketewel…) gets its BPS kecamatan's code followed by 8 (a kelurahan, Kemendagri
1xxx) or 9 (a desa, 2xxx) and the last two digits of its Kemendagri number: Celuk, 51.04.01.2005, is
5104010905. BPS numbers villages from 001 upwards and no Bali kecamatan reaches 800, so these codes
are free and still start with their kecamatan's code. Kecamatan are matched by name within the
kabupaten (Kemendagri and BPS number them differently).
"""

from __future__ import annotations

import csv
import difflib
import gzip
import re
import sys
from pathlib import Path

from shared.csvfile import CsvWriter

WILAYAH = Path(__file__).resolve().parents[1] / "services" / "registry" / "registry" / "data" / "wilayah"


def key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def similarity(a: str, b: str) -> float:
    """Spellings of one village (`Tibubiyu`/`Tibubiu`, `Dauh Puri`/`Marga Dauh Puri`)."""
    ka, kb = key(a), key(b)
    return max(0.9 if ka in kb or kb in ka else 0.0, difflib.SequenceMatcher(None, ka, kb).ratio())


def pair_spellings(kemendagri: list[dict[str, str]], bps_left: list[list[str]]) -> dict[str, str]:
    """Kemendagri code -> BPS code for villages of one kecamatan spelled differently in the two lists."""
    scored = sorted(((similarity(k["name"], b[2]), k["code"], b[0]) for k in kemendagri for b in bps_left),
                    reverse=True)
    paired: dict[str, str] = {}
    for score, k_code, b_code in scored:
        if score >= 0.75 and k_code not in paired and b_code not in paired.values():
            paired[k_code] = b_code
    return paired


def register_code(kemendagri_code: str, bps_district: str) -> str:
    """The code of a village new to the BPS list: its BPS kecamatan, then 8xx or 9xx (see above)."""
    number = kemendagri_code.rsplit(".", 1)[1]
    assert number[0] in "12" and int(number[1:]) < 100, kemendagri_code
    return f"{bps_district}{'8' if number[0] == '1' else '9'}{number[2:]}"


def bps(name: str) -> list[list[str]]:
    with gzip.open(WILAYAH / f"{name}.csv.gz", "rt", encoding="utf-8") as fh:
        return [r for r in csv.reader(fh) if r and r[0].startswith("51")]


Placed = list[tuple[dict[str, str], str, str | None]]  # (Kemendagri row, BPS kecamatan, BPS code or None)


def place(source: Path, villages: list[list[str]]) -> Placed:
    """Each Kemendagri village of Bali with its BPS kecamatan and, when BPS 2017 lists it, its BPS code."""
    district_by_name = {(r[1], key(r[2])): r[0] for r in bps("districts")}
    village_by_name = {(r[1], key(r[2])): r[0] for r in villages}
    with open(source / "districts.csv", encoding="utf-8") as fh:
        kd_district = {r["code"]: r for r in csv.DictReader(fh) if r["code"].startswith("51.")}
    with open(source / "villages.csv", encoding="utf-8") as fh:
        kd_villages = [r for r in csv.DictReader(fh) if r["code"].startswith("51.")]
    placed: Placed = []
    for row in kd_villages:
        district = kd_district[row["district_code"]]
        bps_district = district_by_name.get((district["regency_code"].replace(".", ""), key(district["name"])))
        if bps_district is None:
            print(f"no BPS kecamatan for {district['name']} ({row['district_code']})", file=sys.stderr)
            continue
        placed.append((row, bps_district, village_by_name.get((bps_district, key(row["name"])))))
    return pair_remaining(placed, villages)


def pair_remaining(placed: Placed, villages: list[list[str]]) -> Placed:
    """Villages left without a BPS code, paired with the BPS villages of their kecamatan left unused."""
    used = {code for _, _, code in placed if code}
    for district_code in sorted({d for _, d, code in placed if code is None}):
        alone = [row for row, d, code in placed if d == district_code and code is None]
        spelled = pair_spellings(alone, [v for v in villages if v[1] == district_code and v[0] not in used])
        placed = [(row, d, spelled.get(row["code"], code)) for row, d, code in placed]
    return placed


def main(source: Path) -> None:
    villages = bps("villages")
    bps_codes = {r[0] for r in villages}
    out = CsvWriter(sys.stdout, lineterminator="\n")
    out.writerow(["kemendagri_code", "code", "district_code", "name", "in_bps_2017"])
    for row, bps_district, code in place(source, villages):
        new_code = register_code(row["code"], bps_district)
        assert code is not None or new_code not in bps_codes, new_code
        out.writerow([row["code"], code or new_code, bps_district, row["name"], "0" if code is None else "1"])


if __name__ == "__main__":
    main(Path(sys.argv[1]))
