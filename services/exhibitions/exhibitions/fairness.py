"""The fairness report of an allocation run or of the fair as it stands (issue 18): how many booths
each regency, sector and sentra holds, newcomers and accessible booths, each against its rule's
minimum and maximum (`shares.effective_counts`) and against the applicant pool.

`report` is pure; `for_run` and `for_fair` read what it needs from the tables."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from exhibitions.schemas import AccessiblePublic, EffectiveCountsPublic, FairnessGroupPublic, FairnessPublic
from exhibitions.service import _veterans
from exhibitions.shares import EffectiveCounts, effective_counts
from exhibitions.tables import AllocationResult, AllocationRun, Application, Booth, Exhibition, IkmProfile

# Applications still in the pool: declined and withdrawn ones left it.
IN_POOL = ("allocated", "waitlisted", "pending_curation")


@dataclass(frozen=True)
class Person:
    """An applicant as the report counts it; `accessible_booth` is set for one holding a booth."""

    regency: str
    sector: str
    sentra: str | None
    newcomer: bool
    needs_accessible: bool
    accessible_booth: bool | None = None  # None: holds no booth


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def _groups(holders: Sequence[Person], pool: Sequence[Person], booths: int, key: Callable[[Person], str | None],
            bounds: Callable[[str], tuple[int | None, int | None]]) -> list[FairnessGroupPublic]:
    held = Counter(k for p in holders if (k := key(p)) is not None)
    applied = Counter(k for p in pool if (k := key(p)) is not None)
    rows = []
    for name in sorted(set(held) | set(applied)):
        low, high = bounds(name)
        count = held[name]
        rows.append(FairnessGroupPublic(
            key=name, count=count, share=_share(count, booths), applicants=applied[name],
            applicant_share=_share(applied[name], len(pool)), min=low, max=high,
            within=(low is None or count >= min(low, applied[name])) and (high is None or count <= high)))
    return rows


def report(holders: Sequence[Person], pool: Sequence[Person], counts: EffectiveCounts, sentra_cap: int | None,
           regencies_with_minimum: frozenset[str], accessible_booths: int, source: str,
           run_id: uuid.UUID | None) -> FairnessPublic:
    """The report for the booth holders among the applicant pool. A minimum is met when the count
    reaches it or every applicant of the group holds a booth (a rule cannot create applicants)."""
    b = counts.booths
    with_min = regencies_with_minimum or frozenset(p.regency for p in pool)
    newcomers = sum(p.newcomer for p in holders)
    applied_new = sum(p.newcomer for p in pool)
    accessible_held = [p for p in holders if p.accessible_booth]
    return FairnessPublic(
        source=source, run_id=run_id, booths=b, allocated=len(holders), applicants=len(pool),
        effective=EffectiveCountsPublic(booths=b, regency_min=counts.regency_min, regency_max=counts.regency_max,
                                        newcomer_min=counts.newcomer_min, sentra_cap=sentra_cap),
        regencies=_groups(holders, pool, b, lambda p: p.regency,
                          lambda r: (counts.regency_min if r in with_min else None, counts.regency_max)),
        sectors=_groups(holders, pool, b, lambda p: p.sector, lambda _: (None, None)),
        sentras=_groups(holders, pool, b, lambda p: p.sentra, lambda _: (None, sentra_cap)),
        newcomers=FairnessGroupPublic(
            key="newcomer", count=newcomers, share=_share(newcomers, b), applicants=applied_new,
            applicant_share=_share(applied_new, len(pool)), min=counts.newcomer_min, max=None,
            within=newcomers >= min(counts.newcomer_min, applied_new)),
        accessible=AccessiblePublic(
            booths=accessible_booths, held=len(accessible_held),
            held_by_owners_who_need_one=sum(p.needs_accessible for p in accessible_held),
            owners_who_need_one=sum(p.needs_accessible for p in pool),
            owners_who_need_one_placed=sum(p.needs_accessible for p in holders),
            owners_who_need_one_in_accessible_booth=sum(p.needs_accessible for p in accessible_held)))


def _person(profile: IkmProfile, veterans: set[uuid.UUID], accessible_booth: bool | None) -> Person:
    return Person(profile.regency_code, profile.sector, str(profile.sentra_id) if profile.sentra_id else None,
                  profile.ikm_id not in veterans, profile.needs_accessible_booth, accessible_booth)


def _booths(session: Session, fair: Exhibition) -> tuple[int, dict[str, bool]]:
    rows = session.exec(select(Booth.code, Booth.accessible).where(Booth.exhibition_id == fair.id,
                                                                   col(Booth.active))).all()
    return len(rows), dict(rows)


def _finish(session: Session, fair: Exhibition, holders: list[Person], pool: list[Person], booths: int,
            accessible: dict[str, bool], source: str, run_id: uuid.UUID | None) -> FairnessPublic:
    counts = effective_counts(booths, fair.regency_min_share, fair.regency_max_share, fair.newcomer_share)
    return report(holders, pool, counts, fair.sentra_cap, frozenset(fair.regency_codes),
                  sum(accessible.values()), source, run_id)


def for_run(session: Session, fair: Exhibition, run: AllocationRun) -> FairnessPublic:
    """A run's allocation: its results, with the locked assignments the run kept (as they stand now)."""
    veterans = _veterans(session, fair)
    booths, accessible = _booths(session, fair)
    rows = session.exec(select(AllocationResult, IkmProfile)
                        .join(IkmProfile, col(IkmProfile.ikm_id) == col(AllocationResult.ikm_id))
                        .where(AllocationResult.run_id == run.id)).all()
    in_run = {r.ikm_id for r, _ in rows}
    pool = [_person(p, veterans, accessible.get(r.booth_code, False) if r.booth_code else None) for r, p in rows]
    kept = session.exec(select(Application, IkmProfile, Booth)
                        .join(IkmProfile, col(IkmProfile.ikm_id) == col(Application.ikm_id))
                        .join(Booth, col(Booth.id) == col(Application.booth_id))
                        .where(Application.exhibition_id == fair.id, col(Application.locked),
                               col(Application.ikm_id).not_in(in_run))).all()
    pool += [_person(p, veterans, b.accessible) for _, p, b in kept]
    holders = [p for p in pool if p.accessible_booth is not None]
    return _finish(session, fair, holders, pool, booths, accessible, "run", run.id)


def for_fair(session: Session, fair: Exhibition) -> FairnessPublic:
    """The fair as it stands: who holds a booth now (published runs, placements, organisers' changes)."""
    veterans = _veterans(session, fair)
    booths, accessible = _booths(session, fair)
    rows = session.exec(select(Application, IkmProfile, Booth)
                        .join(IkmProfile, col(IkmProfile.ikm_id) == col(Application.ikm_id))
                        .outerjoin(Booth, col(Booth.id) == col(Application.booth_id))
                        .where(Application.exhibition_id == fair.id, col(Application.status).in_(IN_POOL))).all()
    pool = [_person(p, veterans, b.accessible if b is not None else None) for _, p, b in rows]
    holders = [p for p in pool if p.accessible_booth is not None]
    published = session.exec(select(func.max(AllocationRun.published_at)).where(
        AllocationRun.exhibition_id == fair.id)).one()
    return _finish(session, fair, holders, pool, booths, accessible, "published" if published else "current", None)
