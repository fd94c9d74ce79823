"""Byte limits on request bodies, enforced by the service itself: the gateway's limit is a second
line, and a service reached without it (a port published by mistake, another proxy) must not read
an unbounded body into memory.

Every route takes at most `SENTRA_BODY_MAX_BYTES`; a route whose body is a file (marked with
`openapi_extra=UPLOAD`) takes at most `SENTRA_UPLOAD_MAX_BYTES`. A request that declares a larger
`Content-Length` gets 413 before a byte of its body is read; a body that arrives without one
(chunked) is counted as it streams in and refused as soon as it passes the limit.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BeforeValidator
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.errors import ErrorBody, field_error

# `openapi_extra` of a route whose body is a file: it gets the upload limit. The key also shows in
# the OpenAPI document, where a client can see which routes take files.
UPLOAD_KEY = "x-sentra-upload"
UPLOAD: dict[str, Any] = {UPLOAD_KEY: True}

_DISCONNECT: Message = {"type": "http.disconnect"}


def size_words(size: int) -> str:
    """A byte count as a registrar reads it: 25 MB, 512 KB, 900 bytes (the same in both languages)."""
    for unit, name in ((1024 * 1024, "MB"), (1024, "KB")):
        if size >= unit:
            return f"{size / unit:.1f}".removesuffix(".0") + f" {name}"
    return f"{size} bytes"


def too_large_body(limit: int, upload: bool) -> ErrorBody:
    """The 413 a body over `limit` gets, naming the limit."""
    words = size_words(limit)
    if upload:
        return ErrorBody(code="body_too_large",
                         message=f"Berkas terlalu besar: paling besar {words}; bagi berkasnya.",
                         message_en=f"The file is too large: at most {words}; split it.")
    return ErrorBody(code="body_too_large", message=f"Isi permintaan terlalu besar: paling besar {words}.",
                     message_en=f"The request body is too large: at most {words}.")


def items_at_most(limit: int) -> BeforeValidator:
    """Refuse a list longer than `limit` before any of its items is validated. Pydantic checks a
    list's `max_length` only after validating every item, and FastAPI validates a body on the event
    loop, so a body of many thousands of items would hold every other request up first. Use it
    beside `max_length`, which still documents the bound in the OpenAPI schema."""

    def check(value: Any) -> Any:
        if isinstance(value, list) and len(value) > limit:
            raise field_error(f"Terlalu banyak isian (paling banyak {limit}).", f"Too many items (at most {limit}).")
        return value

    return BeforeValidator(check)


def declared_length(headers: list[tuple[bytes, bytes]]) -> tuple[int | None, bool]:
    """The `Content-Length` a request declares (None without one), and whether its body streams in
    without one (`Transfer-Encoding`), so that only counting can bound it."""
    length: int | None = None
    streamed = False
    for key, value in headers:
        if key == b"content-length" and value.isdigit():
            length = int(value)
        elif key == b"transfer-encoding":
            streamed = True
    return length, streamed


def is_upload_route(scope: Scope) -> bool:
    """Whether the route the request was routed to takes a file (read once routing has run)."""
    extra = getattr(scope.get("route"), "openapi_extra", None)
    return bool(extra and extra.get(UPLOAD_KEY))


class BodyLimit:
    """ASGI middleware bounding every request body (see the module's docstring). Plain ASGI, like
    `shared.web.RequestMetrics`: a request whose declared body fits the smaller limit passes
    through untouched."""

    def __init__(self, app: ASGIApp, body_max_bytes: int, upload_max_bytes: int) -> None:
        self.app = app
        self.body_max_bytes = body_max_bytes
        self.upload_max_bytes = upload_max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length, streamed = declared_length(scope.get("headers", []))
        if not streamed and (length is None or length <= self.body_max_bytes):
            await self.app(scope, receive, send)
            return
        guard = _Guard(self, scope, receive, send, length)
        try:
            await self.app(scope, guard.receive, guard.send)
        except Exception:
            # Once the 413 is sent the app only sees a disconnected client; what it raises about
            # that is no news.
            if not guard.refused:
                raise


class _Guard:
    """One request's body counter. The limit is chosen at the first read of the body: routing has
    run by then, so the route says whether it takes a file."""

    def __init__(self, limits: BodyLimit, scope: Scope, receive: Receive, send: Send, length: int | None) -> None:
        self._limits = limits
        self._scope = scope
        self._receive = receive
        self._send = send
        self._length = length
        self._limit: int | None = None
        self._upload = False
        self._received = 0
        self._started = False
        self.refused = False

    async def receive(self) -> Message:
        if self.refused:
            return _DISCONNECT
        if self._limit is None:
            self._upload = is_upload_route(self._scope)
            self._limit = self._limits.upload_max_bytes if self._upload else self._limits.body_max_bytes
        if self._length is not None and self._length > self._limit:
            return await self._refuse()
        message = await self._receive()
        if message["type"] == "http.request":
            self._received += len(message.get("body", b""))
            if self._received > self._limit:
                return await self._refuse()
        return message

    async def send(self, message: Message) -> None:
        if self.refused:
            return  # the app's reply to the disconnect it was shown; the client has its 413
        if message["type"] == "http.response.start":
            self._started = True
        await self._send(message)

    async def _refuse(self) -> Message:
        """Answer 413 (unless the app already started its reply) and show the app a disconnected
        client, so it stops reading. The server discards what the client still sends."""
        assert self._limit is not None
        if not self._started:
            body = json.dumps(too_large_body(self._limit, self._upload).model_dump()).encode()
            await self._send({"type": "http.response.start", "status": 413,
                              "headers": [(b"content-type", b"application/json"),
                                          (b"content-length", str(len(body)).encode())]})
            await self._send({"type": "http.response.body", "body": body})
        self.refused = True
        return _DISCONNECT
