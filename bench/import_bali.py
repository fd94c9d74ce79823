"""The whole of Bali through the bulk import, on SQLite and on PostgreSQL.

    .venv/bin/python -m bench.import_bali        # BENCH_IMPORT_ROWS=15216, BENCH_DATABASES=sqlite,postgres

Generates the register (registry.demo_data: 15,216 IKM at DOMAIN.md's proportions), records the
known sentra, uploads the file to a registry process and measures: import rows per second, the
latency of `GET /ikms` while the import runs (the service must keep answering), and the p95 of a
filtered `GET /ikms` with all of Bali loaded. Writes the figures to docs/BENCHMARKS.md between the
registry markers (no other section is touched) and prints them.
"""

from __future__ import annotations

import os
import platform
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from registry.demo_data import KNOWN_SENTRA, generate
from registry.settings import RegistrySettings
from shared.servers import RedisProcess
from tests.support.cluster import Cluster
from tests.support.servers import create_database, postgres_url_for_tests

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "BENCHMARKS.md"
BEGIN, END = "<!-- BENCH:registry:begin -->", "<!-- BENCH:registry:end -->"
FILTERED = {"regency_code": "5106", "sector": "kriya", "status": "active", "limit": 50}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1))))] if ordered else float("nan")


def run(database: str, content: bytes, rows: int, tmp: Path) -> dict[str, Any]:
    server = RedisProcess(tmp / f"redis-{database}").start()
    cleanup = None
    try:
        urls = None
        if database == "postgres":
            pg_url, cleanup = postgres_url_for_tests(tmp / "postgres")
            urls = {"registry": create_database(pg_url, f"bench_registry_{uuid.uuid4().hex[:8]}")}
        c = Cluster(tmp / database, server.url, urls)
        (tmp / database).mkdir(exist_ok=True)
        c.start("registry")
        try:
            c.create_user("bench.registrar", ["registrar"])
            for s in KNOWN_SENTRA:
                r = c.call("registry", "POST", "/sentra", user="bench.registrar", json={
                    "name": s.name, "kind": s.kind, "sector": s.sector, "regency_code": s.district_code[:4],
                    "district_code": s.district_code})
                assert r.status_code == 201, r.text
            started = time.perf_counter()
            r = c.call("registry", "POST", "/imports", user="bench.registrar",
                       files={"file": ("bali.csv", content, "text/csv")})
            assert r.status_code == 202, r.text
            import_id = r.json()["id"]
            during: list[float] = []
            while True:
                t = time.perf_counter()
                c.call("registry", "GET", "/ikms", user="bench.registrar", params=FILTERED).raise_for_status()
                during.append((time.perf_counter() - t) * 1000)
                report = c.call("registry", "GET", f"/imports/{import_id}", user="bench.registrar",
                                params={"rows_limit": 1}).json()
                if report["status"] in ("done", "failed"):
                    break
                time.sleep(0.25)
            elapsed = time.perf_counter() - started
            assert report["status"] == "done", report
            after: list[float] = []
            for _ in range(200):
                t = time.perf_counter()
                c.call("registry", "GET", "/ikms", user="bench.registrar", params=FILTERED).raise_for_status()
                after.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            c.call("registry", "GET", "/stats/mapping", user="bench.registrar").raise_for_status()
            stats_ms = (time.perf_counter() - t) * 1000
            return {"rows": rows, "accepted": report["accepted"], "rejected": report["rejected"],
                    "seconds": elapsed, "rows_per_s": rows / elapsed,
                    "during_p50": statistics.median(during), "during_p95": percentile(during, 95),
                    "p50": statistics.median(after), "p95": percentile(after, 95), "stats_ms": stats_ms}
        finally:
            c.stop()
    finally:
        server.stop()
        if cleanup is not None:
            cleanup()


def main() -> int:
    rows = int(os.environ.get("BENCH_IMPORT_ROWS", "15216"))
    databases = os.environ.get("BENCH_DATABASES", "sqlite,postgres").split(",")
    content = generate(rows).encode()
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="sentra-bench-import-") as tmp:
        for database in databases:
            results[database] = run(database, content, rows, Path(tmp))
            print(database, results[database], flush=True)
    table = ["| figure | " + " | ".join(results) + " |", "|---|" + "---|" * len(results)]

    def line(label: str, fmt: str, key: str) -> None:
        table.append(f"| {label} | " + " | ".join(fmt.format(r[key]) for r in results.values()) + " |")

    line("rows in the file (all of Bali)", "{:,}", "rows")
    line("accepted / rejected", "{:,}", "accepted")
    line("import time, upload to done (s)", "{:.1f}", "seconds")
    line("import rows per second", "{:.0f}", "rows_per_s")
    line("GET /ikms while importing, p50 (ms)", "{:.0f}", "during_p50")
    line("GET /ikms while importing, p95 (ms)", "{:.0f}", "during_p95")
    line("filtered GET /ikms, all of Bali loaded, p50 (ms)", "{:.1f}", "p50")
    line("filtered GET /ikms, all of Bali loaded, p95 (ms)", "{:.1f}", "p95")
    line("GET /stats/mapping, all of Bali (ms)", "{:.0f}", "stats_ms")
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    report = (f"{BEGIN}\nRun on {now}: {os.cpu_count()} cores, {platform.platform()}, Python "
              f"{platform.python_version()}. Filter: `{FILTERED}` (Bangli kriya, active). Chunks of "
              f"{RegistrySettings().import_chunk_rows} rows (`SENTRA_IMPORT_CHUNK_ROWS`); the registry process only "
              "(no consumers).\n\n" + "\n".join(table) + f"\n{END}")
    text = DOC.read_text() if DOC.exists() else "# Benchmarks\n"
    if BEGIN in text and END in text:
        text = text[: text.index(BEGIN)] + report + text[text.index(END) + len(END):]
    else:
        text = text.rstrip("\n") + "\n\n## Registry import (all of Bali) and search\n\n" \
            "Measured by `bench/import_bali.py`.\n\n" + report + "\n"
    DOC.write_text(text)
    print(report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
