"""The benchmark's open-loop client (bench/load.py) against a small HTTP server on loopback."""

import asyncio
import json
import threading
import time
from collections.abc import Iterator

import pytest

from bench.load import _open_loop, encode_post


@pytest.fixture
def server() -> Iterator[tuple[str, list[dict[str, object]]]]:
    """Answers 201 to every POST (422 when the body says so), and keeps the bodies it received."""
    received: list[dict[str, object]] = []
    ready = threading.Event()
    port: list[int] = []
    loop = asyncio.new_event_loop()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while line := await reader.readline():
            length = 0
            while (header := await reader.readline()) != b"\r\n":
                if header.lower().startswith(b"content-length:"):
                    length = int(header.split(b":")[1])
            body = json.loads(await reader.readexactly(length))
            received.append(body)
            status, reply = (422, b'{"detail":"bad"}') if body.get("bad") else (201, b'{"id":"x"}')
            writer.write(f"HTTP/1.1 {status} X\r\nContent-Length: {len(reply)}\r\n\r\n".encode() + reply)
            await writer.drain()
        assert line == b"" or line.startswith(b"POST /ikms ")

    stop = asyncio.Event()

    async def main() -> None:
        srv = await asyncio.start_server(handle, "127.0.0.1", 0)
        port.append(srv.sockets[0].getsockname()[1])
        ready.set()
        await stop.wait()
        srv.close()
        others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in others:
            task.cancel()
        await asyncio.gather(*others, return_exceptions=True)

    thread = threading.Thread(target=loop.run_until_complete, args=(main(),), daemon=True)
    thread.start()
    ready.wait(5)
    yield f"http://127.0.0.1:{port[0]}/ikms", received
    loop.call_soon_threadsafe(stop.set)
    thread.join(5)


def test_every_request_is_sent_at_its_time_and_answered(server: tuple[str, list[dict[str, object]]]) -> None:
    url, received = server
    requests = [encode_post(url, "t0ken", {"i": i}) for i in range(40)]
    started = time.time() + 0.05
    latencies = asyncio.run(_open_loop(url, requests, started, rate=400.0, connections=4))
    assert len(latencies) == 40
    assert sorted(b["i"] for b in received) == list(range(40))  # type: ignore[type-var]
    assert time.time() - started >= 39 / 400  # open loop: the last was not due before then
    assert all(0 <= v < 1 for v in latencies)


def test_an_error_answer_fails_the_run(server: tuple[str, list[dict[str, object]]]) -> None:
    url, _ = server
    with pytest.raises(RuntimeError, match="answered 422"):
        asyncio.run(_open_loop(url, [encode_post(url, "t", {"bad": True})], time.time(), rate=10.0, connections=1))


def test_a_request_carries_the_token_and_a_json_body() -> None:
    request = encode_post("http://127.0.0.1:8001/ikms", "abc", {"name": "UD Sari"})
    head, _, body = request.partition(b"\r\n\r\n")
    assert head.startswith(b"POST /ikms HTTP/1.1\r\n")
    assert b"Authorization: Bearer abc" in head
    assert json.loads(body) == {"name": "UD Sari"}
    assert f"Content-Length: {len(body)}".encode() in head
