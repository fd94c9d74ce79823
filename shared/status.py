"""`sentra status`: the system's health in one place, for an operator and for monitoring.

Every service's readiness and role, its outbox backlog (from its /metrics), and every stream: its
length and memory, each consumer group's lag, pending count and the age of its oldest pending
entry, and the dead letters. `problems` says which of those cross the given thresholds, so the
command can exit non-zero for a monitoring check.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Any

import httpx
from redis import Redis
from redis.exceptions import ResponseError

from shared.events import EVENT_TYPES, dead_letter_stream


@dataclass(frozen=True)
class Thresholds:
    max_lag: int = 10_000
    max_pending_age_s: float = 300.0
    max_dead_letters: int = 0
    max_outbox_backlog: int = 10_000


@dataclass
class ServiceStatus:
    name: str
    url: str
    ready: bool
    role: str | None = None
    outbox_backlog: int | None = None
    error: str | None = None


@dataclass
class GroupStatus:
    name: str
    lag: int | None
    pending: int
    oldest_pending_age_s: float | None


@dataclass
class StreamStatus:
    name: str
    length: int
    memory_bytes: int | None
    dead_letters: int
    groups: list[GroupStatus] = field(default_factory=list)


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def metric_value(metrics_text: str, name: str) -> int | None:
    """The value of an unlabelled gauge in Prometheus text, or None."""
    for line in metrics_text.splitlines():
        if line.startswith(name + " "):
            return int(float(line.split()[1]))
    return None


def service_status(http: httpx.Client, name: str, url: str) -> ServiceStatus:
    try:
        ready = http.get(f"{url}/readyz")
        body = ready.json()
        backlog = metric_value(http.get(f"{url}/metrics").text, "sentra_outbox_backlog")
    except (httpx.HTTPError, ValueError) as exc:
        return ServiceStatus(name, url, ready=False, error=f"tidak terjangkau / unreachable: {exc}")
    return ServiceStatus(name, url, ready=ready.status_code == 200, role=body.get("role"), outbox_backlog=backlog)


def stream_status(redis: Redis, stream: str, now_s: float) -> StreamStatus:
    length = int(redis.xlen(stream))
    memory = redis.memory_usage(stream) if length else None
    dead = int(redis.xlen(dead_letter_stream(stream)))
    status = StreamStatus(stream, length, int(memory) if memory is not None else None, dead)
    try:
        groups: Any = redis.xinfo_groups(stream)
    except ResponseError:
        return status
    for group in groups:
        name = _text(group["name"])
        oldest: Any = redis.xpending_range(stream, name, min="-", max="+", count=1)
        age = None
        if oldest:
            age = max(now_s - int(_text(oldest[0]["message_id"]).split("-")[0]) / 1000, 0.0)
        lag = group.get("lag")
        status.groups.append(GroupStatus(name, int(lag) if lag is not None else None, int(group["pending"]), age))
    return status


def collect(http: httpx.Client, redis: Redis, services: dict[str, str]) -> dict[str, Any]:
    now_s = time.time()
    return {
        "services": [asdict(service_status(http, name, url)) for name, url in services.items()],
        "streams": [asdict(stream_status(redis, t.stream, now_s)) for t in EVENT_TYPES.values()],
    }


def problems(status: dict[str, Any], limits: Thresholds) -> list[str]:
    """What crosses `limits`, one line each (empty when all is well)."""
    out = []
    for service in status["services"]:
        if not service["ready"]:
            out.append(f"{service['name']}: not ready {service['error'] or ''}".strip())
        elif (service["outbox_backlog"] or 0) > limits.max_outbox_backlog:
            out.append(f"{service['name']}: outbox backlog {service['outbox_backlog']}")
    for stream in status["streams"]:
        if stream["dead_letters"] > limits.max_dead_letters:
            out.append(f"{stream['name']}: {stream['dead_letters']} dead letters")
        for group in stream["groups"]:
            if (group["lag"] or 0) > limits.max_lag:
                out.append(f"{stream['name']} / {group['name']}: lag {group['lag']}")
            age = group["oldest_pending_age_s"]
            if age is not None and age > limits.max_pending_age_s:
                out.append(f"{stream['name']} / {group['name']}: oldest pending {age:.0f} s")
    return out


def render(status: dict[str, Any]) -> str:
    """The status as a table an operator reads."""
    lines = ["service       ready  role    outbox backlog"]
    for s in status["services"]:
        lines.append(f"{s['name']:<13} {'yes' if s['ready'] else 'NO':<6} {s['role'] or '-':<7} "
                     f"{s['outbox_backlog'] if s['outbox_backlog'] is not None else '-'}")
    lines.append("")
    lines.append("stream                        length  memory   dlq  group         lag  pending  oldest pending")
    for st in status["streams"]:
        memory = f"{st['memory_bytes'] // 1024} KB" if st["memory_bytes"] else "-"
        head = f"{st['name']:<29} {st['length']:>6}  {memory:>7} {st['dead_letters']:>4}"
        if not st["groups"]:
            lines.append(f"{head}  (no group)")
        for i, g in enumerate(st["groups"]):
            age = f"{g['oldest_pending_age_s']:.0f} s" if g["oldest_pending_age_s"] is not None else "-"
            lag = g["lag"] if g["lag"] is not None else "?"
            lines.append(f"{head if i == 0 else ' ' * len(head)}  {g['name']:<12} {lag:>4} {g['pending']:>8}  {age}")
    return "\n".join(lines)
