"""A registrar's mapping of an import file (docs/import-format.md, "Preview and mapping"): which field
each column holds, where the proposal was wrong or missing, and what to read instead of a value the
import cannot read (`Kerajinan` in KOMODITI / PRODUK → sector `kriya`). Kept on the import as JSON
between the preview and the run, and under a name in `mapping_profile` for the next file with the
same columns. Pure: no database."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from registry.headers import header_key

# Columns whose unreadable values map to a creative-economy sector rather than to another text: the
# sector is derived from them (registry.sectors).
SECTOR_SOURCES = frozenset({"product_name", "local_label", "kbli", "sector"})


def value_key(text: str) -> str:
    """A typed value as a mapping matches it: case and spacing ignored."""
    return " ".join(text.lower().split())


def columns_key(labels: tuple[str, ...] | list[str]) -> str:
    """The same columns in the same order give the same key, whatever their case and punctuation."""
    return hashlib.sha256("\x1f".join(header_key(label) for label in labels).encode()).hexdigest()


@dataclass(frozen=True)
class Mapping:
    """`columns`: a column's name as the file writes it → the field it holds, or None to leave it out.
    `values`: a column's name → {typed value (`value_key`) → what to read instead}."""

    columns: dict[str, str | None] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"columns": dict(self.columns), "values": {k: dict(v) for k, v in self.values.items()}}

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Mapping:
        if not data:
            return cls()
        return cls(dict(data.get("columns") or {}), {k: dict(v) for k, v in (data.get("values") or {}).items()})

    def merged(self, other: Mapping) -> Mapping:
        """This mapping with `other`'s choices over it, column by column and value by value."""
        values = {k: dict(v) for k, v in self.values.items()}
        for column, table in other.values.items():
            values.setdefault(column, {}).update(table)
        return Mapping({**self.columns, **other.columns}, {k: v for k, v in values.items() if v})

    def __bool__(self) -> bool:
        return bool(self.columns or self.values)


def values_by_field(mapping: Mapping, labels: dict[str, str]) -> dict[str, dict[str, str]]:
    """The value mapping by the field each column holds (`labels`: field → the column's name)."""
    by_label = {label: name for name, label in labels.items()}
    return {by_label[label]: table for label, table in mapping.values.items() if label in by_label and table}


def apply_values(row: dict[str, str], by_field: dict[str, dict[str, str]]) -> None:
    """Put the mapped values in a row as read from the file, in place: a value of a sector source
    column gives the row its sector (unless it has one written), any other replaces the typed value."""
    for name, table in by_field.items():
        text = row.get(name)
        if not text:
            continue
        to = table.get(value_key(text))
        if to is None:
            continue
        if name in SECTOR_SOURCES and name != "sector":
            if not row.get("sector"):
                row["sector"] = to
        else:
            row[name] = to
