"""The whole chain under load, against a real Redis and the three services as processes:

1. a generated Bali-scale register (registry.demo_data, DOMAIN.md's proportions) uploaded through
   `POST /imports`, measured until every product has its curation case and every IKM its fair
   application placed (booth or waitlist), on SQLite and on PostgreSQL;
2. registrations through `POST /ikms` at a steady rate (open loop), for the latency from
   registration to case opened;
3. the floor: a raw redis-py producer and consumer group moving as many events as run 1 did.

    make bench      # BENCH_IKM=15216 BENCH_DATABASES=sqlite,postgres BENCH_API_IKM=2000 BENCH_API_RATE=200,100,400
                    # BENCH_REPEAT=3 (SQLite import runs; the median is reported)
                    # BENCH_API_SPLIT=registry (one more API run at the first rate, that service as
                    # an api and a worker process, ADR 0015; empty to skip)
                    # BENCH_SCALE=1000,100000 (the scaling runs, SQLite)

Writes the figures to docs/BENCHMARKS.md (between the chain markers) and prints them.
"""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import redis
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

from bench.load import encode_post, open_loop
from bench.plot import cumulative, line_chart
from registry.demo_data import KNOWN_SENTRA, generate
from shared.servers import RedisProcess, find_redis_server_binary
from tests.support.cluster import LOAD_REGISTRAR, SERVICES, Cluster, prepare_load
from tests.support.data import booth_body, fair_body, ikm_body
from tests.support.servers import create_database, postgres_url_for_tests

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "BENCHMARKS.md"
BEGIN, END = "<!-- BENCH:chain:begin -->", "<!-- BENCH:chain:end -->"
SCALE_BEGIN, SCALE_END = "<!-- BENCH:scaling:begin -->", "<!-- BENCH:scaling:end -->"
PLOT = ROOT / "docs" / "bench-chain.svg"
FILE_ROWS = 25_000  # rows per uploaded file


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


def _cpu_s(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Databases:
    """The three services' databases, read by the benchmark: SQLite files or PostgreSQL databases."""

    def __init__(self, tmp: Path, kind: str) -> None:
        self.cleanup: Callable[[], None] | None = None
        self.urls: dict[str, str] | None = None
        if kind == "postgres":
            server, self.cleanup = postgres_url_for_tests(tmp / "postgres")
            suffix = uuid.uuid4().hex[:8]
            self.urls = {name: create_database(server, f"bench_{name}_{suffix}") for name in SERVICES}
            urls = {name: url.replace("postgresql://", "postgresql+psycopg://", 1) for name, url in self.urls.items()}
        else:
            urls = {name: f"sqlite:///{tmp / 'data' / f'{name}.db'}" for name in SERVICES}
        self.engines: dict[str, Engine] = {name: create_engine(url) for name, url in urls.items()}

    def scalar(self, service: str, query: str) -> int:
        with self.engines[service].connect() as conn:
            return int(conn.execute(text(query)).scalar() or 0)

    def times(self, service: str, query: str) -> dict[str, datetime]:
        with self.engines[service].connect() as conn:
            rows = conn.execute(text(query)).all()
        out: dict[str, datetime] = {}
        for key, stamp in rows:
            when = stamp if isinstance(stamp, datetime) else datetime.fromisoformat(str(stamp))
            out[str(key).replace("-", "")] = when if when.tzinfo else when.replace(tzinfo=UTC)
        return out

    def close(self) -> None:
        for engine in self.engines.values():
            engine.dispose()
        if self.cleanup is not None:
            self.cleanup()


def open_fair(c: Cluster, booths: int) -> None:
    """One open fair for every sector and regency, without curation, with `booths` booths taking any
    sector: every registered IKM applies, about half get a booth and the rest the waitlist."""
    c.create_user("organiser.bench", ["organiser"])
    fair = c.call("exhibitions", "POST", "/exhibitions", user="organiser.bench", json=fair_body(
        sectors=[], sentra_cap=None, regency_max_share=1.0)).raise_for_status().json()
    for start in range(0, booths, 2000):
        c.call("exhibitions", "POST", f"/exhibitions/{fair['id']}/booths", user="organiser.bench",
               json=[booth_body(f"B-{i:05d}") | {"sectors": []}
                     for i in range(start, min(booths, start + 2000))]).raise_for_status()


# What the progress plot follows, each from its service's own timestamps.
PROGRESS = {
    "IKM registered": ("registry", "select id, created_at from ikm"),
    "cases opened": ("curation", "select id, opened_at from curation_case"),
    "applications placed": ("exhibitions", "select id, updated_at from application "
                                           "where status in ('allocated', 'waitlisted')"),
}


def latencies(db: Databases) -> dict[str, float]:
    registered = db.times("registry", "select id, created_at from ikm")
    opened = db.times("curation", "select ikm_id, min(opened_at) from curation_case group by ikm_id")
    placed = db.times("exhibitions", "select ikm_id, updated_at from application")
    to_case = [(opened[k] - registered[k]).total_seconds() * 1000 for k in registered if k in opened]
    to_booth = [(placed[k] - registered[k]).total_seconds() * 1000 for k in registered if k in placed]
    return {"case_p50": percentile(to_case, 50), "case_p95": percentile(to_case, 95),
            "case_p99": percentile(to_case, 99), "booth_p50": percentile(to_booth, 50),
            "booth_p95": percentile(to_booth, 95), "booth_p99": percentile(to_booth, 99)}


def stream_events(redis_url: str) -> int:
    client = redis.Redis.from_url(redis_url)
    keys: list[bytes] = client.keys("*")  # type: ignore[assignment]
    return sum(int(client.xlen(k)) for k in keys if client.type(k) == b"stream" and not k.endswith(b".dlq"))


def wait_until_done(db: Databases, products: int, ikm: int, deadline_s: float = 3600) -> None:
    """Until every product has its case, every IKM its place, and every event those wrote has left
    its service's outbox (so that the events counted are events that moved)."""
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        cases = db.scalar("curation", "select count(*) from curation_case")
        placed = db.scalar("exhibitions", "select count(*) from application where status in ('allocated','waitlisted')")
        if cases >= products and placed >= ikm and not any(
                db.scalar(name, "select count(*) from outbox_event where published_at is null") for name in SERVICES):
            return
        time.sleep(0.2)
    raise TimeoutError("the chain did not finish")


def run_import_chain(n_ikm: int, kind: str) -> dict[str, Any]:
    """Import a Bali-scale file and follow it until every case is opened and every IKM placed."""
    tmp = Path(tempfile.mkdtemp(prefix="sentra-bench-"))
    (tmp / "data").mkdir()
    server = RedisProcess(tmp / "redis").start()
    db = Databases(tmp, kind)
    c = Cluster(tmp, server.url, db.urls)
    try:
        c.start()
        c.create_user(LOAD_REGISTRAR, ["registrar"])
        for i in range(3):
            c.call("curation", "POST", "/curators", json={
                # The largest case cap an admin may set (curation.rules.MAX_CASE_CAP): past it, cases
                # open and wait for a curator, as they would in an office.
                "username": f"kurator{i}", "full_name": f"Kurator {i}", "max_open_cases": 200,
                "sectors": sorted({"kriya", "kuliner", "fesyen", "seni_rupa", "desain_produk"})}).raise_for_status()
        for s in KNOWN_SENTRA:
            c.call("registry", "POST", "/sentra", user=LOAD_REGISTRAR, json={
                "name": s.name, "kind": s.kind, "sector": s.sector, "regency_code": s.district_code[:4],
                "district_code": s.district_code}).raise_for_status()
        open_fair(c, n_ikm // 2)
        header, *lines = generate(n_ikm).splitlines(keepends=True)
        # A register larger than one upload allows (SENTRA_IMPORT_MAX_ROWS) arrives as several
        # files, as kabupaten send theirs: all queued at once, worked oldest first.
        files = [(header + "".join(lines[i:i + FILE_ROWS])).encode() for i in range(0, len(lines), FILE_ROWS)]

        cpu_before = {name: _cpu_s(s.proc.pid) for name, s in c.services.items() if s.proc}
        started, started_at = time.perf_counter(), datetime.now(UTC)
        import_ids = [c.call("registry", "POST", "/imports", user=LOAD_REGISTRAR,
                             files={"file": (f"bali-{k}.csv", content, "text/csv")}).raise_for_status().json()["id"]
                      for k, content in enumerate(files)]
        # Read from the registry's database, not through its API: ten status requests a second
        # would take CPU from the process the import runs in (a user polls once in a while).
        while db.scalar("registry", "select count(*) from import_job where status not in ('done', 'failed')"):
            time.sleep(0.1)
        imported = time.perf_counter() - started
        for import_id in import_ids:
            report = c.call("registry", "GET", f"/imports/{import_id}", user=LOAD_REGISTRAR,
                            params={"rows_limit": 1}).json()
            assert report["status"] == "done", report
        ikm = db.scalar("registry", "select count(*) from ikm")
        products = db.scalar("registry", "select count(*) from product")
        wait_until_done(db, products, ikm)
        elapsed = time.perf_counter() - started
        events = stream_events(server.url)
        progress = {what: [(t - started_at).total_seconds() for t in db.times(service, query).values()]
                    for what, (service, query) in PROGRESS.items()}
        return {"kind": kind, "progress": progress, "ikm": ikm, "products": products, "seconds": elapsed, "ikm_per_s": ikm / elapsed,
                "import_s": imported, "import_rows_per_s": n_ikm / imported,
                "events": events, "events_per_s": events / elapsed, **latencies(db),
                "memory_mb": {name: _peak_rss_mb(s.proc.pid) for name, s in c.services.items() if s.proc},
                "cpu_s": {name: _cpu_s(s.proc.pid) - cpu_before[name] for name, s in c.services.items() if s.proc}}
    finally:
        c.stop()
        server.stop()
        db.close()


def run_api_chain(n_ikm: int, products: int, rate: float, split: tuple[str, ...] = (),
                  kind: str = "sqlite") -> dict[str, Any]:
    """Registrations through POST /ikms at a steady `rate` per second (SQLite or PostgreSQL), open loop: request i
    is due at i / rate whatever the earlier ones did, and its latency counts from when it was due,
    so a slow server shows as latency instead of a lower rate. The client (bench/load.py) is one
    process of its own that sends pre-encoded requests, so that the load generator takes as little
    as it can of the cores the services run on; its CPU is reported beside theirs."""
    tmp = Path(tempfile.mkdtemp(prefix="sentra-bench-api-"))
    (tmp / "data").mkdir()
    server = RedisProcess(tmp / "redis").start()
    db = Databases(tmp, kind)
    c = Cluster(tmp, server.url, db.urls, split=split)
    try:
        c.start()
        prepare_load(c, booths=n_ikm // 2)
        token = c.token(LOAD_REGISTRAR)
        url = f"{c['registry'].url}/ikms"
        requests = [encode_post(url, token, ikm_body(name=f"UD Bench {i}", products=products)) for i in range(n_ikm)]
        cpu_before = {name: _cpu_s(s.proc.pid) for name, s in c.services.items() if s.proc}
        started = time.time() + 1.0
        with ProcessPoolExecutor(1) as pool:
            api_latency, client_cpu = pool.submit(open_loop, url, requests, started, rate).result()
        posted = time.time() - started
        wait_until_done(db, n_ikm * products, n_ikm)
        elapsed = time.time() - started
        return {"ikm": n_ikm, "products": products, "rate": rate, "split": split, "kind": kind, "seconds": elapsed,
                "api_per_s": n_ikm / posted, "api_p50_ms": percentile(api_latency, 50) * 1000,
                "api_p99_ms": percentile(api_latency, 99) * 1000, **latencies(db),
                "cpu_ms_per_ikm": {name: (_cpu_s(s.proc.pid) - cpu_before[name]) * 1000 / n_ikm
                                   for name, s in c.services.items() if s.proc}
                                  | {"client": client_cpu * 1000 / n_ikm}}
    finally:
        c.stop()
        server.stop()
        db.close()


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


def _write_block(doc: str, begin: str, end: str, block: str) -> str:
    if begin in doc and end in doc:
        return doc[: doc.index(begin)] + block + doc[doc.index(end) + len(end):]
    return doc + "\n" + block + "\n"


def median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run with the median end-to-end time, knowing the others' times (the machine is a shared
    VM: one run can be 10-15 % off the next)."""
    ordered = sorted(runs, key=lambda r: r["seconds"])
    return ordered[len(ordered) // 2] | {"all_seconds": [r["seconds"] for r in runs]}


def _seconds_text(r: dict[str, Any]) -> str:
    runs = r.get("all_seconds", [r["seconds"]])
    if len(runs) == 1:
        return f"{r['seconds']:.1f} s"
    return f"{r['seconds']:.1f} s (median of {len(runs)}: {', '.join(f'{s:.1f}' for s in runs)})"


def _cpu_text(r: dict[str, Any]) -> str:
    return ", ".join(f"{k} {v:.1f}" for k, v in r["cpu_s"].items())


def plot(runs: list[dict[str, Any]]) -> None:
    series = [cumulative(f"{what} ({r['kind']})", seconds, dashed=r["kind"] != "sqlite")
              for r in runs for what, seconds in r["progress"].items()]
    PLOT.write_text(line_chart(f"All of Bali through the chain: {runs[0]['ikm']:,} IKM imported, about three products each",
                               "seconds from the upload", "rows", series))


def main() -> int:
    n_ikm = int(os.environ.get("BENCH_IKM", 15216))
    kinds = [k for k in os.environ.get("BENCH_DATABASES", "sqlite,postgres").split(",") if k]
    api_ikm = int(os.environ.get("BENCH_API_IKM", 2000))
    api_rates = [float(r) for r in os.environ.get("BENCH_API_RATE", "200,100,400").split(",") if r]
    scale = [int(n) for n in os.environ.get("BENCH_SCALE", "1000,100000").split(",") if n]
    repeat = int(os.environ.get("BENCH_REPEAT", 3))
    split = tuple(n for n in os.environ.get("BENCH_API_SPLIT", "registry").split(",") if n)
    runs = [median_run([run_import_chain(n_ikm, kind) for _ in range(repeat if kind == "sqlite" else 1)])
            for kind in kinds]
    for r in runs:
        print({k: v for k, v in r.items() if k != "progress"}, flush=True)
    # Each rate for the same number of seconds (BENCH_API_IKM at the first rate).
    apis = [run_api_chain(round(api_ikm * rate / api_rates[0]), 2, rate) for rate in api_rates] if api_ikm else []
    if api_ikm and api_rates and split:
        apis.append(run_api_chain(api_ikm, 2, api_rates[0], split))
    if api_ikm and api_rates and "postgres" in kinds:
        apis.append(run_api_chain(api_ikm, 2, api_rates[0], kind="postgres"))
    for api in apis:
        print(api, flush=True)
    floor = statistics.median(run_floor(max(r["events"] for r in runs)) for _ in range(3))
    sqlite_run = next((r for r in runs if r["kind"] == "sqlite"), None)
    scaling = sorted([run_import_chain(n, "sqlite") for n in scale if n != n_ikm or sqlite_run is None]
                     + ([sqlite_run] if sqlite_run else []), key=lambda r: r["ikm"])
    for r in scaling:
        print({k: v for k, v in r.items() if k != "progress"}, flush=True)
    rows = "\n".join(
        f"| {r['kind']} | {r['ikm']:,} / {r['products']:,} | {r['import_s']:.1f} s ({r['import_rows_per_s']:.0f} rows/s) "
        f"| {_seconds_text(r)} | {r['ikm_per_s']:.0f} | {r['events']:,} / {r['events_per_s']:.0f} "
        f"| {r['events_per_s'] / floor:.2f} | {r['case_p50'] / 1000:.1f} / {r['case_p95'] / 1000:.1f} / "
        f"{r['case_p99'] / 1000:.1f} s | {r['booth_p50'] / 1000:.1f} / {r['booth_p95'] / 1000:.1f} / "
        f"{r['booth_p99'] / 1000:.1f} s | {_cpu_text(r)} | {', '.join(f'{k} {v:.0f}' for k, v in r['memory_mb'].items())} |"
        for r in runs)
    api_rows = "\n".join(
        f"| {a['kind']} | {' + '.join(a['split']) + ' split (api + worker)' if a['split'] else 'one process each'} "
        f"| {a['rate']:.0f} / {a['api_per_s']:.0f} | {a['api_p50_ms']:.0f} / {a['api_p99_ms']:.0f} ms "
        f"| {a['case_p50']:.0f} / {a['case_p95']:.0f} / {a['case_p99']:.0f} ms "
        f"| {a['booth_p50']:.0f} / {a['booth_p95']:.0f} / {a['booth_p99']:.0f} ms | {a['seconds']:.1f} s "
        f"| {', '.join(f'{k} {v:.1f}' for k, v in a['cpu_ms_per_ikm'].items())} |" for a in apis)
    api_text = "" if not apis else f"""
Registrations through the API at a steady rate ({apis[0]['ikm']:,} IKM at {apis[0]['rate']:.0f}/s and as many
seconds at the other rates, {apis[0]['products']} products each, open loop from one client process sending pre-encoded requests over 64 keep-alive
connections (`bench/load.py`): a request is due at its time whatever the earlier ones did, and its
latency counts from then):

| database | services | rate asked / achieved per s | POST /ikms p50 / p99 | registration → case opened p50 / p95 / p99 | → booth or waitlist p50 / p95 / p99 | all done in | CPU ms per registration |
|---|---|---|---|---|---|---|---|
{api_rows}
"""
    when = f"Run on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC: {machine()}; {versions()}."
    report = f"""{BEGIN}
{when}

A generated register of {n_ikm:,} rows (Bali's proportions) uploaded through `POST /imports`; the
clock stops when every product has its case, every IKM its application placed (a booth for half,
the waitlist for the rest) and every outbox has drained. Raw redis-py floor for the same number of events (one producer process,
one consumer reading 100 at a time and acking each, median of 3 runs): {floor:,.0f} events/s.

| database | IKM / products | import | end to end | IKM/s | events / per s | ÷ floor | → case opened p50 / p95 / p99 | → placed p50 / p95 / p99 | CPU s | peak memory MB |
|---|---|---|---|---|---|---|---|---|---|---|
{rows}
{api_text}
![Progress of the chain: IKM registered, cases opened, applications placed, over time](bench-chain.svg)
{END}"""
    scaling_rows = "\n".join(
        f"| {r['ikm']:,} | {r['import_s']:.1f} s | {r['seconds']:.1f} s | {r['ikm_per_s']:.0f} "
        f"| {1000 * sum(r['cpu_s'].values()) / r['ikm']:.2f} ({_cpu_text(r)}) "
        f"| {r['case_p99'] / 1000:.1f} / {r['booth_p99'] / 1000:.1f} s "
        f"| {', '.join(f'{k} {v:.0f}' for k, v in r['memory_mb'].items())} |" for r in scaling)
    scaling_report = f"""{SCALE_BEGIN}
{when}

The same import chain on SQLite at each size (`BENCH_SCALE`), about three products per IKM.

| IKM | import | end to end | IKM/s | CPU ms per IKM, all services (CPU s each) | p99 → case / → placed | peak memory MB |
|---|---|---|---|---|---|---|
{scaling_rows}
{SCALE_END}"""
    print(report)
    print(scaling_report)
    doc = DOC.read_text() if DOC.exists() else "# Benchmarks\n"
    doc = _write_block(doc, BEGIN, END, report)
    doc = _write_block(doc, SCALE_BEGIN, SCALE_END, scaling_report)
    DOC.write_text(doc)
    plot(runs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
