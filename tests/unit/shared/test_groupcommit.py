"""Group commit (shared.groupcommit): batches form while the writer is busy, each caller gets its own
outcome, a failing batch is retried item by item, and stopping writes what is queued."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from shared.db import make_engine
from shared.groupcommit import GroupCommit


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'writes.db'}")
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE item (key TEXT PRIMARY KEY)")
    yield engine
    engine.dispose()


def stored(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return [row[0] for row in conn.exec_driver_sql("SELECT key FROM item ORDER BY key")]


class Recorder:
    """Writes each key as a row; refuses keys starting with 'bad' (an outcome, nothing written).
    The first batch waits for `release`, so that the next requests queue up behind it."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []
        self.release = threading.Event()
        self.first_started = threading.Event()

    def __call__(self, session: Session, keys: Sequence[str]) -> list[str | Exception]:
        self.batches.append(list(keys))
        if len(self.batches) == 1:
            self.first_started.set()
            self.release.wait(10)
        out: list[str | Exception] = []
        for key in keys:
            if key.startswith("bad"):
                out.append(ValueError(f"{key} refused"))
                continue
            session.execute(text("INSERT INTO item (key) VALUES (:k)"), {"k": key})
            out.append(key.upper())
        return out


async def _submit_all(writer: GroupCommit[str, str], recorder: Recorder, later: list[str]) -> list[object]:
    first = asyncio.ensure_future(writer.submit("a"))
    await asyncio.to_thread(recorder.first_started.wait, 10)
    rest = [asyncio.ensure_future(writer.submit(key)) for key in later]
    await asyncio.sleep(0.05)  # all of them queued while the first batch is still open
    recorder.release.set()
    return list(await asyncio.gather(first, *rest, return_exceptions=True))


def test_requests_that_arrive_while_a_batch_commits_go_together_each_with_its_outcome(engine: Engine) -> None:
    recorder = Recorder()
    commits: list[int] = []
    writer: GroupCommit[str, str] = GroupCommit(engine, recorder, name="test", on_commit=lambda: commits.append(1))

    async def run() -> list[object]:
        writer.start()
        try:
            return await _submit_all(writer, recorder, ["b", "bad-1", "c", "d"])
        finally:
            await writer.stop()

    outcomes = asyncio.run(run())

    assert outcomes[0] == "A" and outcomes[1] == "B" and outcomes[3:] == ["C", "D"]
    assert isinstance(outcomes[2], ValueError) and "bad-1" in str(outcomes[2])
    assert recorder.batches == [["a"], ["b", "bad-1", "c", "d"]]
    assert stored(engine) == ["a", "b", "c", "d"]
    assert len(commits) == 2  # the relay is woken once per committed batch


def test_a_batch_that_fails_as_a_whole_is_written_item_by_item(engine: Engine) -> None:
    # "c" twice in one batch breaks the primary key at INSERT: the batch rolls back, then each
    # item is tried alone, so only the second "c" fails.
    recorder = Recorder()
    writer: GroupCommit[str, str] = GroupCommit(engine, recorder, name="test")

    async def run() -> list[object]:
        writer.start()
        try:
            return await _submit_all(writer, recorder, ["b", "c", "c"])
        finally:
            await writer.stop()

    outcomes = asyncio.run(run())

    assert outcomes[:3] == ["A", "B", "C"]
    assert isinstance(outcomes[3], IntegrityError)
    assert recorder.batches == [["a"], ["b", "c", "c"], ["b"], ["c"], ["c"]]
    assert stored(engine) == ["a", "b", "c"]


def test_stopping_writes_what_is_queued_and_then_refuses_new_work(engine: Engine) -> None:
    recorder = Recorder()
    recorder.release.set()
    writer: GroupCommit[str, str] = GroupCommit(engine, recorder, name="test")

    async def run() -> list[str]:
        writer.start()
        pending = [asyncio.ensure_future(writer.submit(key)) for key in ("x", "y", "z")]
        await asyncio.sleep(0)  # queued
        await writer.stop()
        with pytest.raises(RuntimeError, match="not running"):
            await writer.submit("late")
        return list(await asyncio.gather(*pending))

    assert asyncio.run(run()) == ["X", "Y", "Z"]
    assert stored(engine) == ["x", "y", "z"]


def test_a_caller_that_went_away_does_not_stop_the_others(engine: Engine) -> None:
    recorder = Recorder()
    writer: GroupCommit[str, str] = GroupCommit(engine, recorder, name="test")

    async def run() -> str:
        writer.start()
        try:
            first = asyncio.ensure_future(writer.submit("a"))
            await asyncio.to_thread(recorder.first_started.wait, 10)
            gone = asyncio.ensure_future(writer.submit("b"))
            kept = asyncio.ensure_future(writer.submit("c"))
            await asyncio.sleep(0.05)
            gone.cancel()  # a client that disconnected: its row is still written
            recorder.release.set()
            await first
            return await kept
        finally:
            await writer.stop()

    assert asyncio.run(run()) == "C"
    assert stored(engine) == ["a", "b", "c"]


def test_a_batch_function_that_breaks_its_contract_fails_that_batch_and_the_writer_goes_on(engine: Engine) -> None:
    calls: list[list[str]] = []

    def apply(session: Session, keys: Sequence[str]) -> list[str | Exception]:
        calls.append(list(keys))
        return [] if keys[0] == "broken" else [k.upper() for k in keys]  # no outcome for "broken"

    writer: GroupCommit[str, str] = GroupCommit(engine, apply, name="test")

    async def run() -> tuple[BaseException | None, str]:
        writer.start()
        try:
            try:
                await writer.submit("broken")
            except RuntimeError as exc:
                failed: BaseException | None = exc
            else:
                failed = None
            return failed, await writer.submit("next")
        finally:
            await writer.stop()

    failed, after = asyncio.run(run())
    assert failed is not None and "0 outcomes for a batch of 1" in str(failed)
    assert after == "NEXT"


def test_a_batch_of_one_that_fails_is_not_applied_again(engine: Engine) -> None:
    calls: list[list[str]] = []

    def apply(session: Session, keys: Sequence[str]) -> list[str | Exception]:
        calls.append(list(keys))
        session.execute(text("INSERT INTO item (key) VALUES (:k)"), {"k": keys[0]})
        session.execute(text("INSERT INTO item (key) VALUES (:k)"), {"k": keys[0]})  # breaks the key
        return [keys[0]]

    writer: GroupCommit[str, str] = GroupCommit(engine, apply, name="test")

    async def run() -> BaseException | None:
        writer.start()
        try:
            await writer.submit("x")
        except IntegrityError as exc:
            return exc
        finally:
            await writer.stop()
        return None

    assert isinstance(asyncio.run(run()), IntegrityError)
    assert calls == [["x"]]
    assert stored(engine) == []
