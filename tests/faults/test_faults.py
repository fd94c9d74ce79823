"""The fault suite (issue 7). `make test` runs a short form (one seed, a few dozen IKM);
`make faults` runs FAULT_SEEDS (default 20 seeds) with FAULT_IKM IKM each."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.faults.chaos import run_seed, seeds_from_env

SEEDS = seeds_from_env([1])
N_IKM = int(os.environ.get("FAULT_IKM", 40))
SECONDS = float(os.environ.get("FAULT_SECONDS", 10))


@pytest.mark.parametrize("seed", SEEDS)
def test_nothing_is_lost_or_done_twice_under_faults(tmp_path: Path, seed: int) -> None:
    report = run_seed(tmp_path, seed, N_IKM, seconds=SECONDS)
    print(report.summary())
    assert sum(report.faults.values()) > 0, "the run injected no fault"
    assert not report.violations, f"{report.summary()}; replay with FAULT_SEEDS={seed}:\n" + "\n".join(
        report.violations[:50])
