"""Which passwords Sentra refuses: short ones, common ones, trivial patterns and the username.

One rule for every place a password is chosen (a new user, a password change, the first admin's
password in the settings). The common list is zxcvbn's (shared/data/common_passwords.txt).
"""

from __future__ import annotations

import itertools
from functools import cache
from pathlib import Path

MIN_LENGTH = 10
_COMMON_FILE = Path(__file__).with_name("data") / "common_passwords.txt"


@cache
def common_passwords() -> frozenset[str]:
    lines = _COMMON_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


def _is_run(text: str) -> bool:
    """`aaaaaaaaaa`, `1234567890`, `abcdefghij`, `9876543210`: one character, or a straight run."""
    if len(set(text)) <= 2:
        return True
    steps = {ord(b) - ord(a) for a, b in itertools.pairwise(text)}
    return steps in ({1}, {-1})


def password_problems(password: str, username: str) -> list[tuple[str, str]]:
    """Why `password` may not be chosen by `username`, in Indonesian and English; empty if it may."""
    if len(password) < MIN_LENGTH:
        return [(f"Kata sandi terlalu pendek (paling sedikit {MIN_LENGTH} karakter).",
                 f"The password is too short (at least {MIN_LENGTH} characters).")]
    lowered = password.lower()
    core = lowered.rstrip("0123456789!@#$%^&*.?_- ").lstrip("0123456789!@#$%^&*.?_- ")
    if not core or lowered in common_passwords() or core in common_passwords() or _is_run(lowered):
        return [("Kata sandi ini terlalu umum atau mudah ditebak; pilih gabungan beberapa kata yang tidak umum.",
                 "This password is too common or easy to guess; choose a few uncommon words together.")]
    if len(username) >= 3 and username.lower() in lowered:
        return [("Kata sandi tidak boleh memuat nama pengguna.", "The password must not contain the username.")]
    return []
