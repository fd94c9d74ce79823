"""The import's chunk path (`service.import_rows`) against the row-by-row path it replaces."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from registry import service
from registry.import_format import read_import_file
from registry.tables import Certification, Ikm, OutboxEvent, Product, TimelineEntry
from shared.auth import Principal
from shared.db import session_scope
from tests.unit.registry.conftest import fresh_engine

EXAMPLE = Path(__file__).resolve().parents[3] / "docs" / "examples" / "import-gianyar.csv"
REGISTRAR = Principal(username="wayan.registrar", roles=frozenset({"registrar"}))
ROWS = read_import_file(EXAMPLE.read_bytes(), EXAMPLE.name, 1000).rows


def counts(engine: Engine) -> dict[str, int]:
    with Session(engine) as session:
        return {table.__tablename__: session.exec(select(func.count()).select_from(table)).one()
                for table in (Ikm, Product, Certification, TimelineEntry, OutboxEvent)}


def outcomes(rows: list[tuple[int, service.RowOutcome]]) -> dict[int, tuple[str, tuple[str, ...]]]:
    return {number: (o.outcome, tuple(e.field for e in o.errors)) for number, o in rows}


def test_a_chunk_gives_each_row_the_outcome_the_row_by_row_path_gives(engine: Engine, tmp_path: Path) -> None:
    with session_scope(engine) as session:
        bulk = service.import_rows(session, ROWS, {}, REGISTRAR)
    slow_engine = fresh_engine(tmp_path / "slow.db")
    with session_scope(slow_engine) as session:
        slow = [(number, service.import_row(session, values, {}, REGISTRAR)) for number, values in ROWS]

    assert outcomes(bulk) == outcomes(slow)
    assert sum(o.outcome == "accepted" for _, o in bulk) == 22
    # Rows 23 and 31 repeat rows of the same file: caught inside the chunk, not only against the register.
    assert {n for n, o in bulk if o.outcome == "duplicate"} == {23, 31}
    written = counts(engine)
    assert written == counts(slow_engine)
    assert written["ikm"] == written["timeline_entry"] == written["outbox_event"] == 22
    assert written["product"] >= 22 and written["certification"] > 0


def test_the_same_chunk_again_is_all_duplicates_and_rejections(engine: Engine) -> None:
    with session_scope(engine) as session:
        first = service.import_rows(session, ROWS, {}, REGISTRAR)
    with session_scope(engine) as session:
        again = service.import_rows(session, ROWS, {}, REGISTRAR)
    accepted = {n: o.ikm_id for n, o in first if o.outcome == "accepted"}
    assert all(o.outcome == "duplicate" and o.ikm_id == accepted[n] for n, o in again if n in accepted)
    assert sum(o.outcome == "rejected" for _, o in again) == 6
    assert counts(engine)["ikm"] == 22


def test_a_nib_registered_between_lookup_and_insert_sends_the_chunk_row_by_row(
        engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """The unique index decides a race the lookup missed: the chunk's savepoint is rolled back,
    nothing of it stays half-written, and each row gets its outcome the slow way."""
    with session_scope(engine) as session:
        first = service.import_rows(session, ROWS[:3], {}, REGISTRAR)
    assert [o.outcome for _, o in first] == ["accepted"] * 3
    # The lookup now misses what is registered, as if another registrar had just inserted it.
    monkeypatch.setattr(service, "registered_matches", lambda session, candidates: ({}, {}))
    with session_scope(engine) as session:
        second = service.import_rows(session, ROWS, {}, REGISTRAR)

    assert {n: o.outcome for n, o in second if n in dict(first)} == {n: "duplicate" for n, _ in first}
    assert sum(o.outcome == "accepted" for _, o in second) == 19
    written = counts(engine)
    assert written["ikm"] == written["timeline_entry"] == written["outbox_event"] == 22
