"""The creative-economy sector of an imported row that has none: office files carry a KBLI or a
commodity text, not a sector. The table is data (data/sector-keywords.json) so an office can teach
it a new word without a code change."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

TABLE = Path(__file__).parent / "data" / "sector-keywords.json"


@cache
def _table() -> tuple[dict[str, str], list[tuple[re.Pattern[str], str, int]]]:
    data = json.loads(TABLE.read_text(encoding="utf-8"))
    keywords = [(re.compile(rf"\b{re.escape(word)}\b"), sector, len(word)) for word, sector in data["keywords"].items()]
    return dict(data["kbli"]), keywords


def sector_from_kbli(kbli: str) -> str | None:
    """The sector of a 5-digit KBLI, by its longest listed prefix."""
    prefixes, _ = _table()
    for length in range(len(kbli), 1, -1):
        if kbli[:length] in prefixes:
            return prefixes[kbli[:length]]
    return None


def sector_from_text(text: str) -> str | None:
    """The sector a commodity or industry text names (`Kerajinan perak` → kriya), by its longest keyword."""
    _, keywords = _table()
    lowered = text.lower()
    best: tuple[int, str] | None = None
    for pattern, sector, length in keywords:
        if (best is None or length > best[0]) and pattern.search(lowered):
            best = (length, sector)
    return best[1] if best else None


def derive_sector(kbli: str | None, *texts: str) -> str | None:
    """From the KBLI when it names one, else from the first text that does."""
    if kbli:
        found = sector_from_kbli(kbli)
        if found:
            return found
    for text in texts:
        found = sector_from_text(text) if text else None
        if found:
            return found
    return None
