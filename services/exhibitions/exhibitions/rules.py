"""Booth rules: pure functions, tested without HTTP, database or Redis (DOMAIN.md, Booth allocation)."""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from datetime import date


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
    # Rounded up: a 30 % share of 3 booths still lets a regency hold one.
    regency_max = math.ceil(fair.regency_max_share * fair.booth_count - 1e-9)
    if allocated_in_regency >= regency_max:
        return (f"Kuota kabupaten/kota sudah penuh ({regency_max} stan, {fair.regency_max_share:.0%} dari total).",
                f"The regency's quota is full ({regency_max} booths, {fair.regency_max_share:.0%} of all).")
    if applicant.sentra_id is not None and fair.sentra_cap is not None and allocated_in_sentra >= fair.sentra_cap:
        return (f"Batas stan per sentra sudah tercapai ({fair.sentra_cap}).",
                f"The per-sentra cap is reached ({fair.sentra_cap}).")
    return None


def first_free_booth(free: list[BoothSlot], applicant: Applicant,
                     preferred_zones: tuple[str, ...] | list[str] = ()) -> BoothSlot | None:
    """The first free booth (by code) of a zone that takes the IKM's sector, in its first preferred
    zone that has one.

    An owner who needs an accessible booth gets one first when there is one; others are offered
    non-accessible booths first so accessible ones stay for those who need them."""
    fitting = sorted((b for b in free if booth_accepts(b, applicant.sector)), key=lambda b: b.code)
    if not fitting:
        return None
    for zone in preferred_zones:
        in_zone = [b for b in fitting if b.zone == zone]
        if in_zone:
            fitting = in_zone
            break
    preferred = [b for b in fitting if b.accessible == applicant.needs_accessible_booth]
    return (preferred or fitting)[0]


def newcomer_reserve_problem(fair: FairRules, newcomer: bool, free_booths: int, newcomers_allocated: int,
                             newcomers_waiting: int) -> tuple[str, str] | None:
    """Between allocation runs: a returning exhibitor does not take a booth that the newcomer share
    still needs for a newcomer who is waiting. None when the booth may be taken."""
    if newcomer:
        return None
    needed = math.ceil(fair.newcomer_share * fair.booth_count - 1e-9) - newcomers_allocated
    reserve = min(max(0, needed), newcomers_waiting)
    if reserve > 0 and free_booths - 1 < reserve:
        return (f"Stan yang tersisa disisihkan untuk porsi pendatang baru ({fair.newcomer_share:.0%}).",
                f"The remaining booths are kept for the newcomer share ({fair.newcomer_share:.0%}).")
    return None


def approval_stands(outcome: str, expired: bool) -> bool:
    """A curation decision lets its IKM into curated fairs while it is an approval that has not expired."""
    return outcome in ("approved", "approved_with_conditions") and not expired
