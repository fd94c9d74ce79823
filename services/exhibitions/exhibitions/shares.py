"""How a fair's shares turn into booth counts (DOMAIN.md, Booth allocation; ADR 0009).

One pure function, used by placement, allocation runs, the fairness report and the fair's API reply,
so that what organisers read ("30 % of 11 booths is at most 3") is what every rule enforces."""

from __future__ import annotations

import math
from dataclasses import dataclass

# Shares are entered as decimals: 0.07 × 100 is 7.000000000000001 in floating point and must stay 7.
_EPS = 1e-9


@dataclass(frozen=True)
class EffectiveCounts:
    """The booth counts a fair's shares give for its number of booths."""

    booths: int
    regency_min: int  # every regency of the fair gets at least this many, when it has the applicants
    regency_max: int  # no regency ever holds more
    newcomer_min: int  # booths for IKM that have not exhibited at the organiser's other fairs


def effective_counts(booths: int, regency_min_share: float, regency_max_share: float,
                     newcomer_share: float) -> EffectiveCounts:
    """A maximum is never exceeded: floor(max × booths). A minimum is met whenever there are enough
    applicants: ceil(min × booths), but never above the maximum (a minimum and maximum of 30 % of 11
    booths is 3 and 3, not 4 and 3). The newcomer share is a minimum too: ceil(share × booths)."""
    booths = max(0, booths)
    regency_max = min(booths, math.floor(regency_max_share * booths + _EPS))
    regency_min = min(regency_max, math.ceil(regency_min_share * booths - _EPS))
    newcomer_min = min(booths, math.ceil(newcomer_share * booths - _EPS))
    return EffectiveCounts(booths=booths, regency_min=max(0, regency_min), regency_max=max(0, regency_max),
                           newcomer_min=max(0, newcomer_min))
