"""SQLite's one writer at a time holds across processes (shared.db.WriterLock, ADR 0015): a
service's `api` and `worker` processes queue on the same lock file instead of polling in SQLite's
busy handler."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import text

from shared.db import make_engine, make_read_engine

TRY_LOCK = """
import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDWR)
try:
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
except BlockingIOError:
    print("held")
else:
    print("free")
"""


def other_process_sees(lock_file: Path) -> str:
    return subprocess.run([sys.executable, "-c", TRY_LOCK, str(lock_file)], capture_output=True, text=True,
                          check=True, timeout=30).stdout.strip()


def test_a_write_transaction_holds_the_lock_file_that_other_processes_wait_on(tmp_path: Path) -> None:
    db = tmp_path / "service.db"
    engine = make_engine(f"sqlite:///{db}")
    reader = make_read_engine(f"sqlite:///{db}", engine)
    lock_file = tmp_path / "service.db.lock"
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE counter (n INTEGER)"))
        assert other_process_sees(lock_file) == "free"

        with engine.begin() as conn:
            conn.execute(text("INSERT INTO counter VALUES (1)"))
            assert other_process_sees(lock_file) == "held"
        assert other_process_sees(lock_file) == "free"  # released at commit

        try:
            with engine.begin() as conn:
                conn.execute(text("INSERT INTO counter VALUES (2)"))
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
        assert other_process_sees(lock_file) == "free"  # and at rollback

        with reader.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM counter")).scalar() == 1
            assert other_process_sees(lock_file) == "free"  # readers take no lock
    finally:
        engine.dispose()
        reader.dispose()

