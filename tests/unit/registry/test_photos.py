"""Product photos without HTTP: what a file is, the sizes kept of it, the upload's limit, the store."""

from __future__ import annotations

import asyncio
import io
import stat
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from PIL import Image
from starlette.datastructures import Headers

from registry.photo_store import FilesystemPhotoStore
from registry.photo_upload import FORM_SLACK, read_photo_upload
from registry.photos import (
    MAX_PHOTOS,
    photo_count_problem,
    placed,
    prepare_photo,
    sniff_type,
    storage_key,
)
from shared.errors import ApiError
from tests.support.images import decompression_bomb, pdf_bytes, photo_with_gps, png_bytes, webp_bytes

MAX_PIXELS = 50_000_000


def test_the_type_is_read_from_the_bytes() -> None:
    assert sniff_type(photo_with_gps(40, 30)[:64]) == "jpeg"
    assert sniff_type(png_bytes(8, 8)[:64]) == "png"
    assert sniff_type(webp_bytes(8, 8)[:64]) == "webp"
    assert sniff_type(pdf_bytes()[:64]) == "pdf"
    assert sniff_type(b"GIF89a\x01\x00") == "gif"
    assert sniff_type(b"\x00\x00\x00\x18ftypheic") == "heic"
    assert sniff_type(b"PK\x03\x04rest") == "zip"
    assert sniff_type(b"hello") is None


def test_a_photo_comes_out_in_two_sizes_without_its_exif_or_gps() -> None:
    original = photo_with_gps(2400, 1800)
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # the GPS is there to begin with
    prepared = prepare_photo(original, MAX_PIXELS)
    assert prepared.dimensions == {"display": (1600, 1200), "thumbnail": (320, 240)}
    for name, data in prepared.files.items():
        image = Image.open(io.BytesIO(data))
        assert image.format == "JPEG" and image.size == prepared.dimensions[name]
        assert not image.getexif() and "exif" not in image.info
        assert b"SuiteCam" not in data and b"GPS" not in data
    assert len(prepared.hash) == 64
    assert prepare_photo(original, MAX_PIXELS).hash == prepared.hash  # named by content


def test_a_small_photo_is_not_enlarged_and_transparency_goes_on_white() -> None:
    prepared = prepare_photo(png_bytes(200, 100), MAX_PIXELS)
    assert prepared.dimensions == {"display": (200, 100), "thumbnail": (200, 100)}
    pixel = Image.open(io.BytesIO(prepared.files["display"])).getpixel((5, 5))
    assert isinstance(pixel, tuple) and min(pixel) > 100  # half-transparent green over white, not black
    assert prepare_photo(webp_bytes(), MAX_PIXELS).dimensions["display"] == (800, 600)


def test_a_pdf_named_jpg_is_refused_with_415_naming_pdf() -> None:
    with pytest.raises(ApiError) as refused:
        prepare_photo(pdf_bytes(), MAX_PIXELS)
    assert refused.value.status == 415
    assert "PDF" in refused.value.body.message and "PDF" in refused.value.body.message_en
    assert refused.value.body.errors[0].field == "file"


def test_a_decompression_bomb_is_refused_with_422_from_its_header() -> None:
    bomb = decompression_bomb(9000, 9000)  # 81 MP: over the setting, under Pillow's own limit
    assert len(bomb) < 1000
    with pytest.raises(ApiError) as refused:
        prepare_photo(bomb, MAX_PIXELS)
    assert refused.value.status == 422 and "9000 x 9000" in refused.value.body.message_en
    # Past Pillow's own bomb limit too, whatever the setting says.
    with pytest.raises(ApiError) as refused:
        prepare_photo(decompression_bomb(60_000, 60_000), 10**10)
    assert refused.value.status == 422


def test_a_truncated_photo_is_a_422() -> None:
    with pytest.raises(ApiError) as refused:
        prepare_photo(photo_with_gps(400, 300)[:600], MAX_PIXELS)
    assert refused.value.status == 422


def test_positions() -> None:
    assert placed(["a", "b", "c"], "d", None) == ["a", "b", "c", "d"]
    assert placed(["a", "b", "c"], "d", 1) == ["d", "a", "b", "c"]
    assert placed(["a", "b", "c"], "a", 3) == ["b", "c", "a"]
    assert placed(["a", "b", "c"], "c", 8) == ["a", "b", "c"]
    assert photo_count_problem(MAX_PHOTOS) is None and photo_count_problem(1) is None
    assert photo_count_problem(MAX_PHOTOS + 1) is not None and photo_count_problem(0) is not None


class Chunks:
    """A request body arriving in chunks, counting what was read of it."""

    def __init__(self, body: bytes, chunk: int = 64 * 1024) -> None:
        self.body, self.chunk, self.read = body, chunk, 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for start in range(0, len(self.body), self.chunk):
            self.read += len(self.body[start:start + self.chunk])
            yield self.body[start:start + self.chunk]


def form(data: bytes, position: str | None = None) -> tuple[Headers, bytes]:
    boundary = "suiteboundary"
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="foto.jpg"\r\n'
             "Content-Type: image/jpeg\r\n\r\n".encode() + data + b"\r\n"]
    if position is not None:
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="position"\r\n\r\n{position}\r\n'.encode())
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    return Headers({"content-type": f"multipart/form-data; boundary={boundary}"}), body


def upload(headers: Headers, chunks: Chunks, limit: int) -> object:
    return asyncio.run(read_photo_upload(headers, chunks.__aiter__(), limit))


def test_an_upload_is_read_within_the_photo_limit() -> None:
    headers, body = form(b"\xff\xd8\xff" + b"x" * 1000, "2")
    result = upload(headers, Chunks(body), 2000)
    assert getattr(result, "position", None) == 2 and len(getattr(result, "data", b"")) == 1003


def test_a_20_mb_upload_is_refused_before_it_is_read_whole() -> None:
    limit = 15 * 1024 * 1024
    headers, body = form(b"\xff\xd8\xff" + b"\0" * (20 * 1024 * 1024))
    streamed = Chunks(body)  # no Content-Length: counted as it arrives
    with pytest.raises(ApiError) as refused:
        upload(headers, streamed, limit)
    assert refused.value.status == 413 and "15 MB" in refused.value.body.message
    assert streamed.read <= limit + FORM_SLACK + streamed.chunk < len(body)
    declared = Chunks(body)  # a declared length over the limit: not a byte is read
    with pytest.raises(ApiError) as refused:
        upload(Headers({**headers, "content-length": str(len(body))}), declared, limit)
    assert refused.value.status == 413 and declared.read == 0


@pytest.mark.parametrize(("position", "field"), [("9", "position"), ("dua", "position"), (None, None)])
def test_a_bad_position_or_no_file_is_a_422_naming_the_field(position: str | None, field: str | None) -> None:
    if field is None:
        headers = Headers({"content-type": "multipart/form-data; boundary=b"})
        chunks = Chunks(b'--b\r\nContent-Disposition: form-data; name="position"\r\n\r\n1\r\n--b--\r\n')
    else:
        headers, body = form(b"\xff\xd8\xffabc", position)
        chunks = Chunks(body)
    with pytest.raises(ApiError) as refused:
        upload(headers, chunks, 10_000)
    assert refused.value.status == 422 and refused.value.body.errors[0].field == (field or "file")


def test_the_filesystem_store_keeps_files_private(tmp_path: Path) -> None:
    store = FilesystemPhotoStore(tmp_path / "photos")
    key = storage_key("a" * 64, "display")
    store.put(key, b"jpeg bytes")
    assert store.get(key) == b"jpeg bytes"
    assert stat.S_IMODE((tmp_path / "photos").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "photos" / key).stat().st_mode) == 0o600
    store.delete(key)
    assert store.get(key) is None
    with pytest.raises(ValueError):
        store.put("../../etc/passwd", b"x")
