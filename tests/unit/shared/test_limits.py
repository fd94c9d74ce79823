"""Request bodies are bounded in the service: a declared length over the limit is refused before the
body is read, a streamed body is counted, and a route that takes a file has its own larger limit."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

import pytest
from fastapi import Body, FastAPI, Request
from fastapi.testclient import TestClient
from pydantic import BaseModel, TypeAdapter, ValidationError, field_validator

from shared.errors import install_error_handlers
from shared.limits import UPLOAD, BodyLimit, declared_length, items_at_most, size_words, too_large_body

JSON_LIMIT = 1024
UPLOAD_LIMIT = 8 * 1024


def app(reads: list[str]) -> FastAPI:
    api = FastAPI()
    install_error_handlers(api)
    api.add_middleware(BodyLimit, body_max_bytes=JSON_LIMIT, upload_max_bytes=UPLOAD_LIMIT)

    @api.post("/stan")
    def booths(booths: list[dict[str, str]]) -> int:
        reads.append("stan")
        return len(booths)

    @api.post("/stan.csv", openapi_extra=UPLOAD)
    def booths_csv(content: Annotated[bytes, Body(media_type="text/csv")]) -> int:
        reads.append("stan.csv")
        return len(content)

    @api.post("/stream", openapi_extra=UPLOAD)
    async def stream(request: Request) -> int:
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
        reads.append("stream")
        return size

    return api


def chunks(total: int, size: int = 512) -> Iterator[bytes]:
    """A body sent without Content-Length (chunked), made as it is sent."""
    while total > 0:
        yield b"x" * min(size, total)
        total -= size


def test_a_body_within_its_limit_reaches_the_route() -> None:
    reads: list[str] = []
    with TestClient(app(reads)) as client:
        assert client.post("/stan", json=[{"code": "A-01"}]).json() == 1
        assert client.post("/stan.csv", content=b"x" * (UPLOAD_LIMIT - 1),
                           headers={"content-type": "text/csv"}).json() == UPLOAD_LIMIT - 1
        assert client.post("/stream", content=chunks(UPLOAD_LIMIT)).json() == UPLOAD_LIMIT
    assert reads == ["stan", "stan.csv", "stream"]


def test_a_declared_length_over_the_limit_is_refused_before_the_route_runs() -> None:
    reads: list[str] = []
    with TestClient(app(reads)) as client:
        json_reply = client.post("/stan", content=b"[" + b" " * JSON_LIMIT + b"]",
                                 headers={"content-type": "application/json"})
        file_reply = client.post("/stan.csv", content=b"x" * (UPLOAD_LIMIT + 1), headers={"content-type": "text/csv"})
    assert (json_reply.status_code, file_reply.status_code) == (413, 413)
    assert json_reply.json() == {"code": "body_too_large",
                                 "message": "Isi permintaan terlalu besar: paling besar 1 KB.",
                                 "message_en": "The request body is too large: at most 1 KB.", "errors": []}
    assert file_reply.json()["message"] == "Berkas terlalu besar: paling besar 8 KB; bagi berkasnya."
    assert reads == []


@pytest.mark.parametrize("path", ["/stan.csv", "/stream"])
def test_a_streamed_body_is_counted_and_stopped_at_the_limit(path: str) -> None:
    reads: list[str] = []
    with TestClient(app(reads)) as client:
        reply = client.post(path, content=chunks(UPLOAD_LIMIT + 1), headers={"content-type": "text/csv"})
    assert reply.status_code == 413
    assert reply.json()["message_en"] == "The file is too large: at most 8 KB; split it."
    assert reads == []


def test_a_json_route_keeps_its_small_limit_for_a_streamed_body_too() -> None:
    reads: list[str] = []
    with TestClient(app(reads)) as client:
        reply = client.post("/stan", content=chunks(JSON_LIMIT + 1), headers={"content-type": "application/json"})
    assert reply.status_code == 413
    assert reply.json()["message_en"] == "The request body is too large: at most 1 KB."


def test_the_declared_length_and_a_streamed_body_are_read_from_the_headers() -> None:
    assert declared_length([(b"content-length", b"2048"), (b"host", b"x")]) == (2048, False)
    assert declared_length([(b"transfer-encoding", b"chunked")]) == (None, True)
    assert declared_length([]) == (None, False)


def test_limits_are_worded_as_a_registrar_reads_them() -> None:
    assert [size_words(n) for n in (900, 1024, 1536, 20 * 1024 * 1024, 25 * 1024 * 1024 // 2, 200 * 1024 * 1024 + 9)
            ] == ["900 bytes", "1 KB", "1.5 KB", "20 MB", "12.5 MB", "200 MB"]
    assert too_large_body(20 * 1024 * 1024, upload=True).message == ("Berkas terlalu besar: paling besar 20 MB; "
                                                                     "bagi berkasnya.")


class Booth(BaseModel):
    code: str

    @field_validator("code")
    @classmethod
    def _seen(cls, code: str) -> str:
        VALIDATED.append(code)
        return code


VALIDATED: list[str] = []


def test_a_list_over_its_bound_is_refused_before_any_item_is_validated() -> None:
    booths = TypeAdapter(Annotated[list[Booth], items_at_most(3)])
    assert len(booths.validate_python([{"code": "A"}] * 3)) == 3
    VALIDATED.clear()
    with pytest.raises(ValidationError) as caught:
        booths.validate_python([{"code": "A"}] * 4)
    assert VALIDATED == []
    assert caught.value.errors()[0]["msg"] == "Terlalu banyak isian (paling banyak 3)."
