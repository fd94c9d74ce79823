"""Booth rules: pure functions, tested without HTTP, database or Redis (DOMAIN.md, Booth allocation)."""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from datetime import date
from itertools import pairwise

from exhibitions.shares import EffectiveCounts, effective_counts


@dataclass(frozen=True)
class FairRules:
    sectors: frozenset[str]
    regency_codes: frozenset[str]
    application_deadline: date
    status: str
    regency_max_share: float
    sentra_cap: int | None
    booth_count: int
    newcomer_share: float = 0.0
    regency_min_share: float = 0.0


@dataclass(frozen=True)
class Applicant:
    ikm_id: uuid.UUID
    sector: str
    regency_code: str
    sentra_id: uuid.UUID | None
    needs_accessible_booth: bool


@dataclass(frozen=True)
class BoothSlot:
    booth_id: int
    code: str
    sectors: frozenset[str]
    accessible: bool
    zone: str = ""


def fair_counts(fair: FairRules) -> EffectiveCounts:
    """The booth counts the fair's shares give (`shares.effective_counts`)."""
    return effective_counts(fair.booth_count, fair.regency_min_share, fair.regency_max_share, fair.newcomer_share)


def eligibility_problem(fair: FairRules, applicant: Applicant, today: date) -> tuple[str, str] | None:
    """Why an IKM may not apply to a fair (Indonesian, English), or None when it may.

    An empty sector or regency list means no restriction (SPEC.md)."""
    if fair.status != "open":
        return "Pameran tidak lagi menerima pendaftaran.", "The fair no longer accepts applications."
    if today > fair.application_deadline:
        return "Batas pendaftaran sudah lewat.", "The application deadline has passed."
    if fair.sectors and applicant.sector not in fair.sectors:
        return "Sektor usaha tidak termasuk pameran ini.", "The business's sector is not part of this fair."
    if fair.regency_codes and applicant.regency_code not in fair.regency_codes:
        return ("Kabupaten/kota usaha tidak termasuk pameran ini.",
                "The business's regency is not part of this fair.")
    return None


def booth_accepts(booth: BoothSlot, sector: str) -> bool:
    """A booth with no sector list takes any sector; otherwise only those listed (its zone)."""
    return not booth.sectors or sector in booth.sectors


def quota_problem(
    fair: FairRules, applicant: Applicant, allocated_in_regency: int, allocated_in_sentra: int
) -> tuple[str, str] | None:
    """Which fair rule keeps an IKM from one more booth now: the regency's maximum share or the
    sentra cap. None when neither does."""
    regency_max = fair_counts(fair).regency_max
    if allocated_in_regency >= regency_max:
        return (f"Kuota kabupaten/kota sudah penuh ({regency_max} stan, {fair.regency_max_share:.0%} dari total).",
                f"The regency's quota is full ({regency_max} booths, {fair.regency_max_share:.0%} of all).")
    if applicant.sentra_id is not None and fair.sentra_cap is not None and allocated_in_sentra >= fair.sentra_cap:
        return (f"Batas stan per sentra sudah tercapai ({fair.sentra_cap}).",
                f"The per-sentra cap is reached ({fair.sentra_cap}).")
    return None


def first_free_booth(free: list[BoothSlot], applicant: Applicant,
                     preferred_zones: tuple[str, ...] | list[str] = (), *, ordered: bool = False) -> BoothSlot | None:
    """The first free booth (by code) of a zone that takes the IKM's sector, in its first preferred
    zone that has one.

    An owner who needs an accessible booth gets one first when there is one; others are offered
    non-accessible booths first so accessible ones stay for those who need them. A caller that keeps
    `free` ordered by code says so (`ordered`): the scan then stops at the first booth that fits,
    which at a fair of thousands of booths is the difference between a placement costing one step
    and costing the whole floor (bench/chain.py)."""
    fitting = free if ordered else sorted(free, key=lambda b: b.code)
    zone = next((z for z in preferred_zones
                 if any(b.zone == z and booth_accepts(b, applicant.sector) for b in fitting)), None)
    fallback: BoothSlot | None = None
    for b in fitting:
        if (zone is not None and b.zone != zone) or not booth_accepts(b, applicant.sector):
            continue
        if b.accessible == applicant.needs_accessible_booth:
            return b
        if fallback is None:
            fallback = b
    return fallback


def no_free_booth_reason(sector: str, sectors_on_plan: frozenset[str] | None) -> tuple[str, str]:
    """Why no booth was free for an IKM of `sector`: the floor plan has none that takes the sector, or
    every one that does is taken. `sectors_on_plan` are the sectors the fair's booths take, None when
    a booth takes any sector."""
    if sectors_on_plan is not None and sector not in sectors_on_plan:
        return (f"Tidak ada stan di denah yang menerima sektor {sector}.",
                f"No booth on the floor plan takes the sector {sector}.")
    return (f"Semua stan yang menerima sektor {sector} sudah terisi.",
            f"Every booth that takes the sector {sector} is taken.")


def newcomer_reserve_problem(fair: FairRules, newcomer: bool, free_booths: int, newcomers_allocated: int,
                             newcomers_waiting: int) -> tuple[str, str] | None:
    """Between allocation runs: a returning exhibitor does not take a booth that the newcomer share
    still needs for a newcomer who is waiting. None when the booth may be taken."""
    if newcomer:
        return None
    needed = fair_counts(fair).newcomer_min - newcomers_allocated
    reserve = min(max(0, needed), newcomers_waiting)
    if reserve > 0 and free_booths - 1 < reserve:
        return (f"Stan yang tersisa disisihkan untuk porsi pendatang baru ({fair.newcomer_share:.0%}).",
                f"The remaining booths are kept for the newcomer share ({fair.newcomer_share:.0%}).")
    return None


def approval_stands(outcome: str, expired: bool) -> bool:
    """A curation decision lets its IKM into curated fairs while it is an approval that has not expired."""
    return outcome in ("approved", "approved_with_conditions") and not expired


# --- combining and splitting booths ---------------------------------------------------------------

GAP_M = 0.01  # two edges closer than this touch (coordinates are entered by hand, in metres)
MIN_PART_WIDTH_M = 1.0  # a split never makes a booth narrower than this
MAX_PARTS = 20
# From least to most open: a combined booth is as open as its most open part.
KIND_OPENNESS = ("standard", "corner", "island")


@dataclass(frozen=True)
class Plot:
    """Where a booth stands: its hall and zone, and its rectangle in metres (x along the row, y across)."""

    code: str
    hall: str
    zone: str
    x: float
    y: float
    width_m: float
    depth_m: float


def _same(a: float, b: float) -> bool:
    return abs(a - b) < GAP_M


def side_by_side(plots: list[Plot]) -> tuple[float, float, float, float] | None:
    """The rectangle (x, y, width, depth) that booths make together when each touches the next along the
    row (same y and depth) or back to back (same x and width); None when they do not make one."""
    if len(plots) < 2:
        return None
    row = sorted(plots, key=lambda p: p.x)
    if all(_same(p.y, row[0].y) and _same(p.depth_m, row[0].depth_m) for p in row) \
            and all(_same(a.x + a.width_m, b.x) for a, b in pairwise(row)):
        return row[0].x, row[0].y, round(sum(p.width_m for p in row), 2), row[0].depth_m
    column = sorted(plots, key=lambda p: p.y)
    if all(_same(p.x, column[0].x) and _same(p.width_m, column[0].width_m) for p in column) \
            and all(_same(a.y + a.depth_m, b.y) for a, b in pairwise(column)):
        return column[0].x, column[0].y, column[0].width_m, round(sum(p.depth_m for p in column), 2)
    return None


def combine_problem(plots: list[Plot], kinds: list[str]) -> tuple[str, str] | None:
    """Why booths cannot become one booth (Indonesian, English), or None when they can: one hall, one
    zone, one rectangle without gaps, and no bare space (`space_only`) joined to a built booth."""
    codes = ", ".join(p.code for p in plots)
    if len({p.hall for p in plots}) > 1:
        return (f"Stan {codes} tidak berada di gedung/hall yang sama.", f"Booths {codes} are not in the same hall.")
    if len({p.zone for p in plots}) > 1:
        return f"Stan {codes} tidak berada di zona yang sama.", f"Booths {codes} are not in the same zone."
    if side_by_side(plots) is None:
        return (f"Stan {codes} tidak bersebelahan: harus berjajar tanpa celah dalam satu baris (atau saling "
                "membelakangi) dan membentuk satu persegi panjang.",
                f"Booths {codes} are not adjacent: they must stand in one row without gaps (or back to back) "
                "and make one rectangle.")
    if combined_kind(kinds) is None:
        return ("Ruang kosong (space_only) tidak dapat digabung dengan stan berbangun.",
                "Bare space (space_only) cannot be combined with built booths.")
    return None


def combined_kind(kinds: list[str]) -> str | None:
    """The kind of a combined booth: the most open of its parts' kinds; bare space only with bare space
    (None when mixed)."""
    if "space_only" in kinds:
        return "space_only" if set(kinds) == {"space_only"} else None
    return max(kinds, key=KIND_OPENNESS.index)


def combined_sectors(sector_lists: list[list[str]]) -> list[str]:
    """The sectors a combined booth takes: every part's; open to all when any part is."""
    if any(not sectors for sectors in sector_lists):
        return []
    return sorted({s for sectors in sector_lists for s in sectors})


def split_problem(code: str, width_m: float, parts: int) -> tuple[str, str] | None:
    """Why a booth cannot be split into `parts` booths of equal width along its row, or None."""
    if not 2 <= parts <= MAX_PARTS:
        return (f"Jumlah bagian harus 2 sampai {MAX_PARTS}.", f"The number of parts must be 2 to {MAX_PARTS}.")
    if width_m / parts < MIN_PART_WIDTH_M - 1e-9:
        return (f"Stan {code} selebar {width_m:g} m terlalu sempit untuk dibagi {parts}: tiap bagian paling sedikit "
                f"{MIN_PART_WIDTH_M:g} m.",
                f"Booth {code}, {width_m:g} m wide, is too narrow for {parts} parts: each must be at least "
                f"{MIN_PART_WIDTH_M:g} m.")
    return None


def split_widths(width_m: float, parts: int) -> list[float]:
    """Equal widths to the centimetre; the last part takes what rounding leaves, so they add up."""
    each = math.floor(width_m / parts * 100) / 100
    return [each] * (parts - 1) + [round(width_m - each * (parts - 1), 2)]


def split_amount(total: int, parts: int) -> list[int]:
    """Whole rupiah or watts shared equally; the first part takes the remainder."""
    each, rest = divmod(total, parts)
    return [each + rest] + [each] * (parts - 1)


def part_codes(code: str, parts: int) -> list[str]:
    """Codes for the parts of a split booth: A-01 → A-01a, A-01b, …"""
    return [f"{code}{chr(ord('a') + i)}" for i in range(parts)]


def open_ends(whole: Plot, others: list[Plot]) -> tuple[bool, bool]:
    """Whether no other booth of the hall touches the booth's left end and its right end (along the row)."""

    def touches(other: Plot, edge: float, other_edge: float) -> bool:
        overlap = min(whole.y + whole.depth_m, other.y + other.depth_m) - max(whole.y, other.y)
        return other.hall == whole.hall and _same(edge, other_edge) and overlap > GAP_M

    left = not any(touches(o, whole.x, o.x + o.width_m) for o in others)
    right = not any(touches(o, whole.x + whole.width_m, o.x) for o in others)
    return left, right


def part_kinds(kind: str, parts: int, open_left: bool, open_right: bool) -> list[str]:
    """The kinds of a split booth's parts, left to right: bare space stays bare space; of a corner or
    island booth, a part at an end no other booth touches is a corner; every other part is standard."""
    if kind == "space_only":
        return ["space_only"] * parts
    kinds = ["standard"] * parts
    if kind in ("corner", "island"):
        if open_left:
            kinds[0] = "corner"
        if open_right:
            kinds[-1] = "corner"
    return kinds
