"""The allocation problem as plain data: what goes into the solver and what comes out.

No database, no HTTP: the service builds a `Problem` from its tables and stores the `Result`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from exhibitions.shares import EffectiveCounts, effective_counts

# Points of the objective. Placing one more IKM outweighs everything else; an owner who needs an
# accessible booth getting one outweighs grade and preference; then curation grade, then the stated
# zone preference. The seeded lottery only decides between allocations equal in points (see solver).
PLACE = 1000
ACCESS_MATCH = 200
ACCESS_SPENT = -1  # an accessible booth given to an owner who does not need it, while others are free
GRADE_POINTS = {"A": 30, "B": 20, "C": 10, "D": 0}
PREFERENCE_POINTS = (9, 6, 3)  # first, second, third preferred zone


@dataclass(frozen=True)
class Booth:
    code: str
    zone: str
    sectors: frozenset[str]
    accessible: bool

    def accepts(self, sector: str) -> bool:
        return not self.sectors or sector in self.sectors


@dataclass(frozen=True)
class Candidate:
    """An application the run may place (pending placement, waitlisted, or allocated but unlocked)."""

    key: str
    sector: str
    regency_code: str
    sentra_id: str | None = None
    newcomer: bool = True
    needs_accessible: bool = False
    grade: str | None = None
    preferred_zones: tuple[str, ...] = ()


@dataclass(frozen=True)
class Held:
    """A locked (published) assignment the run keeps: its booth is not offered, but it counts toward
    the regency, sentra and newcomer rules."""

    key: str
    booth_code: str
    regency_code: str
    sentra_id: str | None = None
    newcomer: bool = False


@dataclass(frozen=True)
class Rules:
    booth_count: int
    regency_codes: tuple[str, ...] = ()  # the fair's regencies; empty: every regency that applied
    regency_min_share: float = 0.0
    regency_max_share: float = 1.0
    sentra_cap: int | None = None
    newcomer_share: float = 0.0

    def counts(self) -> EffectiveCounts:
        """The booth counts the shares give (`shares.effective_counts`)."""
        return effective_counts(self.booth_count, self.regency_min_share, self.regency_max_share,
                                self.newcomer_share)

    def regency_min(self) -> int:
        """ceil(min·B), never above the maximum."""
        return self.counts().regency_min

    def regency_max(self) -> int:
        """floor(max·B): a maximum is never exceeded."""
        return self.counts().regency_max

    def newcomer_min(self) -> int:
        return self.counts().newcomer_min


@dataclass(frozen=True)
class Problem:
    rules: Rules
    booths: tuple[Booth, ...]  # free booths (not held by a locked assignment)
    candidates: tuple[Candidate, ...]
    held: tuple[Held, ...] = ()
    seed: int = 0
    time_limit_s: float = 60.0


@dataclass(frozen=True)
class Outcome:
    key: str
    status: Literal["allocated", "waitlisted"]
    booth_code: str | None
    waitlist_rank: int | None
    lottery: int  # the IKM's number in the seeded lottery, 1 = drawn first
    points: int
    reason: str
    reason_en: str
    # A waitlisted IKM's binding rule (`reasons.binding_rule`): sector, regency_max, sentra_cap,
    # regency_min, newcomer, accessible, points or lottery; empty for an allocated one.
    rule: str = ""


@dataclass(frozen=True)
class RuleProblem:
    """A rule the run cannot meet, named for the organiser."""

    rule: str  # e.g. "regency_min:5101", "newcomer_share"
    message: str
    message_en: str


@dataclass
class Result:
    status: Literal["optimal", "feasible", "infeasible"]
    seed: int
    outcomes: list[Outcome] = field(default_factory=list)
    objective: float | None = None
    bound: float | None = None
    gap: float | None = None
    solve_seconds: float = 0.0
    variables: int = 0
    problems: list[RuleProblem] = field(default_factory=list)
