"""Where photo files live: a small interface, and the filesystem behind it by default.

Files are named by their content (`registry.photos.storage_key`), so a put of a name already there
writes the same bytes again and is harmless. S3-compatible storage is not built yet: see
docs/decisions/0018-photo-storage.md.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Protocol

_KEY = re.compile(r"^[0-9a-f]{64}-[a-z]+\.jpg$")


class PhotoStore(Protocol):
    def put(self, key: str, data: bytes) -> None: ...

    def get(self, key: str) -> bytes | None: ...

    def delete(self, key: str) -> None: ...


class FilesystemPhotoStore:
    """Photos as files in one directory (0700), each file 0600: only the service's user reads them."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(root, 0o700)  # mkdir's mode is narrowed by the umask, never widened; an old dir kept its own

    def _path(self, key: str) -> Path:
        # Keys are made by the service, never taken from a request; the check keeps it that way.
        if not _KEY.match(key):
            raise ValueError(f"not a photo key: {key!r}")
        return self.root / key

    def put(self, key: str, data: bytes) -> None:
        target = self._path(key)
        # Written whole under a temporary name, then renamed: a reader never sees half a file.
        fd, temporary = tempfile.mkstemp(dir=self.root, prefix=".upload-")  # mkstemp creates it 0600
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def get(self, key: str) -> bytes | None:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            return None

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)
