"""Database engines, sessions and migrations: SQLite by default, PostgreSQL through a URL."""

from __future__ import annotations

import fcntl
import os
import re
import threading
import weakref
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pydantic_core
from alembic import command
from alembic.config import Config
from sqlalchemy import DateTime, event
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.types import TypeDecorator
from sqlmodel import Session, SQLModel, create_engine


class UtcDateTime(TypeDecorator[datetime]):
    """A timestamp that is always timezone-aware UTC, also on SQLite (which stores no offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass an aware UTC datetime")
        return value if value.tzinfo is UTC else value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _normalise(url: str) -> str:
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def _to_json(value: Any) -> str:
    return pydantic_core.to_json(value).decode()


# JSON columns (audit details, timeline details, needs) are encoded by pydantic's Rust encoder:
# five times faster than `json.dumps` on an audit entry's details, and hundreds of thousands are
# written when a province imports its register. It writes UTF-8 instead of \u escapes; the JSON
# means the same.
_JSON: dict[str, Any] = {"json_serializer": _to_json, "json_deserializer": pydantic_core.from_json}
# A failed statement's parameters are never put in its exception's text: that text reaches logs and
# dead letters, and a batch's parameters are the NIKs, phones and addresses of every row in it.
_ENGINE_OPTIONS: dict[str, Any] = {**_JSON, "hide_parameters": True}


_DETAIL = re.compile(r"^DETAIL:.*$\n?", re.MULTILINE)


def private_file(path: str) -> None:
    """Create `path` readable by its owner only, or make it so: a service's SQLite file holds NIKs
    and password hashes. SQLite gives the -wal and -shm files the database file's mode."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)


class WriterLock:
    """The one writer of a SQLite database at a time, in arrival order, handed over at once.

    A `threading.Lock` queues the threads of this process; an exclusive `flock` on `<database>.lock`
    queues the processes that share the file (a service's `api` and `worker` processes, ADR 0015,
    or a command-line tool). Both wait in the kernel and wake when the holder lets go, where
    SQLite's busy handler would poll in sleeps of up to 100 ms. An in-memory database has no file
    and no other process: the thread lock alone."""

    def __init__(self, database: str | None) -> None:
        self._threads = threading.Lock()
        self._fd: int | None = None
        if database and database != ":memory:" and not database.startswith("file:"):
            self._fd = os.open(f"{database}.lock", os.O_RDWR | os.O_CREAT, 0o600)
            weakref.finalize(self, os.close, self._fd)  # with the engine that holds this lock

    def acquire(self) -> None:
        self._threads.acquire()
        if self._fd is not None:
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX)
            except BaseException:
                self._threads.release()
                raise

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        self._threads.release()


def _sqlite_engine(url: str, begin: str) -> Engine:
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **_ENGINE_OPTIONS)
    database = engine.url.database
    if database and database != ":memory:" and not database.startswith("file:"):
        private_file(database)

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: Any, _: Any) -> None:
        # WAL: readers never wait for the writer. pysqlite's own transaction handling is switched
        # off so that the "begin" listener below decides how each transaction starts.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        # SQLite's default page cache is 2 MB: at 100,000 IKM the indexes no longer fit and every
        # page read was a system call and a copy (bench/chain.py, scaling runs: 129 s -> 117 s).
        # Memory-mapped reads share the OS page cache between connections instead (the mapped
        # pages count in a process's RSS, but they are the file's cache, not the process's heap).
        cur.execute("PRAGMA mmap_size=268435456")
        cur.close()

    if begin == "BEGIN IMMEDIATE":
        # One writer at a time, queued: SQLite's own busy handler sleeps in growing steps (seconds
        # of p99 under load), a lock hands over at once. BEGIN IMMEDIATE takes the database's write
        # lock up front, so check-then-insert (an inbox row, a free booth) is serialised and a
        # read-then-write transaction cannot fail with SQLITE_BUSY half-way.
        lock = WriterLock(engine.url.database)

        @event.listens_for(engine, "begin")
        def _begin_write(conn: Any) -> None:
            lock.acquire()
            conn.info["sentra_write_lock"] = True
            try:
                # On the driver's connection, not through `exec_driver_sql`: SQLAlchemy's
                # statement machinery was a third of a short transaction's CPU (226 -> 148 us).
                conn.connection.driver_connection.execute("BEGIN IMMEDIATE")
            except BaseException:
                conn.info.pop("sentra_write_lock", None)
                lock.release()
                raise

        def _end(conn: Any) -> None:
            if conn.info.pop("sentra_write_lock", False):
                lock.release()

        event.listen(engine, "commit", _end)
        event.listen(engine, "rollback", _end)
    else:

        @event.listens_for(engine, "begin")
        def _begin_read(conn: Any) -> None:
            # Deferred: a consistent snapshot, no write lock (on the driver's connection, as above).
            conn.connection.driver_connection.execute("BEGIN")

    return engine


def make_engine(url: str) -> Engine:
    """The engine for transactions that write (requests that change data, consumers, the relay)."""
    url = _normalise(url)
    if url.startswith("sqlite"):
        return _sqlite_engine(url, "BEGIN IMMEDIATE")
    engine = create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10, **_ENGINE_OPTIONS)

    @event.listens_for(engine, "handle_error")
    def _without_detail(context: Any) -> None:
        # PostgreSQL's DETAIL line repeats the row's values ("Key (owner_nik)=(...) already
        # exists"): the error keeps its message and constraint name (`diag`), never the values.
        for error in (context.original_exception, context.sqlalchemy_exception):
            if error is not None and error.args and isinstance(error.args[0], str):
                error.args = (_DETAIL.sub("", error.args[0]), *error.args[1:])

    return engine


def make_read_engine(url: str, write_engine: Engine) -> Engine:
    """The engine for read-only work. On SQLite a second engine whose transactions take no write
    lock (WAL readers run beside the writer); elsewhere the write engine itself."""
    url = _normalise(url)
    if url.startswith("sqlite"):
        return _sqlite_engine(url, "BEGIN")
    return write_engine


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One transaction: commit on success, roll back on any error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def insert_rows(session: Session, model: type[SQLModel], rows: Sequence[Mapping[str, Any]]) -> None:
    """One multi-row INSERT of plain rows into `model`'s table, in the session's transaction (nothing
    when there are no rows).

    Through the Core table, not the ORM entity: the ORM's bulk path walks every mapped column of
    every row in Python before the same executemany, a third of the insert's CPU (curation's audit
    rows, 80,000 in batches of 2,000: 2.55 s through the ORM, 1.72 s through Core). Column defaults
    apply the same either way; the rows are not loaded into the session."""
    if rows:
        session.execute(model.__table__.insert(), rows)  # type: ignore[attr-defined]


# pg_advisory_xact_lock's key for migrations: any constant, the same in every process ("sentra").
MIGRATION_LOCK_KEY = 0x53454E545241


def migrate(engine: Engine, migrations_dir: Path) -> None:
    """Bring the database to the newest revision (run at start-up; ADR 0004)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir))
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Processes of one service starting together (an `api` and a `worker`, replicas)
            # migrate one after the other; the second finds the schema at head. SQLite's writer
            # lock does the same there.
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK_KEY})")
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "head")


def database_reachable(engine: Engine) -> bool:
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
        return True
    except Exception:
        return False
