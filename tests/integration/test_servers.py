"""The test-server helpers themselves: real Redis and PostgreSQL come up, persist, go down."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import redis
from psycopg import sql

from shared.servers import RedisProcess, ensure_redis, find_redis_server_binary, redis_answers
from tests.support.servers import (
    create_database,
    find_postgres_bindir,
    pgserver_bindir,
    postgres_url_for_tests,
    redis_url_for_tests,
    start_throwaway_postgres,
)


@pytest.fixture
def redis_process(tmp_path: Path) -> Iterator[RedisProcess]:
    with RedisProcess(tmp_path / "redis") as server:
        yield server


def test_redis_process_answers(redis_process: RedisProcess) -> None:
    assert redis_process.running
    assert redis_answers(redis_process.url)
    client = redis.Redis.from_url(redis_process.url)
    try:
        assert client.config_get("appendonly") == {"appendonly": "yes"}
        assert client.config_get("maxmemory-policy") == {"maxmemory-policy": "noeviction"}
    finally:
        client.close()


def test_stream_survives_restart_with_aof(redis_process: RedisProcess) -> None:
    port = redis_process.port
    client = redis.Redis.from_url(redis_process.url)
    for i in range(3):
        client.xadd("sentra:test", {"n": str(i)})
    client.close()

    redis_process.restart()

    assert redis_process.port == port
    client = redis.Redis.from_url(redis_process.url)
    try:
        assert client.xlen("sentra:test") == 3
    finally:
        client.close()


def test_kill_stops_answering_and_acknowledged_writes_survive(redis_process: RedisProcess) -> None:
    client = redis.Redis.from_url(redis_process.url)
    client.xadd("sentra:test", {"n": "1"})
    client.close()

    redis_process.kill()

    assert not redis_process.running
    assert not redis_answers(redis_process.url, timeout=0.2)

    redis_process.start()
    client = redis.Redis.from_url(redis_process.url)
    try:
        assert client.xlen("sentra:test") == 1
    finally:
        client.close()


def test_a_redis_server_binary_is_found() -> None:
    assert find_redis_server_binary() is not None


def test_ensure_redis_prefers_an_answering_url(redis_process: RedisProcess, tmp_path: Path) -> None:
    url, started = ensure_redis(redis_process.url, tmp_path / "unused")
    assert (url, started) == (redis_process.url, None)


def test_ensure_redis_starts_one_when_nothing_answers(tmp_path: Path) -> None:
    url, started = ensure_redis("redis://127.0.0.1:1/3", tmp_path)
    assert started is not None
    try:
        assert url.endswith("/3")
        assert redis_answers(url)
        assert (tmp_path / "redis" / "redis.conf").exists()
    finally:
        started.stop()


def test_redis_url_for_tests(tmp_path: Path) -> None:
    url, cleanup = redis_url_for_tests(tmp_path)
    try:
        assert redis_answers(url)
    finally:
        cleanup()


def _select_one(url: str) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT 1").fetchone()
    assert row is not None
    value: int = row[0]
    return value


def _check_create_database(server_url: str) -> None:
    name = f"sentra_test_{uuid.uuid4().hex[:8]}"
    db_url = create_database(server_url, name)
    assert db_url.startswith("postgresql://")
    assert db_url.rsplit("/", 1)[1] == name
    assert _select_one(db_url) == 1
    # Recreating drops the old one (and its tables) first.
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE marker (id int)")
    db_url = create_database(server_url, name)
    with psycopg.connect(db_url) as conn:
        assert conn.execute("SELECT to_regclass('marker')").fetchone() == (None,)
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE {}").format(sql.Identifier(name)))


def test_postgres_url_for_tests_supports_create_database(tmp_path: Path) -> None:
    url, cleanup = postgres_url_for_tests(tmp_path)
    try:
        assert url.startswith("postgresql://")
        _check_create_database(url)
    finally:
        cleanup()


def test_throwaway_clusters_start_from_every_local_set_of_binaries(tmp_path: Path) -> None:
    # The pgserver wheel (a dev dependency) always provides one set; the system's PostgreSQL, where
    # installed, another. Each must work, since either may be the one a machine falls back to.
    bindirs = [b for b in (find_postgres_bindir(), pgserver_bindir()) if b is not None]
    assert bindirs, "the pgserver wheel should provide PostgreSQL binaries"
    for i, bindir in enumerate(bindirs):
        base = tmp_path / f"cluster-{i}"
        base.mkdir()
        url, stop = start_throwaway_postgres(base, bindir)
        try:
            _check_create_database(url)
        finally:
            stop()
        with pytest.raises(psycopg.OperationalError):
            psycopg.connect(url, connect_timeout=2)
        assert not any(base.iterdir()), "the cleanup removes the cluster directory"
