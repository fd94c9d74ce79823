"""Bounds on the numbers a request may carry, defined once for the three services.

An integer the database cannot hold fails inside the driver, after validation: SQLite keeps 64 bits
(an OFFSET of 2^63 overflows), PostgreSQL's INTEGER column 32. That is a 500 where the caller should
get a 422 naming the field. So every integer a request carries (query, path or body) is bounded where
it is parsed, by one of these types or by a tighter bound of its own, and a value the service computes
from several of them (a combined booth's price) is checked with `fits_db_int` before it is written.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Query
from pydantic import Field

# The largest value of an INTEGER column on PostgreSQL, the narrower of the two databases.
DB_INT_MAX = 2**31 - 1

# The page size most lists allow; a list with other needs bounds its own `limit`.
PAGE_MAX = 500

Offset = Annotated[int, Query(ge=0, le=DB_INT_MAX, description="items to skip")]
Limit = Annotated[int, Query(ge=1, le=PAGE_MAX, description="items to return at most")]

# A whole number stored in an INTEGER column: a count, a capacity, an amount in rupiah.
DbInt = Annotated[int, Field(ge=0, le=DB_INT_MAX)]


def fits_db_int(value: int) -> bool:
    """Whether a computed whole number can be stored in an INTEGER column on every database."""
    return -DB_INT_MAX - 1 <= value <= DB_INT_MAX
