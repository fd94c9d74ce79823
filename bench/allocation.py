"""Booth allocation at fair sizes (not a test): solve time and optimality gap of the class MILP that
allocation runs use (ADR 0009), against the LP bound and a reference MILP over individual booths.

    .venv/bin/python -m bench.allocation            # 132, 600 and 1,200 booths
    BENCH_SIZES=132,600 BENCH_REFERENCE_MAX_BOOTHS=600 BENCH_REFERENCE_LIMIT_S=300 .venv/bin/python -m bench.allocation

Each fair: 1.25 × as many applicants as booths, the 9 Bali regencies (5101–5108, 5171) weighted as
their IKM counts, 5 zones, 10 % accessible booths, sentra of 4–12 members capped at 5 each, a 30 %
newcomer share and regency shares between 5 % and 30 %. Writes the table to docs/BENCHMARKS.md
between the BENCH:allocation markers (nothing else in the file changes) and prints it.
"""

from __future__ import annotations

import os
import platform
import random
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import scipy
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse import coo_matrix

from exhibitions.allocation import Booth, Candidate, Problem, Rules, allocate
from exhibitions.allocation.solver import _build, draw_lottery

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "BENCHMARKS.md"
BEGIN, END = "<!-- BENCH:allocation:begin -->", "<!-- BENCH:allocation:end -->"

# Bali IKM per regency, end 2018 (DOMAIN.md): Jembrana, Tabanan, Badung, Gianyar, Klungkung, Bangli,
# Karangasem, Buleleng, Denpasar.
REGENCIES = {"5101": 1775, "5102": 878, "5103": 1230, "5104": 943, "5105": 461, "5106": 4213, "5107": 512,
             "5108": 977, "5171": 4074}
ZONES = [("Kriya", ("kriya",), 0.35), ("Fesyen", ("fesyen",), 0.2), ("Kuliner", ("kuliner",), 0.2),
         ("Seni", ("seni_rupa", "desain_produk"), 0.15), ("Umum", (), 0.10)]
SECTOR_WEIGHTS = {"kriya": 0.4, "fesyen": 0.2, "kuliner": 0.2, "seni_rupa": 0.1, "desain_produk": 0.1}


def make_fair(booth_count: int, seed: int = 7) -> Problem:
    rng = random.Random(seed)
    booths: list[Booth] = []
    for z, (zone, sectors, share) in enumerate(ZONES):
        n = round(booth_count * share) if z < len(ZONES) - 1 else booth_count - len(booths)
        for b in range(n):
            booths.append(Booth(f"{zone[0]}-{b + 1:04d}", zone, frozenset(sectors), accessible=rng.random() < 0.1))
    applicants = round(booth_count * 1.25)
    regencies, weights = list(REGENCIES), list(REGENCIES.values())
    sector_names, sector_w = list(SECTOR_WEIGHTS), list(SECTOR_WEIGHTS.values())
    candidates: list[Candidate] = []
    sentra_left, sentra_id, sentra_home = 0, "", ("", "")
    for i in range(applicants):
        regency, sector = rng.choices(regencies, weights)[0], rng.choices(sector_names, sector_w)[0]
        if sentra_left == 0 and rng.random() < 0.03:  # a sentra: 4–12 members of one regency and sector
            sentra_left, sentra_id, sentra_home = rng.randint(4, 12), f"sentra-{i}", (regency, sector)
        member = sentra_left > 0
        if member:
            sentra_left -= 1
            regency, sector = sentra_home
        candidates.append(Candidate(
            key=f"ikm-{i:05d}", sector=sector, regency_code=regency, sentra_id=sentra_id if member else None,
            newcomer=rng.random() < 0.4, needs_accessible=rng.random() < 0.05, grade=rng.choice(["A", "B", None]),
            preferred_zones=tuple(rng.sample([z[0] for z in ZONES], rng.randint(0, 3)))))
    rules = Rules(booth_count=booth_count, regency_min_share=0.05, regency_max_share=0.30, sentra_cap=5,
                  newcomer_share=0.3)
    return Problem(rules=rules, booths=tuple(booths), candidates=tuple(candidates), seed=42, time_limit_s=300)


def lp_bound(problem: Problem) -> tuple[float, float]:
    """The LP relaxation of the class model: (bound, seconds)."""
    model = _build(problem, draw_lottery((c.key for c in problem.candidates), problem.seed))
    started = time.perf_counter()
    a_ub, b_ub = [], []
    nvar = len(model.columns)
    for _, js, lower, upper in model.rows:
        row = np.zeros(nvar)
        row[js] = 1.0
        if upper != float("inf"):
            a_ub.append(row)
            b_ub.append(upper)
        if lower > 0:
            a_ub.append(-row)
            b_ub.append(-lower)
    res = linprog(model.cost, A_ub=np.array(a_ub), b_ub=np.array(b_ub), bounds=(0, 1), method="highs")
    return -float(res.fun), time.perf_counter() - started


def reference_milp(problem: Problem, limit_s: float) -> tuple[float | None, float, float | None]:
    """The plain MILP over individual booths with the same objective: (objective, seconds, gap)."""
    model = _build(problem, draw_lottery((c.key for c in problem.candidates), problem.seed))
    cost_of = {(i, k): model.cost[j] for j, (i, k) in enumerate(model.columns)}
    cols: list[tuple[int, int, int]] = []  # candidate, class, booth position
    for (i, k) in cost_of:
        for b in range(len(model.classes[k].codes)):
            cols.append((i, k, b))
    row_of: dict[str, int] = {}
    lower: list[float] = []
    upper: list[float] = []
    ri: list[int] = []
    ci: list[int] = []

    def row(name: str, lo: float, up: float) -> int:
        if name not in row_of:
            row_of[name] = len(lower)
            lower.append(lo)
            upper.append(up)
        return row_of[name]

    # Class rows of the class model become one row per booth; every other row carries over.
    member: dict[int, list[str]] = {}
    for name, js, lo, up in model.rows:
        if name.startswith("class:"):
            continue
        r = row(name, lo, up)
        for j in js:
            member.setdefault(j, []).append(name)
        _ = r
    index = {col: j for j, col in enumerate(model.columns)}
    for n, (i, k, b) in enumerate(cols):
        for name in member.get(index[(i, k)], []):
            ri.append(row_of[name])
            ci.append(n)
        ri.append(row(f"booth:{k}:{b}", 0, 1))
        ci.append(n)
    matrix = coo_matrix((np.ones(len(ri)), (ri, ci)), shape=(len(lower), len(cols))).tocsr()
    cost = np.array([cost_of[(i, k)] for i, k, _ in cols])
    started = time.perf_counter()
    res = milp(cost, integrality=np.ones(len(cols)), bounds=Bounds(0, 1),
               constraints=LinearConstraint(matrix, np.array(lower), np.array(upper)),
               options={"time_limit": limit_s, "mip_rel_gap": 0.0})
    seconds = time.perf_counter() - started
    if res.x is None:
        return None, seconds, None
    return -float(res.fun), seconds, getattr(res, "mip_gap", None)


def main() -> None:
    sizes = [int(s) for s in os.environ.get("BENCH_SIZES", "132,600,1200").split(",")]
    limit = float(os.environ.get("BENCH_REFERENCE_LIMIT_S", "60"))
    # The per-booth reference grows as applicants × booths: 600 booths already take minutes here.
    reference_up_to = int(os.environ.get("BENCH_REFERENCE_MAX_BOOTHS", "132"))
    lines = []
    for size in sizes:
        problem = make_fair(size)
        result = allocate(problem)
        bound, _ = lp_bound(problem)
        placed = sum(1 for o in result.outcomes if o.status == "allocated")
        ref_obj, ref_s, ref_gap = reference_milp(problem, limit) if size <= reference_up_to else (None, 0.0, None)
        vs_lp = (bound - result.objective) / bound if result.objective and bound else float("nan")
        ref = "not run"
        if ref_obj is not None:
            same = "same optimum" if abs(ref_obj - (result.objective or 0)) < 0.5 else f"objective {ref_obj:.0f}"
            stopped = "" if ref_gap in (None, 0.0) and ref_s < limit else f", stopped at {limit:.0f} s"
            ref = f"{ref_s:.1f} s ({same}{stopped}; gap {ref_gap or 0:.2%})"
        line = (f"| {size:,} | {len(problem.candidates):,} | {result.variables:,} | {result.status} | "
                f"{result.solve_seconds:.2f} s | {result.gap or 0:.2%} | {vs_lp:.4%} | {placed:,} | {ref} |")
        print(line, flush=True)
        lines.append(line)
    header = (f"Run on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC: {os.cpu_count()} cores, {platform.platform()}; "
              f"Python {platform.python_version()}, SciPy {scipy.__version__} (HiGHS).\n\n"
              "| booths | applicants | variables | status | solve time (build, solve, explain) | HiGHS gap "
              "| gap to LP bound | placed | reference MILP over single booths |\n|---|---|---|---|---|---|---|---|---|")
    body = header + "\n" + "\n".join(lines)
    text = DOC.read_text()
    if BEGIN in text and END in text:
        before, rest = text.split(BEGIN, 1)
        _, after = rest.split(END, 1)
        text = f"{before}{BEGIN}\n{body}\n{END}{after}"
    else:
        text = text.rstrip("\n") + f"\n\n## Booth allocation\n\n{BEGIN}\n{body}\n{END}\n"
    DOC.write_text(text)
    print(body)


if __name__ == "__main__":
    main()
