"""`make run`: Redis (the one at REDIS_URL, else an embedded real one), the three services and the
console as separate processes, demo data, and where to open everything. Ctrl-C stops all it started."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx

from shared.demo import DEMO_PASSWORD, DEMO_USERS, seed_demo
from shared.servers import ensure_redis
from shared.settings import DEV_ADMIN_PASSWORD

SERVICES = (("registry", "REGISTRY_PORT", 8001), ("curation", "CURATION_PORT", 8002),
            ("exhibitions", "EXHIBITIONS_PORT", 8003))
CONSOLE = ("console", "CONSOLE_PORT", 8000)  # a client of the three APIs: no database of its own


def _stop_on_sigterm(*_: object) -> None:
    raise KeyboardInterrupt  # `kill` stops everything just as Ctrl-C does


def per_service_database_urls(database_url: str | None) -> dict[str, str]:
    """Each service needs its own database: from one PostgreSQL DATABASE_URL, databases
    `<name>_registry`, `<name>_curation`, `<name>_exhibitions` on that server (created if missing).
    Without DATABASE_URL, nothing: each service keeps its SQLite file under SENTRA_DATA_DIR."""
    if not database_url or not database_url.startswith(("postgresql://", "postgres://")):
        return {}
    import psycopg
    from psycopg import sql

    parts = urlsplit(database_url)
    base = parts.path.lstrip("/") or "sentra"
    urls: dict[str, str] = {}
    with psycopg.connect(database_url, autocommit=True) as conn:
        for name, _, _ in SERVICES:
            db = f"{base}_{name}"
            if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (db,)).fetchone() is None:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db)))
            urls[f"{name.upper()}_DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{db}"))
    return urls


def main() -> int:
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    data_dir = Path(os.environ.get("SENTRA_DATA_DIR", "./var")).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    host = os.environ.get("SENTRA_HOST", "127.0.0.1")
    redis_url, redis_process = ensure_redis(os.environ.get("REDIS_URL"), data_dir)
    print(f"Redis: {redis_url}" + (" (embedded, data in " + str(data_dir / "redis") + ")" if redis_process else ""))

    admin_password = os.environ.setdefault("SENTRA_ADMIN_PASSWORD", DEV_ADMIN_PASSWORD)
    env = {**os.environ, "REDIS_URL": redis_url, "SENTRA_DATA_DIR": str(data_dir), "SENTRA_LOG_JSON": "false",
           # The development key and admin password are allowed here, and only here.
           "SENTRA_DEV_MODE": os.environ.get("SENTRA_DEV_MODE", "true"),
           **per_service_database_urls(os.environ.get("DATABASE_URL"))}
    env.pop("DATABASE_URL", None)  # one database shared by three services would mix their outboxes
    children: list[subprocess.Popen[bytes]] = []
    urls: dict[str, str] = {}
    try:
        for name, port_var, default in SERVICES:
            port = int(os.environ.get(port_var, default))
            urls[name] = f"http://{host}:{port}"
            children.append(subprocess.Popen(
                [sys.executable, "-m", "uvicorn", "--factory", f"{name}.app:create_app", "--host", host,
                 "--port", str(port), "--log-level", "warning"], env=env, start_new_session=True))
        name, port_var, default = CONSOLE
        port = int(os.environ.get(port_var, default))
        urls[name] = f"http://{host}:{port}"
        console_env = {**env, "REGISTRY_URL": urls["registry"], "CURATION_URL": urls["curation"],
                       "EXHIBITIONS_URL": urls["exhibitions"]}
        children.append(subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", "console.app:create_app", "--host", host,
             "--port", str(port), "--log-level", "warning"], env=console_env, start_new_session=True))
        for name, url in urls.items():
            _wait_ready(name, url, children)
        seed_demo(urls["registry"], urls["curation"], urls["exhibitions"], admin_password)
        _print_welcome(urls, admin_password)
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
        print("A service stopped; shutting the rest down.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nStopping Sentra…")
        return 0
    finally:
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for child in children:
            with contextlib.suppress(subprocess.TimeoutExpired):
                child.wait(15)
            if child.poll() is None:
                child.kill()
        if redis_process is not None:
            redis_process.stop()


def _wait_ready(name: str, url: str, children: list[subprocess.Popen[bytes]], timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(child.poll() is not None for child in children):
            raise SystemExit(f"{name} did not start (see the messages above)")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                return
        time.sleep(0.3)
    raise SystemExit(f"{name} was not ready after {timeout:.0f}s at {url}")


def _print_welcome(urls: dict[str, str], admin_password: str) -> None:
    print("\nSentra is running. / Sentra sudah berjalan.\n")
    print(f"  Open the console / Buka konsol: {urls['console']}\n")
    for name, url in urls.items():
        if name != "console":
            print(f"  {name:<12} {url}/docs   (events: {url}/asyncapi)")
    print("\nDemo accounts (development only):")
    print(f"  {'admin':<12} {admin_password:<20} admin")
    for user in DEMO_USERS:
        print(f"  {user.username:<12} {DEMO_PASSWORD:<20} {', '.join(user.roles)}")
    print(f"\nGet a token: curl -X POST {urls['registry']}/auth/token "
          f"-d username=registrar -d password={DEMO_PASSWORD}")
    print("Press Ctrl-C to stop. / Tekan Ctrl-C untuk berhenti.\n")


if __name__ == "__main__":
    raise SystemExit(main())
