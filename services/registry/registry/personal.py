"""NIKs at rest: stored encrypted, with a keyed fingerprint beside them for finding duplicates.

A copy of the registry's database (a backup, a dump handed to a contractor) shows neither a NIK nor
anything from which one can be guessed: the 16 digits have too few possibilities for a plain hash,
hence a keyed one. Uploaded workbooks waiting to be imported are full of NIKs, and sealed too.
The key is `SENTRA_PERSONAL_DATA_KEY`, set once per process when the service starts (`use_key`),
like its logging; every read and write of `ikm.owner_nik` goes through `EncryptedNik`, so no code
path can forget it (ADR 0016).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import LargeBinary, String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

_PREFIX = "v1."
# The column's length: the prefix, and base64 of a 12-byte nonce, 16 digits and a 16-byte tag.
SEALED_LENGTH = 80


class NikVault:
    """Encrypts, decrypts and fingerprints NIKs with keys derived from one secret."""

    def __init__(self, secret: str) -> None:
        self._cipher = AESGCM(hashlib.sha256(b"sentra-nik-encryption:" + secret.encode()).digest())
        self._mac_key = hashlib.sha256(b"sentra-nik-fingerprint:" + secret.encode()).digest()

    def seal(self, nik: str) -> str:
        nonce = os.urandom(12)
        sealed = self._cipher.encrypt(nonce, nik.encode(), b"ikm.owner_nik")
        return _PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode()

    def open(self, stored: str) -> str:
        if not stored.startswith(_PREFIX):
            return stored  # written before encryption; migration 0003 seals those
        raw = base64.urlsafe_b64decode(stored[len(_PREFIX):])
        return self._cipher.decrypt(raw[:12], raw[12:], b"ikm.owner_nik").decode()

    def seal_bytes(self, data: bytes) -> bytes:
        nonce = os.urandom(12)
        return _PREFIX.encode() + nonce + self._cipher.encrypt(nonce, data, b"import_job.content")

    def open_bytes(self, stored: bytes) -> bytes:
        if not stored.startswith(_PREFIX.encode()):
            return stored  # an upload stored before encryption
        raw = stored[len(_PREFIX):]
        return self._cipher.decrypt(raw[:12], raw[12:], b"import_job.content")

    def fingerprint(self, nik: str) -> str:
        return hmac.new(self._mac_key, nik.encode(), hashlib.sha256).hexdigest()


_vault: list[NikVault] = []


def use_key(secret: str) -> NikVault:
    """Set this process's key (at start-up); returns the vault."""
    _vault[:] = [NikVault(secret)]
    return _vault[0]


def key_is_set() -> bool:
    return bool(_vault)


def vault() -> NikVault:
    if not _vault:
        raise RuntimeError("registry.personal.use_key() was not called: the NIK key is not set")
    return _vault[0]


def nik_fingerprint(nik: str) -> str:
    return vault().fingerprint(nik)


class EncryptedNik(TypeDecorator[str]):
    """A NIK column: the application sees the 16 digits, the database holds them sealed."""

    impl = String(SEALED_LENGTH)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else vault().seal(str(value))

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else vault().open(str(value))


class EncryptedFile(TypeDecorator[bytes]):
    """An uploaded workbook kept until its import is done: it is full of NIKs, so it is sealed too."""

    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> bytes | None:
        return None if value is None else vault().seal_bytes(bytes(value))

    def process_result_value(self, value: Any, dialect: Dialect) -> bytes | None:
        return None if value is None else vault().open_bytes(bytes(value))
