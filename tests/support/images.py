"""Real image files made in the suite (Pillow), for the photo tests."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import ExifTags, Image

# Somewhere in Gianyar: the kind of position a phone writes into a photo taken at home.
GPS = {ExifTags.GPS.GPSLatitudeRef: "S", ExifTags.GPS.GPSLatitude: (8.0, 32.0, 24.5),
       ExifTags.GPS.GPSLongitudeRef: "E", ExifTags.GPS.GPSLongitude: (115.0, 19.0, 48.2)}


def photo_with_gps(width: int = 2400, height: int = 1800, fmt: str = "JPEG") -> bytes:
    """A photo with an EXIF block holding a GPS position and the camera's orientation."""
    image = Image.new("RGB", (width, height), (180, 120, 60))
    for x in range(0, width, 50):  # some detail, so the encoder has work to do
        image.paste((20, 40, 200), (x, 0, x + 10, height))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "SuiteCam"
    exif.get_ifd(ExifTags.IFD.GPSInfo).update(GPS)
    out = io.BytesIO()
    image.save(out, fmt, exif=exif)
    return out.getvalue()


def png_bytes(width: int = 640, height: int = 480, mode: str = "RGBA") -> bytes:
    out = io.BytesIO()
    Image.new(mode, (width, height), (10, 200, 30, 128) if mode == "RGBA" else 0).save(out, "PNG")
    return out.getvalue()


def webp_bytes(width: int = 800, height: int = 600) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (90, 90, 200)).save(out, "WEBP")
    return out.getvalue()


def pdf_bytes() -> bytes:
    """A small real PDF (Pillow writes one from an image)."""
    out = io.BytesIO()
    Image.new("RGB", (100, 100), (255, 255, 255)).save(out, "PDF")
    return out.getvalue()


def decompression_bomb(width: int = 60_000, height: int = 60_000) -> bytes:
    """A PNG of a few hundred bytes whose header claims `width` x `height` pixels: decoded, it would
    take gigabytes. Made from a real PNG with its IHDR rewritten (and its checksum with it)."""
    data = bytearray(png_bytes(16, 16, "L"))
    ihdr = 8  # after the signature: length (4), type (4), then the fields
    data[ihdr + 8:ihdr + 16] = struct.pack(">II", width, height)
    crc = zlib.crc32(bytes(data[ihdr + 4:ihdr + 8 + 13])) & 0xFFFFFFFF
    data[ihdr + 8 + 13:ihdr + 8 + 17] = struct.pack(">I", crc)
    return bytes(data)
