"""Product photos as files: what a file really is, and the two sizes kept of it.

The type is judged from the bytes, never from the name or the Content-Type a browser guessed. Every
accepted photo is decoded and encoded again as JPEG: what leaves is only pixels, so the EXIF block
(which holds the GPS position where the photo was taken, often the owner's house), comments and
other metadata stay behind. Pure functions: no database, no HTTP.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from shared.errors import ApiError, FieldError

# Longest side of each size kept, in pixels (the names appear in URLs).
SIZES: dict[str, int] = {"thumbnail": 320, "display": 1600}
ACCEPTED = ("jpeg", "png", "webp")
_PIL_FORMATS = {"jpeg": "JPEG", "png": "PNG", "webp": "WEBP"}
JPEG_QUALITY = 85
MIN_PHOTOS, MAX_PHOTOS = 1, 8

# What a refused file turned out to be, in the words a registrar knows.
_KIND_WORDS: dict[str, str] = {
    "jpeg": "JPEG", "png": "PNG", "webp": "WebP", "pdf": "PDF", "gif": "GIF", "heic": "HEIC/HEIF",
    "avif": "AVIF", "tiff": "TIFF", "bmp": "BMP", "zip": "ZIP (atau dokumen Office)", "svg": "SVG/XML",
    "mp4": "video MP4/MOV",
}


def sniff_type(head: bytes) -> str | None:
    """What the first bytes of a file say it is (`jpeg`, `png`, `webp`, `pdf`, ...), or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"%PDF-"):
        return "pdf"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"heic", b"heix", b"hevc", b"hevx", b"mif1", b"msf1", b"heim", b"heis"):
            return "heic"
        return "avif" if brand in (b"avif", b"avis") else "mp4"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "tiff"
    if head.startswith(b"BM"):
        return "bmp"
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith((b"<?xml", b"<svg")):
        return "svg"
    return None


def unsupported_type(kind: str | None) -> ApiError:
    """The 415 for a file that is not a JPEG, PNG or WebP photo, naming what it really is."""
    if kind is None:
        what, what_en = "berkas jenis yang tidak dikenal", "a file of an unknown type"
    else:
        word = _KIND_WORDS.get(kind, kind.upper())
        what, what_en = f"berkas {word}", f"a {word.replace('atau dokumen', 'or')} file"
    message = f"Berkas ini {what}, bukan foto. Kirim foto JPEG, PNG atau WebP."
    message_en = f"This is {what_en}, not a photo. Send a JPEG, PNG or WebP photo."
    return ApiError(415, "unsupported_photo_type", message, message_en,
                    errors=[FieldError(field="file", message=message, message_en=message_en)])


def _unreadable(message: str, message_en: str) -> ApiError:
    return ApiError(422, "photo_unreadable", message, message_en,
                    errors=[FieldError(field="file", message=message, message_en=message_en)])


def too_many_pixels(width: int, height: int, max_pixels: int) -> ApiError:
    mp = max_pixels / 1_000_000
    return _unreadable(
        f"Foto terlalu besar ukurannya: {width} x {height} piksel, paling banyak {mp:g} megapiksel.",
        f"The photo has too many pixels: {width} x {height}, at most {mp:g} megapixels.")


@dataclass(frozen=True)
class PreparedPhoto:
    """A photo ready to store: its content hash (of the display size) and each size's JPEG bytes."""

    hash: str
    dimensions: dict[str, tuple[int, int]]
    files: dict[str, bytes]


def storage_key(photo_hash: str, size: str) -> str:
    """The name a size of a photo is stored under: named by content, so equal photos share a file."""
    return f"{photo_hash}-{size}.jpg"


def prepare_photo(data: bytes, max_pixels: int) -> PreparedPhoto:
    """Check `data` is a JPEG, PNG or WebP within `max_pixels`, and make its sizes without metadata.

    Raises 415 for another type, 422 for too many pixels (a decompression bomb: a small file that
    decodes to gigabytes) or a damaged file. The pixel count is read from the header, before the
    image is decoded."""
    kind = sniff_type(data[:64])
    if kind not in ACCEPTED:
        raise unsupported_type(kind)
    with warnings.catch_warnings():
        # Pillow's own bomb check warns first; here any bomb is an error.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=[_PIL_FORMATS[kind]])
            if image.width * image.height > max_pixels:
                raise too_many_pixels(image.width, image.height, max_pixels)
            return _sizes(image)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise _unreadable("Foto ini terlalu besar ukuran pikselnya untuk dibuka.",
                              "The photo has too many pixels to be opened.") from exc
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
            raise _unreadable("Foto ini rusak atau tidak lengkap; kirim ulang berkas aslinya.",
                              "The photo is damaged or incomplete; send the original file again.") from exc


def _sizes(image: Image.Image) -> PreparedPhoto:
    largest = max(SIZES.values())
    scale = min(1.0, largest / max(image.size))
    # A JPEG decodes straight to a reduced scale (1/2, 1/4, 1/8) no smaller than the display size:
    # a 12 MP photo is not decoded whole to be shrunk to 1600 px.
    image.draft("RGB", (max(1, round(image.width * scale)), max(1, round(image.height * scale))))
    image.load()
    upright = ImageOps.exif_transpose(image) or image  # turned as the camera meant, before the EXIF goes
    rgb = _flatten(upright)
    files: dict[str, bytes] = {}
    dimensions: dict[str, tuple[int, int]] = {}
    current = rgb
    # Largest first: each smaller size is made from the one before, not from the original.
    for name, side in sorted(SIZES.items(), key=lambda s: -s[1]):
        current = current.copy()
        current.thumbnail((side, side), Image.Resampling.BICUBIC, reducing_gap=2.0)
        dimensions[name] = current.size
        buffer = io.BytesIO()
        # No exif=, icc_profile= or comment: only the pixels are written.
        current.save(buffer, "JPEG", quality=JPEG_QUALITY)
        files[name] = buffer.getvalue()
    return PreparedPhoto(hash=hashlib.sha256(files["display"]).hexdigest(), dimensions=dimensions, files=files)


def _flatten(image: Image.Image) -> Image.Image:
    """RGB for JPEG: transparency on white, as a product photo on a page."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB") if image.mode != "RGB" else image


def placed(order: list[str], item: str, position: int | None) -> list[str]:
    """`order` with `item` moved (or added) to `position` (1-based; None or past the end: last)."""
    rest = [x for x in order if x != item]
    index = len(rest) if position is None else max(0, min(position - 1, len(rest)))
    return [*rest[:index], item, *rest[index:]]


def photo_count_problem(count_after: int) -> tuple[str, str] | None:
    """Why a product may not have `count_after` photos (1 to 8), or None."""
    if count_after > MAX_PHOTOS:
        return (f"Satu produk paling banyak {MAX_PHOTOS} foto; hapus satu dulu.",
                f"A product has at most {MAX_PHOTOS} photos; delete one first.")
    if count_after < MIN_PHOTOS:
        return ("Foto terakhir produk tidak dapat dihapus; unggah penggantinya dulu.",
                "A product's last photo cannot be deleted; upload its replacement first.")
    return None
