"""The preview of a large office workbook (issue 15): how long `POST /imports` and
`GET /imports/{id}/preview` take for an office's XLSX of BENCH_PREVIEW_ROWS rows (default 15,000),
over a registry process on SQLite, and where the time goes (reading the workbook, finding the table,
reading every row as the import would), measured in this process as wall and CPU time.

    .venv/bin/python -m bench.import_preview

Prints the figures; the machine's load changes them, so CPU time is printed beside wall time.
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
import time
from pathlib import Path

import httpx

from registry import service
from registry.import_format import read_sheets, read_table
from registry.import_preview import build_preview
from registry.region_names import Places
from registry.regions import bps_regions
from shared.servers import RedisProcess
from tests.support.cluster import Cluster
from tests.support.office import OFFICE_ROWS, office_xlsx


def workbook(rows: int) -> bytes:
    """The office rows over and over, each IKM named apart."""
    made = []
    for i in range(rows):
        row = OFFICE_ROWS[i % len(OFFICE_ROWS)]
        cells = list(row.cells)
        cells[1] = f"{cells[1]} {i}"
        made.append(dataclasses.replace(row, cells=cells))
    return office_xlsx(made)


def in_process(content: bytes) -> list[str]:
    places = Places(bps_regions())
    lines = []
    wall, cpu = time.perf_counter(), time.process_time()
    sheets = read_sheets(content, "dinas.xlsx", 50_000)
    lines.append(f"read the workbook (sheet XML, registry/xlsx_values.py): {time.perf_counter() - wall:.2f} s wall, "
                 f"{time.process_time() - cpu:.2f} s CPU")
    wall, cpu = time.perf_counter(), time.process_time()
    parsed = read_table(sheets, 50_000, strict=False)
    lines.append(f"find the table, read the cells: {time.perf_counter() - wall:.2f} s wall, "
                 f"{time.process_time() - cpu:.2f} s CPU")
    wall, cpu = time.perf_counter(), time.process_time()
    build_preview(parsed, lambda v: service.parse_row(v, {}, lambda: places, parsed.labels), True)
    lines.append(f"every row read as the import would (preview): {time.perf_counter() - wall:.2f} s wall, "
                 f"{time.process_time() - cpu:.2f} s CPU")
    return lines


def over_http(content: bytes, tmp: Path) -> list[str]:
    server = RedisProcess(tmp / "redis").start()
    try:
        c = Cluster(tmp / "sqlite", server.url)
        (tmp / "sqlite").mkdir()
        c.start("registry")
        try:
            c.create_user("bench.registrar", ["registrar"])
            base, auth = c["registry"].url, {"Authorization": f"Bearer {c.token('bench.registrar')}"}
            started = time.perf_counter()
            r = httpx.post(f"{base}/imports", headers=auth, files={"file": ("dinas.xlsx", content)}, timeout=300)
            posted = time.perf_counter() - started
            assert r.status_code == 202 and r.json()["status"] == "preview", r.text
            import_id = r.json()["id"]
            started = time.perf_counter()
            r = httpx.get(f"{base}/imports/{import_id}/preview", headers=auth, timeout=300)
            previewed = time.perf_counter() - started
            assert r.status_code == 200, r.text
            started = time.perf_counter()
            r = httpx.put(f"{base}/imports/{import_id}/mapping", headers=auth, timeout=300,
                          json={"values": [{"column": "KOMODITI / PRODUK", "value": "Jasa Servis", "to": "kriya"}]})
            mapped = time.perf_counter() - started
            assert r.status_code == 200, r.text
        finally:
            c.stop()
    finally:
        server.stop()
    return [f"POST /imports (answers preview): {posted:.2f} s", f"GET /imports/{{id}}/preview: {previewed:.2f} s",
            f"PUT /imports/{{id}}/mapping (answers the new preview): {mapped:.2f} s"]


def main() -> None:
    rows = int(os.environ.get("BENCH_PREVIEW_ROWS", "15000"))
    content = workbook(rows)
    print(f"{rows:,}-row office workbook, {len(content) / 1e6:.1f} MB; load average {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} CPUs")
    for line in in_process(content):
        print(f"  {line}")
    with tempfile.TemporaryDirectory() as tmp:
        for line in over_http(content, Path(tmp)):
            print(f"  {line}")


if __name__ == "__main__":
    main()
