"""An open-loop HTTP load generator that costs the machine little: requests are encoded before the
clock starts and sent over keep-alive connections from one asyncio process.

The benchmark's clients share the two cores with the services they measure. httpx from a thread
pool spent about a millisecond of CPU per request, a fifth of a core at 200 requests per second
taken from the system under test; this spends a few tens of microseconds.
"""

from __future__ import annotations

import asyncio
import json
import resource
import time
from typing import Any
from urllib.parse import urlsplit


def encode_post(url: str, token: str, body: dict[str, Any]) -> bytes:
    """A complete HTTP/1.1 POST of `body` as JSON, ready to write to a connection."""
    parts = urlsplit(url)
    payload = json.dumps(body).encode()
    head = (f"POST {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\nAuthorization: Bearer {token}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n")
    return head.encode() + payload


async def _response(reader: asyncio.StreamReader) -> int:
    """Read one response off a keep-alive connection; returns its status code."""
    status = int((await reader.readline()).split(b" ", 2)[1])
    length = 0
    while (line := await reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    if length:
        await reader.readexactly(length)
    return status


async def _open_loop(url: str, requests: list[bytes], started: float, rate: float,
                     connections: int) -> list[float]:
    parts = urlsplit(url)
    free: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = asyncio.Queue()
    for _ in range(connections):
        free.put_nowait(await asyncio.open_connection(parts.hostname, parts.port))
    latencies: list[float] = []

    async def send(i: int, request: bytes) -> None:
        due = started + i / rate
        await asyncio.sleep(max(0.0, due - time.time()))
        reader, writer = await free.get()  # all busy: it waits, and the wait counts as latency
        writer.write(request)
        status = await _response(reader)
        free.put_nowait((reader, writer))
        if status >= 400:
            raise RuntimeError(f"request {i} answered {status}")
        latencies.append(time.time() - due)

    await asyncio.gather(*(send(i, r) for i, r in enumerate(requests)))
    while not free.empty():
        free.get_nowait()[1].close()
    return latencies


def open_loop(url: str, requests: list[bytes], started: float, rate: float,
              connections: int = 64) -> tuple[list[float], float]:
    """Send request i at `started + i / rate` (wall clock) whatever the earlier ones did, on the
    first free of `connections` connections. Returns each request's latency, counted from when it
    was due, and the CPU seconds this process spent. Meant to run in a process of its own."""
    cpu = resource.getrusage(resource.RUSAGE_SELF)
    latencies = asyncio.run(_open_loop(url, requests, started, rate, connections))
    after = resource.getrusage(resource.RUSAGE_SELF)
    return latencies, (after.ru_utime - cpu.ru_utime) + (after.ru_stime - cpu.ru_stime)
