"""The role matrix of docs/security.md read as data, and what it says a response must be. The role
tests are generated from it (issue 19), so the document and the services cannot drift apart."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI
from fastapi.routing import iter_route_contexts

DOC = Path(__file__).resolve().parents[2] / "docs" / "security.md"
ROLES = ("registrar", "curator", "organiser", "operator", "admin")
ANONYMOUS = "anonymous"
PRINCIPALS = (*ROLES, ANONYMOUS)
EVERY_SERVICE = "every service"
SERVICES = ("registry", "curation", "exhibitions")
HEADER = ["method", "path", *PRINCIPALS, "notes"]
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")

# A made-up id for every `{..._id}` in a path: the role check comes before the lookup, so an allowed
# role gets a 404 (or a 422 for the missing body) and a forbidden one its 401 or 403.
SOME_ID = str(uuid.UUID(int=0x0190_0000_0000_7000_8000_0000_0000_0001))


class MatrixError(ValueError):
    """The document's table cannot be read as a matrix; says which line and why."""


@dataclass(frozen=True)
class Row:
    section: str
    method: str
    path: str
    allowed: frozenset[str]
    note: str

    @property
    def operation(self) -> tuple[str, str]:
        return self.method, self.path

    def __str__(self) -> str:
        return f"{self.method} {self.path} ({self.section})"


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def _row(section: str, cells: list[str], where: str) -> Row:
    if len(cells) != len(HEADER):
        raise MatrixError(f"{where}: {len(cells)} cells, the header has {len(HEADER)}")
    method, path, *marks, note = cells
    path = path.strip("`")
    if method not in METHODS or not path.startswith("/"):
        raise MatrixError(f"{where}: {method!r} {path!r} is not a method and a path")
    if any(mark not in ("yes", "no") for mark in marks):
        raise MatrixError(f"{where}: every role cell is yes or no, not {marks}")
    allowed = frozenset(p for p, mark in zip(PRINCIPALS, marks, strict=True) if mark == "yes")
    if ANONYMOUS in allowed and allowed != frozenset(PRINCIPALS):
        raise MatrixError(f"{where}: a route open to anonymous callers is open to every role")
    return Row(section, method, path, allowed, note)


def parse_matrix(text: str) -> list[Row]:
    """Every row of the tables under the `### <section>` headings (`every service` or a service's
    name). Any other heading ends a section; a table row outside a section is not part of the matrix."""
    rows: list[Row] = []
    seen: set[tuple[str, str, str]] = set()
    section: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        where = f"docs/security.md:{number}"
        if line.startswith("#"):
            title = line.lstrip("#").strip()
            section = title if line.startswith("### ") and title in (EVERY_SERVICE, *SERVICES) else None
            continue
        if section is None or not line.startswith("|"):
            continue
        cells = _cells(line)
        if cells[0] == "method":
            if cells != HEADER:
                raise MatrixError(f"{where}: the header must be {' | '.join(HEADER)}")
            continue
        if set("".join(cells)) <= set("-: "):
            continue
        row = _row(section, cells, where)
        if (section, *row.operation) in seen:
            raise MatrixError(f"{where}: {row} has two rows")
        seen.add((section, *row.operation))
        rows.append(row)
    return rows


def read_matrix(path: Path = DOC) -> list[Row]:
    return parse_matrix(path.read_text(encoding="utf-8"))


def rows_for(rows: Iterable[Row], service: str) -> list[Row]:
    """A service's rows: those of every service, then its own."""
    return [r for r in rows if r.section == EVERY_SERVICE] + [r for r in rows if r.section == service]


def declared_path(path: str) -> str:
    """A path as the matrix writes it: `{code:path}` is `{code}`."""
    return re.sub(r"\{(\w+):\w+\}", r"{\1}", path)


def operations_of(app: FastAPI) -> set[tuple[str, str]]:
    """Every (method, path) the app answers. HEAD comes with GET and is not a row of its own; a route
    that takes any method (a mount) is listed as `ANY`, which no row can match, so it fails too."""
    found: set[tuple[str, str]] = set()
    for route in iter_route_contexts(app.routes):
        methods = set(route.methods or {"ANY"})
        path = declared_path(str(route.path))
        found.update((method, path) for method in methods if method != "HEAD" or methods == {"HEAD"})
    return found


def coverage_problems(rows: Iterable[Row], operations: set[tuple[str, str]]) -> list[str]:
    """What keeps the matrix and an app from matching: a route with no row, a row with no route."""
    documented = {row.operation for row in rows}
    missing = [f"{m} {p}: a route with no row in docs/security.md" for m, p in sorted(operations - documented)]
    stale = [f"{m} {p}: a row in docs/security.md with no route" for m, p in sorted(documented - operations)]
    return missing + stale


def concrete_path(path: str) -> str:
    """The path with its parameters filled in: an id for `{..._id}`, a code-like word for the rest."""
    return re.sub(r"\{(\w+)\}", lambda m: SOME_ID if m.group(1).endswith("_id") else "A-01", path)


def status_problem(row: Row, principal: str, status: int) -> str | None:
    """Why `status` is not what the matrix says `principal` gets on `row`, or None when it is."""
    if principal in row.allowed:
        if status in (401, 403):
            return f"{row}: {principal} is allowed but got {status}"
        return None
    wanted = 401 if principal == ANONYMOUS else 403
    if status != wanted:
        return f"{row}: {principal} is forbidden and must get {wanted}, got {status}"
    return None
