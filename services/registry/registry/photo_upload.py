"""Reading a photo upload from the request as it streams in, bounded by the photo limit.

`shared.limits.BodyLimit` already bounds an upload route's body by SENTRA_UPLOAD_MAX_BYTES. A photo
has its own, smaller limit (SENTRA_PHOTO_MAX_BYTES), and it too must hold before the file is read
whole: a declared Content-Length over it is refused before a byte of the body is read, and a body
without one is counted as it arrives and refused as soon as it passes the limit.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator
from dataclasses import dataclass

from starlette.datastructures import Headers, UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from shared.errors import ApiError, FieldError, invalid
from shared.limits import size_words

# The form around the file: boundaries, part headers and the `position` field.
FORM_SLACK = 16 * 1024


@dataclass(frozen=True)
class PhotoUpload:
    data: bytes
    filename: str
    position: int | None


def photo_too_large(limit: int) -> ApiError:
    words = size_words(limit)
    message = f"Foto terlalu besar: paling besar {words}. Perkecil fotonya lalu kirim lagi."
    message_en = f"The photo is too large: at most {words}. Make it smaller and send it again."
    return ApiError(413, "photo_too_large", message, message_en,
                    errors=[FieldError(field="file", message=message, message_en=message_en)])


async def _bounded(chunks: AsyncIterator[bytes], limit: int, max_bytes: int) -> AsyncGenerator[bytes, None]:
    received = 0
    async for chunk in chunks:
        received += len(chunk)
        if received > limit:
            raise photo_too_large(max_bytes)
        yield chunk


def parse_position(raw: object, field: str = "position") -> int | None:
    """The `position` form field: empty for "at the end", else 1 to 8."""
    if raw is None or raw == "":
        return None
    text = raw if isinstance(raw, str) else ""
    if not text.strip().isdigit() or not 1 <= int(text.strip()) <= 8:
        raise invalid(field, "Urutan foto harus angka 1 sampai 8.",
                      "The photo's position must be a number from 1 to 8.")
    return int(text.strip())


async def read_photo_upload(headers: Headers, chunks: AsyncIterator[bytes], max_bytes: int) -> PhotoUpload:
    """The `file` (and optional `position`) of a multipart form, read within `max_bytes`."""
    declared = headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes + FORM_SLACK:
        raise photo_too_large(max_bytes)
    if not headers.get("content-type", "").lower().startswith("multipart/form-data"):
        raise invalid("file", "Kirim foto sebagai formulir multipart dengan kolom 'file'.",
                      "Send the photo as a multipart form with a 'file' field.", status=415)
    parser = MultiPartParser(headers, _bounded(chunks, max_bytes + FORM_SLACK, max_bytes),
                             max_files=1, max_fields=1, max_part_size=1024)
    try:
        form = await parser.parse()
    except MultiPartException as exc:
        raise invalid("file", "Formulir unggahan tidak dapat dibaca (hanya satu berkas 'file' dan 'position').",
                      f"The upload form cannot be read ({exc.message}): one 'file' and 'position' only.") from exc
    try:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise invalid("file", "Foto belum dilampirkan (kolom 'file').", "No photo attached (the 'file' field).")
        data = upload.file.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise photo_too_large(max_bytes)
        if not data:
            raise invalid("file", "Berkas foto kosong.", "The photo file is empty.")
        return PhotoUpload(data=data, filename=upload.filename or "", position=parse_position(form.get("position")))
    finally:
        await form.close()
