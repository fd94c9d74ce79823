"""NIKs at rest (ADR 0016): sealed, readable back with the key only, fingerprinted with the key."""

from __future__ import annotations

import pytest
from cryptography.exceptions import InvalidTag

from registry.personal import NikVault

NIK = "5104014101800001"


def test_a_sealed_nik_reads_back_and_shows_nothing() -> None:
    vault = NikVault("a-key-of-thirty-two-bytes-or-more-0001")
    sealed = vault.seal(NIK)
    assert NIK not in sealed and sealed.startswith("v1.")
    assert vault.open(sealed) == NIK
    assert vault.seal(NIK) != sealed  # a fresh nonce each time: equal NIKs do not look equal


def test_another_key_cannot_read_it() -> None:
    sealed = NikVault("a-key-of-thirty-two-bytes-or-more-0001").seal(NIK)
    with pytest.raises(InvalidTag):
        NikVault("a-key-of-thirty-two-bytes-or-more-0002").open(sealed)


def test_the_fingerprint_finds_equal_niks_and_depends_on_the_key() -> None:
    one, two = NikVault("a-key-of-thirty-two-bytes-or-more-0001"), NikVault("a-key-of-thirty-two-bytes-or-more-0002")
    assert one.fingerprint(NIK) == one.fingerprint(NIK)
    assert one.fingerprint(NIK) != one.fingerprint("5104014101800002")
    assert one.fingerprint(NIK) != two.fingerprint(NIK)


def test_an_uploaded_file_is_sealed_and_a_legacy_value_reads_as_it_was() -> None:
    vault = NikVault("a-key-of-thirty-two-bytes-or-more-0001")
    content = f"owner_nik\n{NIK}\n".encode()
    sealed = vault.seal_bytes(content)
    assert NIK.encode() not in sealed and vault.open_bytes(sealed) == content
    assert vault.open(NIK) == NIK and vault.open_bytes(content) == content
