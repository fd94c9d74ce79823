"""Properties of the allocation solver over seeded random fairs, checked against a brute force that
enumerates every allocation (tests/unit/exhibitions/random_fairs.py). Plain seeded loops: a failure
names its seed, and the same seed rebuilds the same fair."""

from __future__ import annotations

from exhibitions.allocation import allocate
from tests.unit.exhibitions.random_fairs import (
    allocations,
    floor_share,
    limits,
    meets_minimums,
    random_fair,
    regency_counts,
)

SEEDS = range(300)


def test_no_regency_goes_over_floor_of_its_maximum_share() -> None:
    for seed in SEEDS:
        problem = random_fair(seed)
        result = allocate(problem)
        placed = {o.key: o.booth_code for o in result.outcomes if o.booth_code is not None}
        cap = floor_share(problem.rules.regency_max_share, problem.rules.booth_count)
        counts = regency_counts(problem, placed)
        newly = regency_counts(problem, {})
        for regency, count in counts.items():
            # A held (published) booth is never taken back, so only what the run adds is bounded here.
            assert count <= max(cap, newly[regency]), (seed, regency, count, cap)


def test_minimums_are_met_whenever_a_feasible_allocation_meets_them() -> None:
    feasible_runs = infeasible_runs = 0
    for seed in SEEDS:
        problem = random_fair(seed)
        result = allocate(problem)
        every = list(allocations(problem))
        meeting = [a for a in every if meets_minimums(problem, a)]
        if result.status == "infeasible":
            infeasible_runs += 1
            assert not meeting, (seed, "the solver says infeasible but an allocation meets every minimum")
            assert result.problems
            continue
        feasible_runs += 1
        placed = {o.key: o.booth_code for o in result.outcomes if o.booth_code is not None}
        assert any(placed == a for a in every), (seed, "the run breaks a sector, maximum or sentra rule")
        assert meets_minimums(problem, placed), (seed, placed, limits(problem))
        # Placing one more IKM outweighs everything else: no allocation meeting the minimums places more.
        assert len(placed) == max(len(a) for a in meeting), seed
    assert feasible_runs > 100 and infeasible_runs > 0  # the random fairs reach both cases
