"""A curator's queue at scale: `GET /cases?curator_id=me&status=...` over 50,000 cases.

    .venv/bin/python -m bench.curation_queue        # BENCH_CASES=50000 BENCH_CURATORS=40 BENCH_QUERIES=300

Builds a SQLite database with the service's own migrations, bulk-inserts the cases (most decided, some
open, in review or at the panel), three assignments each spread over the curators, and a score sheet per
scored assignment; then times the work the route does (`reading.list_cases` + `reading.cases_public`,
one page of 50) for random curators and statuses. It runs the same queries again without the indexes
added for the queue, to show what they buy. Writes the figures to docs/BENCHMARKS.md between the
`BENCH:curation` markers and prints them.
"""

from __future__ import annotations

import os
import platform
import random
import sqlite3
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from curation import reading
from curation.app import MIGRATIONS
from curation.rubric import DEFAULT_RUBRIC
from curation.rules import CaseScope
from curation.tables import Assignment, Case, Curator, Score
from shared.auth import Principal
from shared.db import make_engine, migrate

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "BENCHMARKS.md"
BEGIN, END = "<!-- BENCH:curation:begin -->", "<!-- BENCH:curation:end -->"
QUEUE_INDEXES = {
    "ix_assignment_curator_active_case": "CREATE INDEX ix_assignment_curator_active_case "
                                         "ON assignment (curator_id, active, case_id)",
    "ix_curation_case_status_opened": "CREATE INDEX ix_curation_case_status_opened "
                                      "ON curation_case (status, opened_at)",
    "ix_curation_case_queue": "CREATE INDEX ix_curation_case_queue ON curation_case (id, status, opened_at)",
}
STATUSES = [("decided", 0.80), ("open", 0.06), ("in_review", 0.10), ("panel", 0.02), ("expired", 0.02)]


def fill(engine: Engine, n_cases: int, n_curators: int, seed: int = 7) -> list[uuid.UUID]:
    rng = random.Random(seed)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    curators: list[dict[str, Any]] = [{"id": uuid.uuid4(), "username": f"kurator{i:03d}", "full_name": f"Kurator {i}",
                 "sectors": ["kriya"], "affiliation": None, "active": True, "is_chair": False,
                 "max_open_cases": None, "created_at": start} for i in range(n_curators)]
    statuses, weights = zip(*STATUSES, strict=True)
    with Session(engine) as session:
        session.execute(insert(Curator), curators)
        for first in range(0, n_cases, 5000):
            cases: list[dict[str, Any]] = []
            assignments: list[dict[str, Any]] = []
            scores: list[dict[str, Any]] = []
            for i in range(first, min(first + 5000, n_cases)):
                status = rng.choices(statuses, weights)[0]
                case_id = uuid.uuid4()
                opened = start + timedelta(minutes=i)
                decided = status in ("decided", "expired")
                cases.append({
                    "id": case_id, "ikm_id": uuid.uuid4(), "ikm_name": f"IKM {i}", "product_id": uuid.uuid4(),
                    "product_name": f"Produk {i}", "sector": "kriya", "regency_code": "5104", "round": 1,
                    "stage": 0, "rubric_version": DEFAULT_RUBRIC.version, "panel_size": 3, "status": status,
                    "outcome": "approved" if decided else None, "grade": "A" if decided else None,
                    "total": 82.0 if decided else None, "correlation_id": uuid.uuid4(), "opened_at": opened,
                    "decided_at": opened + timedelta(days=3) if decided else None,
                })
                for curator in rng.sample(curators, 3):
                    scored = decided or status == "panel" or (status == "in_review" and rng.random() < 0.5)
                    assignments.append({"case_id": case_id, "curator_id": curator["id"], "stage": 0,
                                        "assigned_at": opened, "scored": scored, "active": True})
                    if scored:
                        scores.append({"case_id": case_id, "curator_id": curator["id"], "stage": 0, "version": 1,
                                       "current": True, "gates": {g.code: True for g in DEFAULT_RUBRIC.gates},
                                       "scores": {c.code: 4 for c in DEFAULT_RUBRIC.criteria}, "comment": None,
                                       "total": 80.0, "submitted_at": opened + timedelta(days=1)})
            session.execute(insert(Case), cases)
            session.execute(insert(Assignment), assignments)
            session.execute(insert(Score), scores)
        session.commit()
        session.execute(text("ANALYZE"))
        session.commit()
    return [c["id"] for c in curators]


def time_queue(engine: Engine, curator_ids: list[uuid.UUID], queries: int, seed: int = 11) -> list[float]:
    """Milliseconds per page of 50, as GET /cases?curator_id=...&status=... computes it."""
    rng = random.Random(seed)
    viewer = Principal(username="kurator000", roles=frozenset({"curator"}))
    out = []
    for _ in range(queries):
        curator_id = rng.choice(curator_ids)
        status = rng.choice(["in_review", "open", "panel", None])
        started = time.perf_counter()
        with Session(engine) as session:
            cases, _ = reading.list_cases(session, scope=CaseScope(everything=False, curator_id=curator_id),
                                          ikm_id=None, product_id=None, status=status, curator_id=curator_id,
                                          limit=50, offset=0)
            reading.cases_public(session, cases, viewer)
        out.append((time.perf_counter() - started) * 1000)
    return out


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1))))]


def fmt(ms: list[float]) -> str:
    return f"{percentile(ms, 50):.1f} / {percentile(ms, 95):.1f} / {max(ms):.1f}"


def plan(engine: Engine, curator_id: uuid.UUID) -> str:
    with engine.connect() as conn:
        rows = conn.execute(text(
            "EXPLAIN QUERY PLAN SELECT * FROM curation_case WHERE status = 'in_review' AND id IN "
            "(SELECT case_id FROM assignment WHERE curator_id = :c AND active = 1) "
            "ORDER BY opened_at, id LIMIT 50"), {"c": curator_id.hex}).all()
    return "; ".join(str(r[-1]) for r in rows)


def timed(label: str, fn: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - started
    print(f"{label}: {seconds:.1f} s")
    return result, seconds


def main() -> int:
    n_cases = int(os.environ.get("BENCH_CASES", 50_000))
    n_curators = int(os.environ.get("BENCH_CURATORS", 40))
    queries = int(os.environ.get("BENCH_QUERIES", 300))
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'curation.db'}")
        migrate(engine, MIGRATIONS)
        curator_ids, fill_s = timed(f"filled {n_cases:,} cases", lambda: fill(engine, n_cases, n_curators))
        time_queue(engine, curator_ids, 20)  # warm the page cache
        with_idx = time_queue(engine, curator_ids, queries)
        query_plan = plan(engine, curator_ids[0])
        with engine.begin() as conn:
            for name in QUEUE_INDEXES:
                conn.execute(text(f"DROP INDEX {name}"))
        without = time_queue(engine, curator_ids, max(queries // 3, 20))
        with engine.begin() as conn:
            for ddl in QUEUE_INDEXES.values():
                conn.execute(text(ddl))
        engine.dispose()
    per_curator = n_cases * 3 // n_curators
    from importlib.metadata import version

    report = f"""{BEGIN}
Run on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC: {os.cpu_count()} cores (load average {os.getloadavg()[0]:.1f} at the
end: the machine is shared), {platform.platform()}; Python {platform.python_version()}, SQLAlchemy
{version('sqlalchemy')}, SQLite {sqlite3.sqlite_version}.

| figure | value |
|---|---|
| cases / curators / assignments per curator | {n_cases:,} / {n_curators} / about {per_curator:,} |
| bulk fill (cases, assignments, score sheets) | {fill_s:.1f} s |
| queue page of 50 (`list_cases` + `cases_public`), p50 / p95 / max, {queries} queries | {fmt(with_idx)} ms |
| the same without the queue indexes, p50 / p95 / max | {fmt(without)} ms |
| query plan with the indexes | {query_plan} |
{END}"""
    print(report)
    doc = DOC.read_text() if DOC.exists() else "# Benchmarks\n"
    if BEGIN in doc and END in doc:
        doc = doc[: doc.index(BEGIN)] + report + doc[doc.index(END) + len(END):]
    else:
        doc = doc.rstrip("\n") + "\n\n## Curation queue (a curator's cases among 50,000)\n\nMeasured by " \
              "`.venv/bin/python -m bench.curation_queue` on one SQLite file (no HTTP): the route's own service " \
              "calls, one page of 50, random curator and status filter.\n\n" + report + "\n"
    DOC.write_text(doc)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
