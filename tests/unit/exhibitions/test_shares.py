"""Shares into booth counts: a maximum is floor(max × B), a minimum ceil(min × B) (DOMAIN.md)."""

from __future__ import annotations

import pytest

from exhibitions.allocation import Rules
from exhibitions.shares import effective_counts


@pytest.mark.parametrize(("booths", "min_share", "max_share", "regency_min", "regency_max"), [
    (11, 0.0, 0.30, 0, 3),   # the fair: 30 % of 11 booths is at most 3, never 4
    (11, 0.10, 0.30, 2, 3),  # 1.1 rounds up: a minimum is met, not shaved
    (10, 0.30, 0.30, 3, 3),  # exact shares stay exact despite floating point
    (11, 0.30, 0.30, 3, 3),  # ceil(3.3) = 4 would pass the maximum: the minimum stops at it
    (3, 0.30, 0.30, 0, 0),   # 0.9 of a booth is no booth at most
    (100, 0.07, 0.07, 7, 7),  # 0.07 × 100 = 7.000000000000001
    (10, 0.0, 0.70, 0, 7),   # 0.7 × 10 = 6.999999999999999
    (7, 0.0, 1.0, 0, 7),
    (0, 0.5, 0.5, 0, 0),
])
def test_regency_counts(booths: int, min_share: float, max_share: float, regency_min: int, regency_max: int) -> None:
    counts = effective_counts(booths, min_share, max_share, 0.0)
    assert (counts.regency_min, counts.regency_max) == (regency_min, regency_max)
    assert counts.booths == booths


@pytest.mark.parametrize(("booths", "share", "newcomer_min"), [(11, 0.2, 3), (10, 0.2, 2), (10, 0.0, 0), (4, 1.0, 4)])
def test_the_newcomer_share_rounds_up(booths: int, share: float, newcomer_min: int) -> None:
    assert effective_counts(booths, 0.0, 1.0, share).newcomer_min == newcomer_min


def test_every_fraction_keeps_minimum_at_most_maximum_at_most_booths() -> None:
    for booths in range(0, 60):
        for lo in range(0, 101, 5):
            for hi in range(lo, 101, 5):
                c = effective_counts(booths, lo / 100, hi / 100, lo / 100)
                assert 0 <= c.regency_min <= c.regency_max <= booths
                assert c.regency_max <= hi / 100 * booths + 1e-6
                assert c.newcomer_min <= booths


def test_the_solver_reads_the_same_counts() -> None:
    rules = Rules(booth_count=11, regency_min_share=0.1, regency_max_share=0.3, newcomer_share=0.2)
    assert (rules.regency_min(), rules.regency_max(), rules.newcomer_min()) == (2, 3, 3)
