"""Rules of the curated catalogue (issue 16), pure: no database, HTTP or clock (`today` is passed in)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from curation.rubric import APPROVED

LISTED_GRADES = ("A", "B")
DelistReason = Literal["expired", "withdrawn", "not_approved"]


def approval_stands(status: str, outcome: str | None, grade: str | None, valid_until: date | None,
                    today: date, withdrawn: bool) -> bool:
    """Whether a product's latest case puts it in the catalogue: decided as an approval of grade A
    or B, still valid (an approval lapses on its valid_until day), and not withdrawn. A case under
    appeal keeps the standing of the decision appealed until the appeal is decided."""
    if withdrawn or status not in ("decided", "appealed"):
        return False
    if outcome not in APPROVED or grade not in LISTED_GRADES:
        return False
    return valid_until is None or valid_until > today


def delist_reason(status: str, withdrawn: bool) -> DelistReason:
    """Why a product leaves the catalogue (a word the registry's timeline turns into a sentence)."""
    if withdrawn:
        return "withdrawn"
    return "expired" if status == "expired" else "not_approved"


def search_text(*parts: str | None) -> str:
    """What `q` matches: the product's and the IKM's words, lower-cased, one space apart."""
    return " ".join(" ".join(p.split()).lower() for p in parts if p)


def search_words(q: str) -> list[str]:
    """The words of a query, each of which an entry must contain (at most 8)."""
    return [w for w in q.lower().split() if w][:8]


@dataclass(frozen=True)
class PhotoSeen:
    """A photo as curation knows it: when it arrived and, once gone, when it left."""

    photo_id: uuid.UUID
    position: int
    hash: str
    sizes: list[dict[str, Any]]
    added_at: datetime
    removed_at: datetime | None


@dataclass(frozen=True)
class CasePhoto:
    photo: PhotoSeen
    added_since_opening: bool
    removed_since_opening: bool


def case_photos(photos: list[PhotoSeen], opened_at: datetime) -> list[CasePhoto]:
    """A case's photos: those the product had when the case opened (still shown if removed since,
    marked so), then those added since, marked so; each group in the product's order."""
    at_opening = [p for p in photos if p.added_at <= opened_at and (p.removed_at is None or p.removed_at > opened_at)]
    since = [p for p in photos if p.added_at > opened_at and p.removed_at is None]
    return ([CasePhoto(p, False, p.removed_at is not None) for p in sorted(at_opening, key=lambda p: p.position)]
            + [CasePhoto(p, True, False) for p in sorted(since, key=lambda p: p.position)])


def photo_changes(known: dict[uuid.UUID, tuple[int, datetime | None]], incoming: dict[uuid.UUID, int],
                  ) -> tuple[set[uuid.UUID], set[uuid.UUID], set[uuid.UUID]]:
    """From the photos known (id -> position, removed_at) and a newer full list (id -> position):
    the ids to add, to update (present again or moved), and to mark removed."""
    added = set(incoming) - set(known)
    updated = {i for i in incoming.keys() & known.keys() if known[i] != (incoming[i], None)}
    removed = {i for i, (_, gone) in known.items() if i not in incoming and gone is None}
    return added, updated, removed
