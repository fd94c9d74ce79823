"""Booth allocation as a small MILP over booth classes (ADR 0009).

Booths that are interchangeable for every rule (same zone, same sector list, same accessibility)
form one class; an IKM gets a 0/1 variable per class that takes its sector, so the model has about
(applicants × classes that fit them) variables instead of applicants × booths. Constraints: one
booth per IKM, class capacities, regency minimum and maximum counts, the sentra cap and the newcomer
minimum. Individual booth codes are handed out afterwards inside each class, by code, in lottery
order.

The objective is integral: `points × (N + 1) + lottery ticket`, where the ticket of the IKM drawn
first is N and of the last is 1. One point outweighs any one-for-one difference in lottery tickets,
so the lottery decides only between allocations equal in points; HiGHS is run with a relative gap of
zero so that it proves this optimum.
"""

from __future__ import annotations

import random
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix

from exhibitions.allocation.model import (
    ACCESS_MATCH,
    ACCESS_SPENT,
    GRADE_POINTS,
    PLACE,
    PREFERENCE_POINTS,
    Booth,
    Candidate,
    Outcome,
    Problem,
    Result,
    RuleProblem,
)
from exhibitions.allocation.reasons import ClassView, Standing, allocated_reason, binding_rule, reason_text


@dataclass(frozen=True)
class BoothClass:
    zone: str
    sectors: frozenset[str]
    accessible: bool
    codes: tuple[str, ...]

    def accepts(self, sector: str) -> bool:
        return not self.sectors or sector in self.sectors


def booth_classes(booths: Iterable[Booth]) -> list[BoothClass]:
    groups: dict[tuple[str, tuple[str, ...], bool], list[str]] = defaultdict(list)
    for b in booths:
        groups[(b.zone, tuple(sorted(b.sectors)), b.accessible)].append(b.code)
    return [BoothClass(zone, frozenset(sectors), accessible, tuple(sorted(codes)))
            for (zone, sectors, accessible), codes in sorted(groups.items())]


def draw_lottery(keys: Iterable[str], seed: int) -> dict[str, int]:
    """Lottery numbers 1..N from the seed: the same keys and seed always draw the same numbers."""
    order = sorted(set(keys))
    random.Random(seed).shuffle(order)
    return {key: number for number, key in enumerate(order, start=1)}


def points(candidate: Candidate, cls: BoothClass) -> int:
    total = PLACE + GRADE_POINTS.get(candidate.grade or "", 0)
    if cls.accessible:
        total += ACCESS_MATCH if candidate.needs_accessible else ACCESS_SPENT
    if cls.zone in candidate.preferred_zones[:len(PREFERENCE_POINTS)]:
        total += PREFERENCE_POINTS[candidate.preferred_zones.index(cls.zone)]
    return total


@dataclass
class _Model:
    candidates: list[Candidate]
    classes: list[BoothClass]
    columns: list[tuple[int, int]]  # (candidate index, class index) per variable
    cost: np.ndarray
    rows: list[tuple[str, list[int], float, float]]  # name, variables, lower, upper
    lower_rules: dict[str, RuleProblem]  # row name -> the rule it carries, for rows with a lower bound
    regency_wanted: dict[str, int]  # the count each regency with a minimum must reach, held booths included
    newcomer_wanted: int


def _build(problem: Problem, lottery: dict[str, int]) -> _Model:
    rules = problem.rules
    cands = sorted(problem.candidates, key=lambda c: c.key)
    classes = booth_classes(problem.booths)
    n = len(cands)
    scale = n + 1
    columns: list[tuple[int, int]] = []
    cost: list[float] = []
    for i, cand in enumerate(cands):
        for k, cls in enumerate(classes):
            if cls.accepts(cand.sector):
                columns.append((i, k))
                cost.append(-float(points(cand, cls) * scale + (n + 1 - lottery[cand.key])))
    by_cand: dict[int, list[int]] = defaultdict(list)
    by_class: dict[int, list[int]] = defaultdict(list)
    for j, (i, k) in enumerate(columns):
        by_cand[i].append(j)
        by_class[k].append(j)

    rows: list[tuple[str, list[int], float, float]] = []
    for i, js in sorted(by_cand.items()):
        rows.append((f"one_booth:{cands[i].key}", js, 0.0, 1.0))
    for k, js in sorted(by_class.items()):
        rows.append((f"class:{k}", js, 0.0, float(len(classes[k].codes))))

    lower_rules: dict[str, RuleProblem] = {}
    held_regency: dict[str, int] = defaultdict(int)
    held_sentra: dict[str, int] = defaultdict(int)
    for h in problem.held:
        held_regency[h.regency_code] += 1
        if h.sentra_id is not None:
            held_sentra[h.sentra_id] += 1
    placeable = {i for i in by_cand}
    regency_vars: dict[str, list[int]] = defaultdict(list)
    sentra_vars: dict[str, list[int]] = defaultdict(list)
    newcomer_vars: list[int] = []
    for j, (i, _) in enumerate(columns):
        cand = cands[i]
        regency_vars[cand.regency_code].append(j)
        if cand.sentra_id is not None:
            sentra_vars[cand.sentra_id].append(j)
        if cand.newcomer:
            newcomer_vars.append(j)
    placeable_in: dict[str, int] = defaultdict(int)
    for i in placeable:
        placeable_in[cands[i].regency_code] += 1
    with_minimum = set(rules.regency_codes) or ({c.regency_code for c in cands} | set(held_regency))
    regency_max, regency_min = rules.regency_max(), rules.regency_min()
    regency_wanted: dict[str, int] = {}
    for regency in sorted(set(regency_vars) | (with_minimum & set(held_regency))):
        js = regency_vars.get(regency, [])
        wanted = min(regency_min, placeable_in[regency] + held_regency[regency]) if regency in with_minimum else 0
        lower = max(0, wanted - held_regency[regency])
        regency_wanted[regency] = wanted
        upper = max(0, regency_max - held_regency[regency])
        name = f"regency:{regency}"
        rows.append((name, js, float(lower), float(upper)))
        if lower > 0:
            lower_rules[name] = RuleProblem(
                f"regency_min:{regency}",
                f"Porsi minimum kabupaten/kota {regency} ({wanted} stan) tidak dapat dipenuhi dengan stan dan "
                "pendaftar yang ada.",
                f"The minimum share of regency {regency} ({wanted} booths) cannot be met with the booths and "
                "applicants available.")
    if rules.sentra_cap is not None:
        for sentra, js in sorted(sentra_vars.items()):
            rows.append((f"sentra:{sentra}", js, 0.0, float(max(0, rules.sentra_cap - held_sentra[sentra]))))
    held_new = sum(1 for h in problem.held if h.newcomer)
    placeable_new = sum(1 for i in placeable if cands[i].newcomer)
    wanted_new = min(rules.newcomer_min(), placeable_new + held_new)
    if wanted_new - held_new > 0:
        rows.append(("newcomer", newcomer_vars, float(wanted_new - held_new), float("inf")))
        lower_rules["newcomer"] = RuleProblem(
            "newcomer_share",
            f"Porsi pendatang baru ({wanted_new} stan) tidak dapat dipenuhi dengan stan dan pendaftar yang ada.",
            f"The newcomer share ({wanted_new} booths) cannot be met with the booths and applicants available.")
    return _Model(cands, classes, columns, np.array(cost, dtype=float), rows, lower_rules, regency_wanted,
                  wanted_new)


def _solve(model: _Model, time_limit_s: float, drop: frozenset[str] = frozenset(), feasibility: bool = False,
           ) -> tuple[int, np.ndarray | None, float | None, float | None, float | None]:
    """(status, x, objective, dual bound, gap); status 0 optimal, 1 stopped with a solution, 2 infeasible."""
    nvar = len(model.columns)
    active = [r for r in model.rows if r[0] not in drop]
    if nvar == 0:
        return (2 if any(r[2] > 0 for r in active) else 0), np.zeros(0), 0.0, 0.0, 0.0
    data: list[float] = []
    ri: list[int] = []
    ci: list[int] = []
    for r, (_, js, _, _) in enumerate(active):
        ri.extend([r] * len(js))
        ci.extend(js)
        data.extend([1.0] * len(js))
    matrix = coo_matrix((data, (ri, ci)), shape=(len(active), nvar)).tocsr()
    constraint = LinearConstraint(matrix, np.array([r[2] for r in active]), np.array([r[3] for r in active]))
    cost = np.zeros(nvar) if feasibility else model.cost
    res = milp(cost, integrality=np.ones(nvar), bounds=Bounds(0, 1), constraints=constraint,
               options={"time_limit": time_limit_s, "mip_rel_gap": 0.0, "presolve": True})
    if res.x is None:
        return (2 if res.status == 2 else 3), None, None, None, None
    status = 0 if res.status == 0 else 1
    bound = getattr(res, "mip_dual_bound", None)
    gap = getattr(res, "mip_gap", None)
    return (status, np.asarray(res.x), float(res.fun),
            float(bound) if bound is not None else None, float(gap) if gap is not None else None)


def allocate(problem: Problem) -> Result:
    """The optimal allocation of `problem`, each IKM with its reason; or `infeasible` naming the rules."""
    started = time.perf_counter()
    lottery = draw_lottery((c.key for c in problem.candidates), problem.seed)
    model = _build(problem, lottery)
    status, x, objective, bound, gap = _solve(model, problem.time_limit_s)
    result = Result(status="optimal", seed=problem.seed, variables=len(model.columns))
    if x is None or status >= 2:
        result.status = "infeasible"
        result.problems = _diagnose(model, problem.time_limit_s)
        result.solve_seconds = time.perf_counter() - started
        return result
    result.status = "optimal" if status == 0 else "feasible"
    result.objective = -objective if objective is not None else None
    result.bound = -bound if bound is not None else None
    result.gap = gap
    result.outcomes = _explain(problem, model, x, lottery)
    result.solve_seconds = time.perf_counter() - started
    return result


def _diagnose(model: _Model, time_limit_s: float) -> list[RuleProblem]:
    """The lower-bound rules whose removal alone makes the problem feasible; all of them when no single
    one does."""
    named = [rule for row, rule in model.lower_rules.items()
             if _solve(model, time_limit_s, drop=frozenset({row}), feasibility=True)[0] < 2]
    if named:
        return named
    if model.lower_rules:
        return list(model.lower_rules.values())
    return [RuleProblem("booths", "Aturan pameran tidak dapat dipenuhi dengan denah ini.",
                        "The fair's rules cannot be met with this floor plan.")]


def _explain(problem: Problem, model: _Model, x: np.ndarray, lottery: dict[str, int]) -> list[Outcome]:
    rules = problem.rules
    cands, classes = model.candidates, model.classes
    winners: dict[int, list[int]] = defaultdict(list)
    placed_class: dict[int, int] = {}
    for j, (i, k) in enumerate(model.columns):
        if x[j] > 0.5:
            winners[k].append(i)
            placed_class[i] = k
    codes: dict[int, str] = {}
    for k, members in winners.items():
        for i, code in zip(sorted(members, key=lambda i: lottery[cands[i].key]), classes[k].codes, strict=False):
            codes[i] = code

    regency_count: dict[str, int] = defaultdict(int)
    sentra_count: dict[str, int] = defaultdict(int)
    for h in problem.held:
        regency_count[h.regency_code] += 1
        if h.sentra_id is not None:
            sentra_count[h.sentra_id] += 1
    for i in placed_class:
        regency_count[cands[i].regency_code] += 1
        member_of = cands[i].sentra_id
        if member_of is not None:
            sentra_count[member_of] += 1
    newcomers_placed = sum(1 for h in problem.held if h.newcomer) + sum(1 for i in placed_class if cands[i].newcomer)

    holders = {k: [cands[i] for i in members] for k, members in winners.items()}
    outcomes: list[Outcome] = []
    for i, k in placed_class.items():
        cand, cls = cands[i], classes[k]
        # For an owner who needs an accessible booth and did not get one: were there any, and who has them.
        fitting_accessible = [m for m, other in enumerate(classes) if other.accessible and other.accepts(cand.sector)]
        to_owners_in_need = all(h.needs_accessible for m in fitting_accessible for h in holders.get(m, ()))
        text, text_en = allocated_reason(cand, codes[i], cls.zone, cls.accessible, rules,
                                         bool(fitting_accessible), to_owners_in_need)
        tail = (f"nomor undian {lottery[cand.key]} (benih {problem.seed})",
                f"lottery number {lottery[cand.key]} (seed {problem.seed})")
        outcomes.append(Outcome(cand.key, "allocated", codes[i], None, lottery[cand.key], points(cand, cls),
                                f"{text}; {tail[0]}.", f"{text_en}; {tail[1]}."))

    def best(i: int) -> int:
        return max((points(cands[i], classes[k]) for k in range(len(classes)) if classes[k].accepts(cands[i].sector)),
                   default=0)

    waiting = sorted((i for i in range(len(cands)) if i not in placed_class),
                     key=lambda i: (-best(i), lottery[cands[i].key]))
    standing = Standing(regency_count, sentra_count, newcomers_placed, model.regency_wanted, model.newcomer_wanted)
    views = [ClassView(cls.zone, cls.accessible, cls.accepts) for cls in classes]
    for rank, i in enumerate(waiting, start=1):
        cand = cands[i]
        binding = binding_rule(cand, rules, views, holders, lambda c, k: points(c, classes[k]), lottery, standing)
        zones = [classes[k].zone for k in range(len(classes)) if classes[k].accepts(cand.sector)]
        why, why_en = reason_text(binding, cand, rules, zones, standing)
        outcomes.append(Outcome(
            cand.key, "waitlisted", None, rank, lottery[cand.key], best(i),
            f"Daftar tunggu peringkat {rank}: {why} Nomor undian {lottery[cand.key]} (benih {problem.seed}).",
            f"Waitlist rank {rank}: {why_en} Lottery number {lottery[cand.key]} (seed {problem.seed}).",
            rule=binding.rule))
    return sorted(outcomes, key=lambda o: o.key)
