"""The three services as real processes against a real Redis and real databases, for tests that
kill, restart and observe them the way an operator would."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from shared.servers import free_port
from tests.support.data import booth_body, fair_body

SERVICES = ("registry", "curation", "exhibitions")
ADMIN_PASSWORD = "suite-first-account-7319"


class ServiceProcess:
    def __init__(self, name: str, env: dict[str, str], log_dir: Path, module: str | None = None) -> None:
        self.name = name
        self.module = module or name
        self.port = free_port()
        self.env = env
        self.log_path = log_dir / f"{name}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, extra_env: dict[str, str] | None = None, wait: bool = True) -> None:
        env = {**os.environ, **self.env, **(extra_env or {})}
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", f"{self.module}.app:create_app",
             "--host", "127.0.0.1", "--port", str(self.port), "--log-level", "warning"],
            env=env, stdout=log, stderr=subprocess.STDOUT,
        )
        log.close()
        if wait:
            self.wait_ready()

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}:\n{self.tail()}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise TimeoutError(f"{self.name} did not start in {timeout}s:\n{self.tail()}")

    def wait_exit(self, timeout: float = 30) -> int:
        assert self.proc is not None
        return self.proc.wait(timeout)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.proc = None

    def tail(self, lines: int = 40) -> str:
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


class Cluster:
    """Three services sharing one Redis; each with its own database."""

    def __init__(self, root: Path, redis_url: str, database_urls: dict[str, str] | None = None,
                 split: tuple[str, ...] = ()) -> None:
        """`split` names services run as two processes on one database (ADR 0015): `<name>` answers
        requests (SENTRA_ROLE=api) and `<name>-worker` does the background work."""
        self.root = root
        self.redis_url = redis_url
        common = {
            "REDIS_URL": redis_url,
            "SENTRA_DATA_DIR": str(root / "data"),
            "SENTRA_ADMIN_PASSWORD": ADMIN_PASSWORD,
            "SENTRA_SECRET_KEY": "test-secret-key-for-the-suite-only-0123456789",
            "SENTRA_PERSONAL_DATA_KEY": "test-personal-data-key-for-the-suite-only-987",
            "SENTRA_CLAIM_IDLE_MS": "1500",
            "SENTRA_MAX_DELIVERIES": "3",
            "SENTRA_RELAY_POLL_S": "0.2",
            "SENTRA_LOG_JSON": "true",
        }
        for key in ("DATABASE_URL", "REGISTRY_DATABASE_URL", "CURATION_DATABASE_URL", "EXHIBITIONS_DATABASE_URL",
                    "SENTRA_FAULT_EXIT_ON", "SENTRA_FAULT_RAISE_ON"):
            os.environ.pop(key, None)
        self.services: dict[str, ServiceProcess] = {}
        for name in SERVICES:
            env = dict(common)
            if database_urls and name in database_urls:
                env[f"{name.upper()}_DATABASE_URL"] = database_urls[name]
            if name in split:
                self.services[f"{name}-worker"] = ServiceProcess(f"{name}-worker", env | {"SENTRA_ROLE": "worker"},
                                                                 root, module=name)
                env["SENTRA_ROLE"] = "api"
            self.services[name] = ServiceProcess(name, env, root)
        self._tokens: dict[str, str] = {}
        self._common = common
        self.console: ServiceProcess | None = None  # started only by a test that asks (start_console)

    def __getitem__(self, name: str) -> ServiceProcess:
        return self.services[name]

    def start(self, *names: str) -> None:
        chosen = names or tuple(self.services)
        for name in chosen:
            self.services[name].start(wait=False)
        for name in chosen:
            self.services[name].wait_ready()

    def stop(self) -> None:
        if self.console is not None:
            self.console.stop()
        for service in self.services.values():
            service.stop()

    def start_console(self) -> ServiceProcess:
        """The web console as a fourth process, a client of the three services already started."""
        if self.console is None:
            env = {**self._common, "REGISTRY_URL": self["registry"].url, "CURATION_URL": self["curation"].url,
                   "EXHIBITIONS_URL": self["exhibitions"].url, "CONSOLE_TIMELINE_POLL_S": "1"}
            self.console = ServiceProcess("console", env, self.root)
        if self.console.proc is None:
            self.console.start()
        return self.console

    # --- HTTP as a user ---------------------------------------------------------------------

    def token(self, username: str = "admin", password: str = ADMIN_PASSWORD) -> str:
        if username not in self._tokens:
            r = httpx.post(f"{self['registry'].url}/auth/token", data={"username": username, "password": password})
            r.raise_for_status()
            self._tokens[username] = r.json()["access_token"]
        return self._tokens[username]

    def call(self, service: str, method: str, path: str, *, user: str = "admin", **kw: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.token(user)}", **kw.pop("headers", {})}
        return httpx.request(method, f"{self[service].url}{path}", headers=headers, timeout=30, **kw)

    def create_user(self, username: str, roles: list[str], password: str = "password-for-tests") -> None:
        r = self.call("registry", "POST", "/users", json={"username": username, "password": password,
                                                          "full_name": username.title(), "roles": roles})
        assert r.status_code == 201, r.text
        self._tokens[username] = self.token_for(username, password)

    def token_for(self, username: str, password: str) -> str:
        r = httpx.post(f"{self['registry'].url}/auth/token", data={"username": username, "password": password})
        r.raise_for_status()
        token: str = r.json()["access_token"]
        return token


LOAD_REGISTRAR = "registrar.load"


def prepare_load(c: Cluster, booths: int) -> str:
    """What a load run needs (the chain benchmark, the fault suite): a registrar, three kriya
    curators and one open fair without curation with `booths` kriya booths. Returns the fair's id."""
    c.create_user(LOAD_REGISTRAR, ["registrar"])
    c.create_user("organiser.load", ["organiser"])
    for i in range(3):
        c.call("curation", "POST", "/curators", json={"username": f"kurator{i}", "full_name": f"Kurator {i}",
                                                      "sectors": ["kriya"]}).raise_for_status()
    fair = c.call("exhibitions", "POST", "/exhibitions", user="organiser.load",
                  json=fair_body(sentra_cap=None, regency_max_share=1.0)).raise_for_status().json()
    for start in range(0, max(1, booths), 2000):  # a request adds at most 5,000 booths (MAX_BOOTHS)
        c.call("exhibitions", "POST", f"/exhibitions/{fair['id']}/booths", user="organiser.load",
               json=[booth_body(f"B-{i:05d}") for i in range(start, min(max(1, booths), start + 2000))]
               ).raise_for_status()
    fair_id: str = fair["id"]
    return fair_id


def eventually(check: Callable[[], Any], timeout: float = 30, interval: float = 0.2, what: str = "") -> Any:
    """Poll `check` until it returns a truthy value (returned) or raise with the last value seen."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        try:
            last = check()
        except AssertionError as exc:
            last = exc
        else:
            if last:
                return last
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {what or check}: last value {last!r}")
