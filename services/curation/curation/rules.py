"""Curation rules: pure functions, tested without HTTP, database or Redis."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from curation.rubric import DEFAULT_RUBRIC, Rubric

__all__ = ["DEFAULT_RUBRIC", "CuratorLoad", "Rubric", "pick_curators"]


@dataclass(frozen=True)
class CuratorLoad:
    curator_id: uuid.UUID
    username: str
    sectors: frozenset[str]
    open_cases: int


def pick_curators(
    candidates: list[CuratorLoad], sector: str, needed: int, excluded: frozenset[uuid.UUID] = frozenset()
) -> list[CuratorLoad]:
    """Curators of `sector` with the fewest open cases, none excluded (already on the case or in
    conflict with the IKM); ties go to the username so the choice is reproducible."""
    eligible = [c for c in candidates if sector in c.sectors and c.curator_id not in excluded]
    eligible.sort(key=lambda c: (c.open_cases, c.username))
    return eligible[:needed]
