"""The compose gateway's own nginx configuration (deploy/gateway/nginx.conf), run by Debian's nginx
in front of services started as processes: the same file, with only what Docker provides (the
upstream names, its DNS, the nginx user, the log and pid paths) pointed at this machine."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import httpx

from shared.servers import free_port

CONFIG = Path(__file__).resolve().parents[2] / "deploy" / "gateway" / "nginx.conf"


def nginx_binary() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if found is None:
        raise RuntimeError("nginx is not installed: `make test` installs Debian's nginx-light (scripts/bootstrap.sh)")
    return found


def render(config: str, upstreams: dict[str, str], port: int, root: Path) -> str:
    """`config` with the compose-only parts replaced; `upstreams` maps `registry:8001` to `127.0.0.1:N`."""
    out = config.replace("user  nginx;", "").replace("listen       8080;", f"listen       127.0.0.1:{port};")
    out = out.replace("/var/log/nginx/", f"{root}/").replace("/var/run/nginx.pid", f"{root}/nginx.pid")
    out = out.replace("resolver          127.0.0.11 valid=10s ipv6=off;", "")
    for name, address in upstreams.items():
        out = out.replace(f"$sentra_upstream  {name};", f"$sentra_upstream  {address};")
    return out


class Gateway:
    def __init__(self, root: Path, upstreams: dict[str, str]) -> None:
        self.root = root
        self.port = free_port()
        root.mkdir(parents=True, exist_ok=True)
        (root / "nginx.conf").write_text(render(CONFIG.read_text(), upstreams, self.port, root))
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.proc = subprocess.Popen([nginx_binary(), "-c", str(self.root / "nginx.conf"), "-p", str(self.root),
                                      "-g", "daemon off;"], stderr=(self.root / "stderr.log").open("wb"))
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise TimeoutError((self.root / "stderr.log").read_text())

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(10)
            self.proc = None
