"""A Jepsen-style run: drive registrations while killing services, restarting Redis and pausing a
consumer at moments drawn from a seed; then, once the system is quiet, check that nothing was lost
and nothing was done twice, across all three databases and the streams (issue 7).

Replay a failing seed: FAULT_SEEDS=<seed> make faults
"""

from __future__ import annotations

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
                                "exhibition.booth_released", "exhibition.waitlisted"],
                   "curation": ["ikm.registered", "product.submitted"],
                   "exhibitions": ["ikm.registered", "curation.decided"]}


@dataclass
class Report:
    seed: int
    faults: Counter[str] = field(default_factory=Counter)
    registered: int = 0
    events_checked: int = 0
    violations: list[str] = field(default_factory=list)

    def summary(self) -> str:
        faults = ", ".join(f"{k} {v}" for k, v in sorted(self.faults.items()))
        return (f"seed {self.seed}: {self.registered} IKM, {sum(self.faults.values())} faults ({faults}), "
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


def check_invariants(c: Cluster, redis_url: str, nibs: list[str], products: int, report: Report) -> None:
    v = report.violations
    client = redis.Redis.from_url(redis_url)
    data = c.root / "data"
    reg = sqlite3.connect(data / "registry.db")
    cur = sqlite3.connect(data / "curation.db")
    exh = sqlite3.connect(data / "exhibitions.db")

    # Every IKM registered exactly once.
    rows = reg.execute("select nib, count(*) from ikm group by nib").fetchall()
    if sorted(n for n, _ in rows) != sorted(nibs):
        v.append(f"registry holds {len(rows)} NIBs, {len(nibs)} were registered")
    v += [f"NIB {n} registered {k} times" for n, k in rows if k != 1]
    ikm_ids = {r[0] for r in reg.execute("select id from ikm")}

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
    if len(per_product) != len(nibs) * products:
        v.append(f"{len(per_product)} products have cases, {len(nibs) * products} were registered")

    # Exactly one application per IKM (one open fair, every IKM eligible), one booth per holder.
    apps = exh.execute("select ikm_id, count(*) from application group by ikm_id").fetchall()
    v += [f"IKM {i} has {k} applications" for i, k in apps if k != 1]
    if len(apps) != len(nibs):
        v.append(f"{len(apps)} IKM have applications, {len(nibs)} were registered")
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


def run_seed(root: Path, seed: int, n_ikm: int, products: int = 2, seconds: float = 10) -> Report:
    rng = random.Random(seed)
    report = Report(seed=seed)
    server = RedisProcess(root / "redis").start()
    c = Cluster(root, server.url)
    try:
        c.start()
        prepare_load(c, booths=n_ikm // 2)
        bodies = [ikm_body(name=f"UD Faults {seed}-{i}", products=products) for i in range(n_ikm)]

        chaos = Chaos(c, server, rng, report)
        thread = threading.Thread(target=chaos.run, daemon=True)
        thread.start()
        try:
            nibs = register_all(c, bodies, report, time.monotonic() + 600, pace=seconds / n_ikm)
        finally:
            chaos.stop.set()
            thread.join()
        for name in SERVICES:  # everything back up, whatever the last fault left
            if c[name].proc is None or c[name].proc.poll() is not None:
                c[name].start()
            else:
                c[name].wait_ready()
        if not server.running:
            server.start()
        quiet(c, server.url, timeout=180)
        check_invariants(c, server.url, nibs, products, report)
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
