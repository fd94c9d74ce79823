"""Every row of the role matrix in docs/security.md, against the running services (issue 19): each
role's token, and none, on every route. A role marked `no` gets 403 (anonymous 401); a role marked
`yes` gets neither. The requests carry made-up ids and no body: the role check is what is tested, so
an allowed role's 404 or 422 passes. Which routes exist is tests/unit/test_role_matrix.py's part."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import fresh_redis_db
from tests.support.cluster import ADMIN_PASSWORD, Cluster
from tests.support.role_matrix import (
    ANONYMOUS,
    PRINCIPALS,
    ROLES,
    SERVICES,
    Row,
    concrete_path,
    read_matrix,
    rows_for,
    status_problem,
)

# The one route that ends the token it is called with.
SIGN_OUT = ("POST", "/auth/logout")


def account(role: str) -> tuple[str, str]:
    """The username and password of the matrix's user for `role` (`admin` is the first admin)."""
    return ("admin", ADMIN_PASSWORD) if role == "admin" else (f"matrix.{role}", f"Tiga-{role[:3]}-8vKq2Lw")


@pytest.fixture(scope="module")
def matrix_cluster(tmp_path_factory: pytest.TempPathFactory, redis_server: str) -> Iterator[Cluster]:
    """One cluster for the whole matrix, with a user per role."""
    c = Cluster(Path(tmp_path_factory.mktemp("role-matrix")), fresh_redis_db(redis_server))
    try:
        c.start()
        for role in ROLES:
            if role != "admin":
                username, password = account(role)
                c.create_user(username, [role], password=password)
        yield c
    finally:
        c.stop()


@pytest.fixture(scope="module")
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=30) as client:
        yield client


def headers_for(c: Cluster, principal: str, row: Row) -> dict[str, str]:
    """The principal's token; signing out gets a token of its own, so the others keep working."""
    if principal == ANONYMOUS:
        return {}
    username, password = account(principal)
    token = c.token_for(username, password) if row.operation == SIGN_OUT else c.token(username, password)
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("service", SERVICES)
def test_every_role_gets_what_the_matrix_says(service: str, matrix_cluster: Cluster, http: httpx.Client) -> None:
    c = matrix_cluster
    rows = rows_for(read_matrix(), service)
    problems = []
    for row in rows:
        url = c[service].url + concrete_path(row.path)
        for principal in PRINCIPALS:
            status = http.request(row.method, url, headers=headers_for(c, principal, row)).status_code
            problem = status_problem(row, principal, status)
            if problem:
                problems.append(problem)
    assert problems == []
    assert len(rows) * len(PRINCIPALS) > 6 * 20  # every row of the service was sent, for everyone
