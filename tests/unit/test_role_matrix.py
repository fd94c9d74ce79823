"""The role matrix of docs/security.md against the apps' routes: a route with no row, or a row with no
route, fails here (issue 19). The HTTP side is tests/integration/test_role_matrix.py."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from fastapi import APIRouter, FastAPI

from tests.support.role_matrix import (
    SERVICES,
    SOME_ID,
    MatrixError,
    concrete_path,
    coverage_problems,
    operations_of,
    parse_matrix,
    read_matrix,
    rows_for,
    status_problem,
)

HEAD = ("| method | path | registrar | curator | organiser | operator | admin | anonymous | notes |\n"
        "|---|---|---|---|---|---|---|---|---|\n")


def table(section: str, *lines: str) -> str:
    return f"## Role matrix\n\n### {section}\n\n{HEAD}" + "".join(line + "\n" for line in lines)


def test_a_row_reads_as_the_principals_it_lets_through_with_its_section_and_note() -> None:
    text = table("registry", "| GET | `/ikms` | yes | no | yes | no | yes | no | organiser: masked |")
    (row,) = parse_matrix(text + "\n## Adding a route\n\n| GET | `/not-a-row` | x |\n")
    assert (row.section, row.method, row.path, row.note) == ("registry", "GET", "/ikms", "organiser: masked")
    assert row.allowed == {"registrar", "organiser", "admin"}


@pytest.mark.parametrize(("line", "words"), [
    ("| GET | `/ikms` | yes | no | maybe | no | yes | no | |", "yes or no"),
    ("| GET | `/ikms` | yes | no | yes | no | yes | |", "cells"),
    ("| FETCH | `/ikms` | yes | no | yes | no | yes | no | |", "method"),
    ("| GET | `/ikms` | yes | no | yes | no | yes | yes | |", "open to every role"),
])
def test_a_row_that_cannot_be_read_names_its_line(line: str, words: str) -> None:
    with pytest.raises(MatrixError, match=words) as caught:
        parse_matrix(table("registry", line))
    assert "docs/security.md:" in str(caught.value)


def test_two_rows_for_one_operation_and_a_changed_header_are_refused() -> None:
    row = "| GET | `/ikms` | yes | no | yes | no | yes | no | |"
    with pytest.raises(MatrixError, match="two rows"):
        parse_matrix(table("registry", row, row))
    with pytest.raises(MatrixError, match="header"):
        parse_matrix(table("registry").replace("| curator | organiser |", "| organiser | curator |"))


def test_coverage_names_a_route_with_no_row_and_a_row_with_no_route() -> None:
    router = APIRouter()
    router.add_api_route("/things/{code:path}/split", lambda: None, methods=["POST"])
    router.add_api_route("/things", lambda: None, methods=["GET"])
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    app.include_router(router)
    assert operations_of(app) == {("POST", "/things/{code}/split"), ("GET", "/things")}
    rows = parse_matrix(table("registry", "| GET | `/things` | yes | no | no | no | yes | no | |",
                                    "| DELETE | `/things` | yes | no | no | no | yes | no | |"))
    assert coverage_problems(rows, operations_of(app)) == [
        "POST /things/{code}/split: a route with no row in docs/security.md",
        "DELETE /things: a row in docs/security.md with no route"]


def test_the_status_each_principal_must_get() -> None:
    (row,) = parse_matrix(table("registry", "| GET | `/ikms` | yes | no | yes | no | yes | no | |"))
    assert status_problem(row, "registrar", 200) is None
    assert status_problem(row, "registrar", 404) is None  # allowed: made-up ids are not found
    assert status_problem(row, "organiser", 403) == "GET /ikms (registry): organiser is allowed but got 403"
    assert status_problem(row, "curator", 403) is None
    assert status_problem(row, "curator", 200) == "GET /ikms (registry): curator is forbidden and must get 403, got 200"
    assert status_problem(row, "anonymous", 401) is None
    assert status_problem(row, "anonymous", 403) is not None


def test_a_path_is_filled_with_a_made_up_id_or_code() -> None:
    assert concrete_path("/exhibitions/{exhibition_id}/booths/{code}/split") == \
        f"/exhibitions/{SOME_ID}/booths/A-01/split"


def test_the_document_holds_a_row_for_every_service_and_admin_passes_every_row() -> None:
    rows = read_matrix()
    assert {r.section for r in rows} == {"every service", *SERVICES}
    assert all("admin" in r.allowed for r in rows)
    assert len(rows_for(rows, "registry")) > 20


@pytest.mark.parametrize("service", SERVICES)
def test_every_route_of_the_app_has_a_row_and_every_row_a_route(service: str, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    # Building the app opens no connection; development mode keeps the settings check to a warning.
    monkeypatch.setenv("SENTRA_DEV_MODE", "true")
    monkeypatch.setenv("SENTRA_DATA_DIR", str(tmp_path))
    app = importlib.import_module(f"{service}.app").create_app()
    assert coverage_problems(rows_for(read_matrix(), service), operations_of(app)) == []
