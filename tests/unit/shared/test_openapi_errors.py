"""Each service's OpenAPI document declares the error replies its routes give, in the one shape they
have (shared.errors.ErrorBody): found missing by schemathesis (issue 19), kept by shared.openapi."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from shared.openapi import REF, document_errors, error_statuses

SECURED = [{"HTTPBearer": []}]
PATH_ID = {"name": "ikm_id", "in": "path", "required": True, "schema": {"type": "string"}}


def test_a_read_behind_a_token_with_an_id_may_be_401_403_404_422() -> None:
    assert error_statuses("get", {"security": SECURED, "parameters": [PATH_ID]}) == {401, 403, 404, 422}


def test_an_open_route_without_input_declares_no_error() -> None:
    assert error_statuses("get", {}) == set()


def test_a_json_write_adds_400_409_413_422_and_an_upload_415() -> None:
    json_body = {"content": {"application/json": {}}}
    assert error_statuses("post", {"security": SECURED, "requestBody": json_body}) == {400, 401, 403, 409, 413, 422}
    upload = {"content": {"multipart/form-data": {}}}
    assert 415 in error_statuses("post", {"security": SECURED, "requestBody": upload})
    assert 409 not in error_statuses("post", {"requestBody": json_body})  # signing in stores nothing that clashes


def test_fastapis_422_is_replaced_and_a_routes_own_reply_kept() -> None:
    schema: dict[str, Any] = {
        "paths": {"/ikms/{ikm_id}": {"get": {"security": SECURED, "parameters": [PATH_ID], "responses": {
            "200": {"description": "ok"},
            "404": {"description": "own words", "content": {"application/json": {"schema": {"$ref": REF}}}},
            "422": {"description": "Validation Error", "content": {"application/json": {"schema": {
                "$ref": "#/components/schemas/HTTPValidationError"}}}}}}}},
        "components": {"schemas": {"HTTPValidationError": {}, "ValidationError": {}}},
    }
    responses = document_errors(schema)["paths"]["/ikms/{ikm_id}"]["get"]["responses"]
    assert responses["422"]["content"]["application/json"]["schema"] == {"$ref": REF}
    assert responses["404"]["description"] == "own words"
    assert set(responses) == {"200", "401", "403", "404", "422"}
    assert "HTTPValidationError" not in schema["components"]["schemas"]
    assert set(schema["components"]["schemas"]["ErrorBody"]["required"]) == {"code", "message", "message_en"}


def _document(service: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    # A configuration the services accept without a development flag; no server is started.
    monkeypatch.setenv("SENTRA_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SENTRA_SECRET_KEY", "openapi-test-key-" + "k" * 40)
    monkeypatch.setenv("SENTRA_PERSONAL_DATA_KEY", "openapi-test-personal-key-" + "p" * 40)
    monkeypatch.setenv("SENTRA_ADMIN_PASSWORD", "Kj7pQ2vZr9wX-openapi-test-8461")
    module = __import__(f"{service}.app", fromlist=["create_app"])
    document: dict[str, Any] = module.create_app().openapi()
    return document


@pytest.mark.parametrize("service", ["registry", "curation", "exhibitions"])
def test_every_error_reply_of_every_service_is_an_error_body(service: str, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    document = _document(service, tmp_path, monkeypatch)
    errors = 0
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for status, reply in operation["responses"].items():
                if status.startswith("4"):
                    errors += 1
                    assert reply["content"]["application/json"]["schema"] == {"$ref": REF}, (method, path, status)
            if operation.get("security"):
                assert {"401", "403"} <= set(operation["responses"]), (method, path)
    assert errors > 30
    assert "HTTPValidationError" not in document["components"]["schemas"]


# Replies that are not JSON, each documented with the type it is served as (schemathesis's
# content_type_conformance found each one documented as application/json).
SERVED_AS = [("registry", "/metrics", "text/plain"), ("registry", "/imports/template.csv", "text/csv"),
             ("curation", "/catalogue.jsonld", "application/ld+json")]


@pytest.mark.parametrize(("service", "path", "media_type"), SERVED_AS)
def test_a_reply_that_is_not_json_is_documented_as_what_it_is(service: str, path: str, media_type: str,
                                                             tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    document = _document(service, tmp_path, monkeypatch)
    assert media_type in document["paths"][path]["get"]["responses"]["200"]["content"]
