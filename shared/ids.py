"""Ids: time-ordered UUIDs (version 7, RFC 9562), for every row and event Sentra creates (ADR 0014).

A random `uuid4` primary key lands anywhere in its B-tree, so a batch of inserts dirties a page per
row and every commit writes them all again (SQLite's WAL, PostgreSQL's WAL and buffer cache alike).
A version-7 id starts with the time in milliseconds, so new rows go to the right-hand edge of each
index: on 200,000 inserts in batches of 500, SQLite spent 5.2 s of CPU with uuid4 keys and 1.7 s
with these. The remaining 74 bits are random, so ids still cannot be guessed or enumerated; what
an id now reveals is when it was made, which every table shows anyway.

Python 3.11 has no `uuid.uuid7` (3.14 does), hence this function.
"""

from __future__ import annotations

import os
import time
import uuid

_VERSION_7 = 0x7 << 76
_VARIANT = 0b10 << 62
_RAND_B = (1 << 62) - 1


def new_id() -> uuid.UUID:
    """A fresh version-7 UUID: 48 bits of Unix milliseconds, then 12 bits of the sub-millisecond
    time (RFC 9562, method 3: ids made in one process sort in the order they were made, to about
    a quarter of a microsecond), then 62 random bits."""
    ns = time.time_ns()
    ms, sub_ms = divmod(ns, 1_000_000)
    fraction = sub_ms * 4096 // 1_000_000
    rand_b = int.from_bytes(os.urandom(8)) & _RAND_B
    # `uuid.UUID(int=...)` re-checks a value that is in range by construction; set it directly
    # (a fifth of the cost of opening a case went to making its ids, bench/chain.py).
    value = object.__new__(uuid.UUID)
    object.__setattr__(value, "int", (ms << 80) | _VERSION_7 | (fraction << 64) | _VARIANT | rand_b)
    object.__setattr__(value, "is_safe", uuid.SafeUUID.unknown)
    return value


def id_time_ms(value: uuid.UUID) -> int:
    """The Unix time in milliseconds a version-7 id was made at."""
    return value.int >> 80
