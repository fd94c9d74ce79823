"""A Jepsen-style run: drive registrations while killing services, restarting Redis and pausing a
consumer at moments drawn from a seed; then, once the system is quiet, check that nothing was lost
and nothing was done twice, across all three databases and the streams (issue 7).

Replay a failing seed: FAULT_SEEDS=<seed> make faults
"""

from __future__ import annotations

import csv
import io
import json
import os
import random
import signal
import sqlite3
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import redis
from faststream.redis.parser.binary import BinaryMessageFormatV1

from shared.events import EVENT_TYPES, dead_letter_stream
from shared.servers import RedisProcess
from tests.support.cluster import LOAD_REGISTRAR, SERVICES, Cluster, prepare_load
from tests.support.data import ikm_body

CONSUMER_GROUPS = {"registry": ["curation.case_opened", "curation.decided", "exhibition.booth_allocated",
                                "exhibition.booth_released", "exhibition.waitlisted", "catalogue.changed"],
                   "curation": ["ikm.registered", "product.submitted", "ikm.updated", "product.photos_changed",
                                "product.withdrawn"],
                   "exhibitions": ["ikm.registered", "ikm.updated", "curation.decided"]}


@dataclass
class Report:
    seed: int
    faults: Counter[str] = field(default_factory=Counter)
    actions: Counter[str] = field(default_factory=Counter)  # organisers' concurrent work meanwhile
    registered: int = 0
    imported: int = 0
    imports: int = 0
    events_checked: int = 0
    violations: list[str] = field(default_factory=list)

    def summary(self) -> str:
        faults = ", ".join(f"{k} {v}" for k, v in sorted(self.faults.items()))
        return (f"seed {self.seed}: {self.registered} IKM through the API, {self.imported} imported "
                f"({self.imports} upload(s)), {sum(self.faults.values())} faults ({faults}), "
                f"{sum(self.actions.values())} concurrent organiser actions, "
                f"{self.events_checked} events checked, {len(self.violations)} violations")


class Chaos:
    def __init__(self, cluster: Cluster, server: RedisProcess, rng: random.Random, report: Report) -> None:
        self.cluster = cluster
        self.server = server
        self.rng = rng
        self.report = report
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.wait(self.rng.uniform(0.5, 2.0)):
            action = self.rng.choice(["kill", "kill", "kill", "redis", "pause"])
            if action == "kill":
                name = self.rng.choice(SERVICES)
                self.cluster[name].kill()
                self.report.faults[f"SIGKILL {name}"] += 1
                time.sleep(self.rng.uniform(0.1, 1.5))
                self.cluster[name].start(wait=False)  # the next fault may hit it while it starts
            elif action == "redis":
                self.server.stop()  # a restart: AOF brings the streams and groups back
                self.report.faults["Redis restart"] += 1
                time.sleep(self.rng.uniform(0.2, 1.5))
                self.server.start()
            else:
                name = self.rng.choice(["curation", "exhibitions", "registry"])
                proc = self.cluster[name].proc
                if proc is None:
                    continue
                # Paused past the claim idle time: its pending entries are claimed by nobody else here
                # (one consumer per group), so they wait for it; what it was doing must not double.
                proc.send_signal(signal.SIGSTOP)
                self.report.faults[f"pause {name}"] += 1
                time.sleep(self.rng.uniform(1.6, 3.0))
                proc.send_signal(signal.SIGCONT)


class Organiser:
    """What a fair committee does while the faults land: several organisers assign the same free
    booth at once, and run (and sometimes publish) allocation runs side by side. A booth given to
    two IKM, or a 5xx, is a violation; a refused or cut-off request is not."""

    def __init__(self, c: Cluster, fair_id: str, booths: int, rng: random.Random, report: Report) -> None:
        self.c = c
        self.base = f"/exhibitions/{fair_id}"
        self.booths = [f"B-{i:05d}" for i in range(booths)]
        self.rng = rng
        self.report = report
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.wait(self.rng.uniform(0.3, 1.0)):
            try:
                if self.rng.random() < 0.7:
                    self.contend_for_a_booth()
                else:
                    self.allocation_runs()
            except httpx.HTTPError:
                continue  # the service was killed under us: the next round tries again

    def _call(self, method: str, path: str, **kw: Any) -> httpx.Response:
        token = self.c.token("organiser.load", "password-for-tests")
        with httpx.Client(timeout=30, headers={"Authorization": f"Bearer {token}"}) as http:
            return http.request(method, f"{self.c['exhibitions'].url}{self.base}{path}", **kw)

    def _in_parallel(self, calls: list[tuple[str, str, dict[str, Any]]]) -> list[httpx.Response | None]:
        results: list[httpx.Response | None] = [None] * len(calls)

        def one(i: int, method: str, path: str, kw: dict[str, Any]) -> None:
            try:
                results[i] = self._call(method, path, **kw)
            except httpx.HTTPError:
                results[i] = None

        threads = [threading.Thread(target=one, args=(i, *call)) for i, call in enumerate(calls)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for r in results:
            if r is not None and r.status_code >= 500:
                self.report.violations.append(f"{r.request.method} {r.request.url.path} answered "
                                              f"{r.status_code}: {r.text[:200]}")
        return results

    def contend_for_a_booth(self) -> None:
        held = {a["booth_code"] for a in self._call("GET", "/allocations").raise_for_status().json()}
        waiting = self._call("GET", "/applications", params={"status": "waitlisted", "limit": 50}
                             ).raise_for_status().json()["items"]
        free = [code for code in self.booths if code not in held]
        if not free or len(waiting) < 2:
            return
        code = self.rng.choice(free)
        contenders = self.rng.sample(waiting, min(8, len(waiting)))
        results = self._in_parallel([("PUT", f"/booths/{code}/assignment", {"json": {"ikm_id": a["ikm_id"]}})
                                     for a in contenders])
        won = [r for r in results if r is not None and r.status_code == 200]
        self.report.actions["booth contended by several organisers"] += 1
        if len(won) > 1:
            self.report.violations.append(f"booth {code} assigned {len(won)} times at once: "
                                          f"{[r.json()['ikm_id'] for r in won]}")

    def allocation_runs(self) -> None:
        results = self._in_parallel([("POST", "/allocation-runs", {"json": {"seed": self.rng.randrange(10**6)}})
                                     for _ in range(3)])
        self.report.actions["3 allocation runs side by side"] += 1
        drafts = [r.json() for r in results if r is not None and r.status_code == 201]
        if drafts and self.rng.random() < 0.5:
            self._call("POST", f"/allocation-runs/{self.rng.choice(drafts)['id']}/publish")
            self.report.actions["allocation run published"] += 1


def register_all(c: Cluster, bodies: list[dict[str, Any]], report: Report, deadline: float,
                 pace: float) -> list[str]:
    """POST each IKM until the registry has it: a timeout or refused connection is retried with the
    same body, and a 409 on its NIB means an earlier try did commit."""
    token = c.token(LOAD_REGISTRAR)
    nibs: list[str] = []
    with httpx.Client(headers={"Authorization": f"Bearer {token}"}, timeout=10) as http:
        for body in bodies:
            while True:
                if time.monotonic() > deadline:
                    raise TimeoutError("registrations did not get through")
                try:
                    r = http.post(f"{c['registry'].url}/ikms", json=body)
                except httpx.HTTPError:
                    time.sleep(0.2)
                    continue
                if r.status_code in (201, 409):
                    nibs.append(body["nib"])
                    time.sleep(pace)  # spread the load so faults land throughout it
                    break
                time.sleep(0.2)
    report.registered = len(nibs)
    return nibs


IMPORT_COLUMNS = ("nib", "name", "owner_name", "owner_nik", "sector", "regency_code", "district_code",
                  "village_code", "workers", "product_name", "more_products")


@dataclass
class ImportFile:
    """A kabupaten's file as the chaos run uploads it, and what a correct import makes of it."""

    content: bytes
    rows: int
    new_ikm: int  # rows that must become an IKM: valid, and not a repeat of an earlier row
    rejected: int
    repeats: int


def import_file(seed: int, rows: int) -> ImportFile:
    """`rows` IKM of Gianyar: half with a NIB, half matched by name and village; every 37th row
    repeats an earlier valid one (a duplicate) and every 53rd has a NIK of 15 digits (rejected)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(IMPORT_COLUMNS)
    valid: list[list[str]] = []
    rejected = repeats = 0
    for i in range(rows):
        if i and i % 37 == 0:
            writer.writerow(valid[len(valid) // 2])
            repeats += 1
            continue
        nik = f"51040{seed % 100:02d}{i:09d}"
        if i and i % 53 == 0:
            nik = nik[:-1]
            rejected += 1
        row = [f"91{seed % 1000:03d}{i:08d}" if i % 2 else "", f"IKM Impor {seed}-{i}", f"Pemilik {i}", nik,
               "kriya", "5104", "5104010", "5104010007", str(1 + i % 9), f"Produk utama {i}",
               f"Produk kedua {i}" if i % 3 == 0 else ""]
        writer.writerow(row)
        if len(nik) == 16:
            valid.append(row)
    return ImportFile(out.getvalue().encode(), rows, rows - rejected - repeats, rejected, repeats)


def run_import(c: Cluster, file: ImportFile, deadline: float) -> list[dict[str, Any]]:
    """Upload the file and follow it to the end through registry restarts. An upload whose reply
    was lost to a kill may have been queued anyway; it is then uploaded again, and that second
    import must find nothing new. Returns the final report of every import started."""
    reports: list[dict[str, Any]] = []
    with httpx.Client(timeout=10) as http:
        import_id = None
        while import_id is None:
            if time.monotonic() > deadline:
                raise TimeoutError("the import could not be uploaded")
            try:
                auth = {"Authorization": f"Bearer {c.token(LOAD_REGISTRAR, 'password-for-tests')}"}
                r = http.post(f"{c['registry'].url}/imports", headers=auth,
                              files={"file": ("gianyar.csv", file.content, "text/csv")})
                if r.status_code == 202:
                    import_id = r.json()["id"]
            except httpx.HTTPError:
                pass
            if import_id is None:
                time.sleep(0.3)
        while True:
            if time.monotonic() > deadline:
                raise TimeoutError("the import did not finish")
            try:
                auth = {"Authorization": f"Bearer {c.token(LOAD_REGISTRAR, 'password-for-tests')}"}
                listing = http.get(f"{c['registry'].url}/imports", headers=auth, params={"limit": 500})
                listing.raise_for_status()
                if all(job["status"] in ("done", "failed") for job in listing.json()["items"]):
                    for job in listing.json()["items"]:
                        reports.append(http.get(f"{c['registry'].url}/imports/{job['id']}", headers=auth,
                                                params={"rows_limit": 10_000}).raise_for_status().json())
                    return reports
            except httpx.HTTPError:
                pass
            time.sleep(0.3)


def check_import(reports: list[dict[str, Any]], file: ImportFile, report: Report) -> None:
    """Every upload finished; between them, each new IKM of the file was accepted exactly once."""
    v = report.violations
    for r in reports:
        if r["status"] != "done":
            v.append(f"import {r['id']} ended {r['status']}: {r.get('error_en')}")
        if (r["processed"], r["accepted"] + r["duplicates"] + r["rejected"]) != (file.rows, file.rows):
            v.append(f"import {r['id']} counted {r['processed']} rows ({r['accepted']} accepted, "
                     f"{r['duplicates']} duplicates, {r['rejected']} rejected) of {file.rows}")
        if r["rejected"] != file.rejected:
            v.append(f"import {r['id']} rejected {r['rejected']} rows, the file has {file.rejected} bad rows")
    accepted = sum(r["accepted"] for r in reports)
    if accepted != file.new_ikm:
        v.append(f"the imports accepted {accepted} rows, the file holds {file.new_ikm} new IKM")
    report.imported = accepted
    report.imports = len(reports)


def group_behind(client: redis.Redis, stream: str, group: str) -> str | None:
    """Why `group` has not finished `stream` (pending entries, or entries not yet read), or None.

    XINFO's `lag` is null when Redis cannot compute it (after a restart from the AOF, for one), so
    the last id the group was given is compared with the stream's last id instead.
    """
    last = client.xinfo_stream(stream)["last-generated-id"]
    for info in client.xinfo_groups(stream):
        if info["name"].decode() != group:
            continue
        if int(info["pending"]):
            return f"{info['pending']} pending"
        if info["last-delivered-id"] != last:
            return f"read up to {info['last-delivered-id'].decode()}, stream at {last.decode()}"
        return None
    return "no such group"


def quiet(c: Cluster, redis_url: str, timeout: float) -> None:
    """Wait until every group has read everything and holds nothing pending, and every outbox is empty."""
    client = redis.Redis.from_url(redis_url)
    deadline = time.monotonic() + timeout
    stable = 0
    while time.monotonic() < deadline:
        busy = False
        for group, streams in CONSUMER_GROUPS.items():
            for stream in streams:
                if client.exists(stream) and group_behind(client, stream, group):
                    busy = True
        for name in SERVICES:
            with sqlite3.connect(c.root / "data" / f"{name}.db") as db:
                if db.execute("select count(*) from outbox_event where published_at is null").fetchone()[0]:
                    busy = True
        stable = 0 if busy else stable + 1
        if stable >= 3:
            return
        time.sleep(0.5)
    raise TimeoutError("the system did not become quiet")


def stream_event_ids(client: redis.Redis, stream: str) -> list[str]:
    ids: list[str] = []
    for _, fields in client.xrange(stream):
        body, _headers = BinaryMessageFormatV1.parse(fields[b"__data__"])
        ids.append(json.loads(body)["event_id"])
    return ids


def check_invariants(c: Cluster, redis_url: str, nibs: list[str], report: Report) -> None:
    v = report.violations
    client = redis.Redis.from_url(redis_url)
    data = c.root / "data"
    reg = sqlite3.connect(data / "registry.db")
    cur = sqlite3.connect(data / "curation.db")
    exh = sqlite3.connect(data / "exhibitions.db")

    # Every IKM registered exactly once: each NIB once, each IKM without NIB once per name and village,
    # and as many IKM as the API registered plus the imports accepted.
    rows = reg.execute("select nib, count(*) from ikm where nib is not null group by nib").fetchall()
    v += [f"NIB {n} registered {k} times" for n, k in rows if k != 1]
    missing = set(nibs) - {n for n, _ in rows}
    v += [f"NIB {n} registered through the API is missing" for n in sorted(missing)]
    twice = reg.execute("select name_key, village_code, count(*) from ikm where nib is null "
                        "group by name_key, village_code having count(*) > 1").fetchall()
    v += [f"IKM {name!r} in {village} registered {k} times" for name, village, k in twice]
    total = reg.execute("select count(*) from ikm").fetchone()[0]
    if total != len(nibs) + report.imported:
        v.append(f"registry holds {total} IKM: {len(nibs)} registered through the API, {report.imported} imported")
    ikm_ids = {uuid_text(r[0]) for r in reg.execute("select id from ikm")}
    product_ids = {uuid_text(r[0]) for r in reg.execute("select id from product")}

    # Every outbox row published and on its stream (at least once: a relay killed between XADD and
    # marking the row re-sends it; duplicates on a stream are allowed, duplicate effects are not).
    on_streams = {t: Counter(stream_event_ids(client, t)) for t in EVENT_TYPES if client.exists(t)}
    for name in SERVICES:
        db = sqlite3.connect(data / f"{name}.db")
        unpublished = db.execute("select count(*) from outbox_event where published_at is null").fetchone()[0]
        if unpublished:
            v.append(f"{name}: {unpublished} outbox rows never published")
        for event_id, stream in db.execute("select event_id, stream from outbox_event"):
            eid = str(uuid_text(event_id))
            if on_streams.get(stream, Counter())[eid] == 0:
                v.append(f"{name}: event {eid} on {stream} never reached the stream")
        db.close()

    # Exactly one curation case per product.
    per_product = cur.execute("select product_id, count(*) from curation_case group by product_id").fetchall()
    v += [f"product {p} has {k} cases" for p, k in per_product if k != 1]
    with_case = {uuid_text(p) for p, _ in per_product}
    if with_case != product_ids:
        v.append(f"{len(product_ids - with_case)} registered products have no case, "
                 f"{len(with_case - product_ids)} cases are for products the registry does not hold")

    # Exactly one application per IKM (one open fair, every IKM eligible), one booth per holder.
    apps = exh.execute("select ikm_id, count(*) from application group by ikm_id").fetchall()
    v += [f"IKM {i} has {k} applications" for i, k in apps if k != 1]
    with_app = {uuid_text(i) for i, _ in apps}
    if with_app != ikm_ids:
        v.append(f"{len(ikm_ids - with_app)} IKM have no application, "
                 f"{len(with_app - ikm_ids)} applications are for IKM the registry does not hold")
    double = exh.execute("select booth_id, count(*) from application where booth_id is not null "
                         "group by booth_id having count(*) > 1").fetchall()
    v += [f"booth {b} held by {k} IKM" for b, k in double]
    unplaced = exh.execute("select count(*) from application where status not in ('allocated','waitlisted')"
                           ).fetchone()[0]
    if unplaced:
        v.append(f"{unplaced} applications neither allocated nor waitlisted")

    # Every registry timeline complete: each event about one of its IKM is folded in once.
    timeline = Counter(uuid_text(e) for (e,) in reg.execute("select event_id from timeline_entry"))
    v += [f"timeline entry {e} folded {k} times" for e, k in timeline.items() if k != 1]
    for event_type in CONSUMER_GROUPS["registry"]:
        for eid in on_streams.get(event_type, Counter()):
            if timeline[eid] == 0:
                v.append(f"{event_type} {eid} missing from the registry timeline")
    report.events_checked += sum(sum(cnt.values()) for cnt in on_streams.values())

    # Every consumer group caught up with nothing pending; every dead letter explained.
    for group, streams in CONSUMER_GROUPS.items():
        for stream in streams:
            behind = group_behind(client, stream, group) if client.exists(stream) else None
            if behind:
                v.append(f"group {group} on {stream}: {behind}")
    for stream in EVENT_TYPES:
        for _, fields in client.xrange(dead_letter_stream(stream)):
            error = fields.get(b"error", b"").decode()
            if not error.startswith("undecodable") and "injected" not in error:
                v.append(f"unexplained dead letter on {stream}: {error[:200]}")
    if ikm_ids and not timeline:
        v.append("no timeline at all")


def uuid_text(value: Any) -> str:
    text = value.decode() if isinstance(value, bytes) else str(value)
    text = text.replace("-", "")
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


def run_seed(root: Path, seed: int, n_ikm: int, products: int = 2, seconds: float = 10,
             import_rows: int = 0) -> Report:
    """One seed: `n_ikm` registrations through the API and an import of `import_rows` rows, with
    organisers working the fair, while faults land; then the invariants."""
    rng = random.Random(seed)
    report = Report(seed=seed)
    server = RedisProcess(root / "redis").start()
    c = Cluster(root, server.url)
    # Small chunks: more commit points for a kill to fall between, as in a slow import.
    c["registry"].env["SENTRA_IMPORT_CHUNK_ROWS"] = "50"
    try:
        c.start()
        booths = max(1, (n_ikm + import_rows) // 2)
        fair_id = prepare_load(c, booths=booths)
        bodies = [ikm_body(name=f"UD Faults {seed}-{i}", products=products) for i in range(n_ikm)]
        file = import_file(seed, import_rows) if import_rows else None

        chaos = Chaos(c, server, rng, report)
        organiser = Organiser(c, fair_id, booths, random.Random(seed + 1), report)
        workers = [threading.Thread(target=chaos.run, daemon=True),
                   threading.Thread(target=organiser.run, daemon=True)]
        for w in workers:
            w.start()
        deadline = time.monotonic() + 900
        imports: list[dict[str, Any]] = []
        try:
            importer = None
            if file is not None:
                importer = threading.Thread(target=lambda: imports.extend(run_import(c, file, deadline)))
                importer.start()
            nibs = register_all(c, bodies, report, deadline, pace=seconds / max(n_ikm, 1))
            if importer is not None:
                importer.join()
        finally:
            chaos.stop.set()
            organiser.stop.set()
            for w in workers:
                w.join()
        for name in SERVICES:  # everything back up, whatever the last fault left
            if c[name].proc is None or c[name].proc.poll() is not None:
                c[name].start()
            else:
                c[name].wait_ready()
        if not server.running:
            server.start()
        quiet(c, server.url, timeout=600)
        if file is not None:
            if not imports:
                report.violations.append("the import never finished")
            check_import(imports, file, report)
        check_invariants(c, server.url, nibs, report)
        return report
    finally:
        c.stop()
        server.stop()


def seeds_from_env(default: list[int]) -> list[int]:
    raw = os.environ.get("FAULT_SEEDS")
    if not raw:
        return default
    if ":" in raw:
        start, count = raw.split(":")
        return list(range(int(start), int(start) + int(count)))
    return [int(s) for s in raw.split(",")]
