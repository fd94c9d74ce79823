"""Bounds on an import file checked before it is opened (docs/import-format.md, Refused files).

An XLSX is a zip archive: a file of 128 KB can unpack to gigabytes (a zip bomb), and openpyxl
would inflate it before any row count applies. The zip's central directory states each member's
packed and unpacked size; those are checked here before openpyxl sees the file. The stated sizes
can be trusted as a bound: Python's zipfile never inflates a member past its stated size (and
fails the CRC if the data is longer).
"""

from __future__ import annotations

import io
import zipfile

from shared.errors import ApiError
from shared.limits import size_words

# All members together, unpacked: a 50,000-row import written by openpyxl unpacks to about 83 MB.
MAX_UNZIPPED_BYTES = 128 * 1024 * 1024
# Spreadsheet XML packs 5 to 15 times; a zip bomb packs about 1,000 times. Small members (under
# MIN_RATIO_CHECKED bytes unpacked) may pack as tightly as they like: they cannot hurt.
MAX_RATIO = 200
MIN_RATIO_CHECKED = 1024 * 1024
# Members openpyxl parses whole rather than row by row: the shared strings, and everything else
# that is not a worksheet (styles, workbook, theme), which real files keep to kilobytes.
MAX_SHARED_STRINGS_BYTES = 32 * 1024 * 1024
MAX_OTHER_MEMBER_BYTES = 4 * 1024 * 1024
MAX_MEMBERS = 1000


def _too_large(message: str, message_en: str) -> ApiError:
    return ApiError(413, "bad_import_file", message, message_en)


def _member_limit(name: str) -> int | None:
    """How large one member may be unpacked (None: only the total bounds it, as rows stream)."""
    if name.startswith("xl/worksheets/") and name.endswith(".xml"):
        return None
    return MAX_SHARED_STRINGS_BYTES if name == "xl/sharedStrings.xml" else MAX_OTHER_MEMBER_BYTES


def check_xlsx_sizes(content: bytes, max_unzipped_bytes: int = MAX_UNZIPPED_BYTES) -> None:
    """Raise 413 when the XLSX in `content` unpacks to more than `max_unzipped_bytes`, packs a
    member suspiciously tightly, or holds a member openpyxl parses whole that is too large. A file
    that is not a zip at all is left for the reader to refuse."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return
    if len(members) > MAX_MEMBERS:
        raise _too_large(f"Berkas XLSX ini berisi terlalu banyak bagian ({len(members):,}; paling banyak "
                         f"{MAX_MEMBERS:,}).", f"This XLSX file has too many parts ({len(members):,}; at most "
                         f"{MAX_MEMBERS:,}).")
    total = sum(m.file_size for m in members)
    if total > max_unzipped_bytes:
        raise _too_large(f"Berkas XLSX terlalu besar setelah dibuka: {size_words(total)}, paling besar "
                         f"{size_words(max_unzipped_bytes)}; bagi berkasnya.",
                         f"The XLSX file is too large once unpacked: {size_words(total)}, at most "
                         f"{size_words(max_unzipped_bytes)}; split it.")
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > MIN_RATIO_CHECKED and ratio > MAX_RATIO:
            raise _too_large(f"Berkas XLSX ini dipadatkan secara tidak wajar ({member.filename[:60]}: {ratio:,.0f} "
                             f"kali, paling banyak {MAX_RATIO} kali); simpan ulang dari Excel.",
                             f"This XLSX file is packed abnormally tightly ({member.filename[:60]}: {ratio:,.0f} "
                             f"times, at most {MAX_RATIO}); save it again from Excel.")
        limit = _member_limit(member.filename)
        if limit is not None and member.file_size > limit:
            raise _too_large(f"Bagian {member.filename[:60]} dari berkas XLSX terlalu besar: "
                             f"{size_words(member.file_size)}, paling besar {size_words(limit)}.",
                             f"The part {member.filename[:60]} of the XLSX file is too large: "
                             f"{size_words(member.file_size)}, at most {size_words(limit)}.")
