"""Seeded random small fairs for the allocation property tests, and a brute force that knows every
allocation of such a fair. Written apart from the solver and `shares` on purpose: the tests compare two
independent computations (exact fractions here, floats with an epsilon there)."""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction

from exhibitions.allocation import Booth, Candidate, Held, Problem, Rules

SECTORS = ("kriya", "kuliner", "fesyen")
BOOTH_SECTORS = (frozenset({"kriya"}), frozenset({"kuliner"}), frozenset({"kriya", "fesyen"}), frozenset())
REGENCIES = ("5101", "5102", "5103")


def random_fair(seed: int) -> Problem:
    rng = random.Random(seed)
    n_booths = rng.randint(1, 5)
    booths = tuple(Booth(f"B-{i:02d}", rng.choice(("Atas", "Bawah")), rng.choice(BOOTH_SECTORS), rng.random() < 0.3)
                   for i in range(n_booths))
    regencies = REGENCIES[:rng.randint(1, 3)]
    n_cands = rng.randint(1, 6)
    candidates = tuple(Candidate(
        key=f"c{i}", sector=rng.choice(SECTORS), regency_code=rng.choice(regencies),
        sentra_id=rng.choice((None, None, "s1", "s2")), newcomer=rng.random() < 0.6,
        needs_accessible=rng.random() < 0.2, grade=rng.choice((None, "A", "B", "C")),
        preferred_zones=tuple(rng.sample(("Atas", "Bawah"), rng.randint(0, 2)))) for i in range(n_cands))
    held: tuple[Held, ...] = ()
    if n_booths > 1 and rng.random() < 0.3:
        held = (Held("h0", booths[0].code, rng.choice(regencies), rng.choice((None, "s1")), rng.random() < 0.5),)
        booths = booths[1:]
    max_share = rng.choice((0.2, 0.3, 0.34, 0.5, 0.6, 1.0))
    min_share = rng.choice([s for s in (0.0, 0.0, 0.1, 0.2, 0.3, 0.5) if s <= max_share])
    rules = Rules(booth_count=len(booths) + len(held),
                  regency_codes=regencies if rng.random() < 0.5 else (),
                  regency_min_share=min_share, regency_max_share=max_share,
                  sentra_cap=rng.choice((None, None, 1, 2)), newcomer_share=rng.choice((0.0, 0.0, 0.2, 0.4, 1.0)))
    return Problem(rules=rules, booths=booths, candidates=candidates, held=held, seed=seed)


def floor_share(share: float, booths: int) -> int:
    return math.floor(Fraction(str(share)) * booths)


def ceil_share(share: float, booths: int) -> int:
    return math.ceil(Fraction(str(share)) * booths)


def accepts(booth: Booth, sector: str) -> bool:
    return not booth.sectors or sector in booth.sectors


@dataclass(frozen=True)
class Limits:
    """The fair's rules as exact counts, computed here without `shares`."""

    regency_max: int
    regency_min: dict[str, int]  # per regency with a minimum, lowered to the applicants that could be placed
    sentra_cap: int | None
    newcomer_min: int  # lowered likewise


def limits(problem: Problem) -> Limits:
    rules, cands = problem.rules, problem.candidates
    b = rules.booth_count
    regency_max = floor_share(rules.regency_max_share, b)
    raw_min = min(ceil_share(rules.regency_min_share, b), regency_max)
    placeable = [c for c in cands if any(accepts(x, c.sector) for x in problem.booths)]
    held_in = Counter(h.regency_code for h in problem.held)
    with_min = set(rules.regency_codes) or ({c.regency_code for c in cands} | set(held_in))
    regency_min = {r: min(raw_min, sum(c.regency_code == r for c in placeable) + held_in[r]) for r in with_min}
    newcomer_min = min(ceil_share(rules.newcomer_share, b),
                       sum(c.newcomer for c in placeable) + sum(h.newcomer for h in problem.held))
    return Limits(regency_max, regency_min, rules.sentra_cap, newcomer_min)


def allocations(problem: Problem) -> Iterator[dict[str, str]]:
    """Every allocation (candidate key → booth code) that keeps the sectors, the regency maximum and the
    sentra cap, counting the held booths; the minimums are not applied."""
    lim = limits(problem)
    cands, booths = problem.candidates, problem.booths
    regency = Counter(h.regency_code for h in problem.held)
    sentra = Counter(h.sentra_id for h in problem.held if h.sentra_id is not None)
    used: set[str] = set()
    chosen: dict[str, str] = {}

    def step(i: int) -> Iterator[dict[str, str]]:
        if i == len(cands):
            yield dict(chosen)
            return
        yield from step(i + 1)  # this candidate waits
        c = cands[i]
        if regency[c.regency_code] >= lim.regency_max:
            return
        if c.sentra_id is not None and lim.sentra_cap is not None and sentra[c.sentra_id] >= lim.sentra_cap:
            return
        for booth in booths:
            if booth.code in used or not accepts(booth, c.sector):
                continue
            used.add(booth.code)
            chosen[c.key] = booth.code
            regency[c.regency_code] += 1
            if c.sentra_id is not None:
                sentra[c.sentra_id] += 1
            yield from step(i + 1)
            used.discard(booth.code)
            del chosen[c.key]
            regency[c.regency_code] -= 1
            if c.sentra_id is not None:
                sentra[c.sentra_id] -= 1

    yield from step(0)


def regency_counts(problem: Problem, placed: dict[str, str]) -> Counter[str]:
    by_key = {c.key: c for c in problem.candidates}
    return Counter([by_key[k].regency_code for k in placed] + [h.regency_code for h in problem.held])


def newcomer_count(problem: Problem, placed: dict[str, str]) -> int:
    by_key = {c.key: c for c in problem.candidates}
    return sum(by_key[k].newcomer for k in placed) + sum(h.newcomer for h in problem.held)


def meets_minimums(problem: Problem, placed: dict[str, str]) -> bool:
    lim = limits(problem)
    counts = regency_counts(problem, placed)
    return (all(counts[r] >= m for r, m in lim.regency_min.items())
            and newcomer_count(problem, placed) >= lim.newcomer_min)
