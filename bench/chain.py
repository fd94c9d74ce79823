"""The whole chain under load: registrations through the registry API until every IKM has its cases
opened and its fair application placed, against a real Redis and the services as processes.

    make bench                      # BENCH_IKM=2000 BENCH_PRODUCTS=2 BENCH_CLIENTS=8 by default

Also measures the floor: a raw redis-py producer and consumer group moving the same number of
events. Writes the figures to docs/BENCHMARKS.md (between the BENCH markers) and prints them.
"""

from __future__ import annotations

import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import redis

from shared.servers import RedisProcess, find_redis_server_binary
from tests.support.cluster import LOAD_REGISTRAR, Cluster, prepare_load
from tests.support.data import ikm_body

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "BENCHMARKS.md"
BEGIN, END = "<!-- BENCH:chain:begin -->", "<!-- BENCH:chain:end -->"


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


def _times(db: Path, query: str) -> dict[str, datetime]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute(query).fetchall()
    out: dict[str, datetime] = {}
    for key, stamp in rows:
        out[str(key).replace("-", "")] = datetime.fromisoformat(stamp).replace(tzinfo=UTC)
    return out


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def run_chain(n_ikm: int, products: int, clients: int) -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix="sentra-bench-"))
    server = RedisProcess(tmp / "redis").start()
    c = Cluster(tmp, server.url)
    try:
        c.start()
        prepare_load(c, booths=n_ikm // 2)  # half placed, half waitlisted: both paths are exercised
        token = c.token(LOAD_REGISTRAR)
        bodies = [ikm_body(name=f"UD Bench {i}", products=products) for i in range(n_ikm)]
        url = f"{c['registry'].url}/ikms"
        api_latency: list[float] = []

        def post(chunk: list[dict[str, Any]]) -> None:
            with httpx.Client(headers={"Authorization": f"Bearer {token}"}, timeout=60) as http:
                for body in chunk:
                    t0 = time.perf_counter()
                    http.post(url, json=body).raise_for_status()
                    api_latency.append(time.perf_counter() - t0)

        started = time.perf_counter()
        with ThreadPoolExecutor(clients) as pool:
            list(pool.map(post, [bodies[i::clients] for i in range(clients)]))
        posted = time.perf_counter() - started

        data = tmp / "data"
        client = redis.Redis.from_url(server.url)
        deadline = time.monotonic() + 1800
        while time.monotonic() < deadline:
            with sqlite3.connect(data / "curation.db") as conn:
                cases = conn.execute("select count(*) from curation_case").fetchone()[0]
            with sqlite3.connect(data / "exhibitions.db") as conn:
                placed = conn.execute("select count(*) from application where status in "
                                      "('allocated','waitlisted')").fetchone()[0]
            if cases >= n_ikm * products and placed >= n_ikm:
                break
            time.sleep(0.2)
        elapsed = time.perf_counter() - started

        registered = _times(data / "registry.db", "select id, created_at from ikm")
        opened = _times(data / "curation.db", "select ikm_id, min(opened_at) from curation_case group by ikm_id")
        placed_at = _times(data / "exhibitions.db", "select ikm_id, updated_at from application")
        to_case = [(opened[k] - registered[k]).total_seconds() * 1000 for k in registered if k in opened]
        to_booth = [(placed_at[k] - registered[k]).total_seconds() * 1000 for k in registered if k in placed_at]
        keys: list[bytes] = client.keys("*")  # type: ignore[assignment]
        streams = [k.decode() for k in keys if client.type(k) == b"stream" and not k.endswith(b".dlq")]
        events = sum(int(client.xlen(s)) for s in streams)
        memory = {name: _peak_rss_mb(s.proc.pid) for name, s in c.services.items() if s.proc}
        return {
            "ikm": n_ikm, "products": products, "clients": clients, "seconds": elapsed,
            "ikm_per_s": n_ikm / elapsed, "events": events, "events_per_s": events / elapsed,
            "api_per_s": n_ikm / posted, "api_p50_ms": statistics.median(api_latency) * 1000,
            "api_p99_ms": percentile(api_latency, 99) * 1000,
            "case_p50": percentile(to_case, 50), "case_p95": percentile(to_case, 95),
            "case_p99": percentile(to_case, 99),
            "booth_p50": percentile(to_booth, 50), "booth_p95": percentile(to_booth, 95),
            "booth_p99": percentile(to_booth, 99), "memory_mb": memory,
        }
    finally:
        c.stop()
        server.stop()


def run_floor(events: int) -> float:
    """Raw redis-py: a producer process XADDs, one consumer in a group reads 100 at a time, acks each."""
    tmp = Path(tempfile.mkdtemp(prefix="sentra-floor-"))
    server = RedisProcess(tmp / "redis").start()
    try:
        client = redis.Redis.from_url(server.url)
        client.xgroup_create("floor", "g", id="0", mkstream=True)
        producer = subprocess.Popen([sys.executable, "-c", (
            "import redis,sys,json;r=redis.Redis.from_url(sys.argv[1]);"
            "[r.xadd('floor',{'data':json.dumps({'i':i,'event_type':'ikm.registered'})}) "
            "for i in range(int(sys.argv[2]))]"), server.url, str(events)])
        seen, started = 0, time.perf_counter()
        while seen < events:
            batch: Any = client.xreadgroup("g", "c", {"floor": ">"}, count=100, block=1000)
            for _, entries in batch or []:
                for entry_id, _fields in entries:
                    client.xack("floor", "g", entry_id)
                    seen += 1
        producer.wait()
        return events / (time.perf_counter() - started)
    finally:
        server.stop()


def versions() -> str:
    from importlib.metadata import version

    redis_version = subprocess.run([find_redis_server_binary() or "redis-server", "--version"], capture_output=True, text=True).stdout.split()
    return (f"Python {platform.python_version()}, FastAPI {version('fastapi')}, "
            f"FastStream {version('faststream')}, SQLAlchemy {version('sqlalchemy')}, redis-py {version('redis')}, "
            f"Redis {next((w.split('=')[1] for w in redis_version if w.startswith('v=')), '?')}")


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem_gb = int(Path("/proc/meminfo").read_text().split()[1]) / 1024 / 1024
    return f"{os.cpu_count()} cores ({cpu}), {mem_gb:.0f} GiB, {platform.platform()}"


def main() -> int:
    n_ikm = int(os.environ.get("BENCH_IKM", 2000))
    products = int(os.environ.get("BENCH_PRODUCTS", 2))
    clients = int(os.environ.get("BENCH_CLIENTS", 8))
    r = run_chain(n_ikm, products, clients)
    floor = run_floor(r["events"])
    ratio = r["events_per_s"] / floor
    mem = ", ".join(f"{k} {v:.0f} MB" for k, v in r["memory_mb"].items())
    report = f"""{BEGIN}
Run on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC: {machine()}; {versions()}; SQLite databases.

| figure | value |
|---|---|
| IKM registered through the API ({clients} clients, {products} products each) | {r['ikm']:,} |
| end to end (first POST → every case opened and every application placed) | {r['seconds']:.1f} s |
| IKM per second, end to end | {r['ikm_per_s']:.0f} |
| API registrations per second / p50 / p99 | {r['api_per_s']:.0f} / {r['api_p50_ms']:.0f} ms / {r['api_p99_ms']:.0f} ms |
| events on the streams / per second | {r['events']:,} / {r['events_per_s']:.0f} |
| raw redis-py floor, same number of events (XREADGROUP 100, XACK each) | {floor:.0f} events/s |
| chain ÷ floor | {ratio:.2f} |
| registration → case opened, p50 / p95 / p99 | {r['case_p50']:.0f} / {r['case_p95']:.0f} / {r['case_p99']:.0f} ms |
| registration → booth or waitlist, p50 / p95 / p99 | {r['booth_p50']:.0f} / {r['booth_p95']:.0f} / {r['booth_p99']:.0f} ms |
| peak memory (VmHWM) | {mem} |
{END}"""
    print(report)
    text = DOC.read_text() if DOC.exists() else "# Benchmarks\n\n" + BEGIN + "\n" + END + "\n"
    if BEGIN in text and END in text:
        text = text[: text.index(BEGIN)] + report + text[text.index(END) + len(END):]
    else:
        text += "\n" + report + "\n"
    DOC.write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
