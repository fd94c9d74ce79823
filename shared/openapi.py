"""The error replies in each service's OpenAPI document (issue 19: schemathesis found none declared).

FastAPI declares only a route's success and a 422 in its own `HTTPValidationError` shape, which no
reply of ours has: every error is `shared.errors.ErrorBody`. `document_errors` rewrites the 422 to
`ErrorBody` and adds the statuses every route of a kind can answer, so a client (and the probe in
tests/integration/test_api_probe.py) can rely on the document:

- a route behind a token: 401 (no token, a bad or revoked one) and 403 (the roles do not allow it);
- a route with a path parameter: 404 (no such thing);
- a route with a body: 400 (a body that cannot be parsed at all), 413 (over the body limit,
  `shared.limits.BodyLimit`) and 422; an upload (a body that is not JSON) also 415, a file of a
  kind the route does not read;
- a route with parameters: 422;
- a write behind a token: 409 (a code already taken, a case already decided, a booth held).

A status only some routes answer (429 for sign-in throttling) is declared on the route with
`responses=errors(429, ...)`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from shared.errors import ErrorBody

REF = "#/components/schemas/ErrorBody"

WORDS: dict[int, str] = {
    400: "The body cannot be parsed (not JSON, not UTF-8, a broken form)",
    401: "No token, or one that does not verify or was revoked",
    403: "The caller's roles do not allow this",
    404: "No such resource",
    409: "Conflicts with what is stored",
    413: "The body is over the service's limit",
    415: "The upload is not of a kind this route reads",
    422: "A field is invalid: `errors` names each one",
    429: "Too many attempts: wait for `Retry-After` seconds",
}

WRITES = frozenset({"post", "put", "patch", "delete"})
_UNUSED_WHEN_REWRITTEN = ("HTTPValidationError", "ValidationError")


def error_reply(status: int) -> dict[str, Any]:
    return {"description": WORDS.get(status, "Error"), "content": {"application/json": {"schema": {"$ref": REF}}}}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route that answers these statuses beyond those every route of its kind has."""
    return {status: error_reply(status) for status in statuses}


def error_statuses(method: str, operation: dict[str, Any]) -> set[int]:
    """The error statuses any operation of this kind can answer (see the module's docstring)."""
    statuses: set[int] = set()
    parameters = operation.get("parameters") or []
    if operation.get("security"):
        statuses |= {401, 403}
    if any(p.get("in") == "path" for p in parameters):
        statuses.add(404)
    body = operation.get("requestBody")
    if body:
        statuses |= {400, 413, 422}
        if set(body.get("content", {})) - {"application/json"}:  # an upload: a file of another kind
            statuses.add(415)
    if method in WRITES and operation.get("security"):
        statuses.add(409)  # a write may meet what is stored: a taken code, a decided case
    if parameters:
        statuses.add(422)
    return statuses


def document_errors(schema: dict[str, Any]) -> dict[str, Any]:
    """`schema` (an OpenAPI document) with every operation's error replies declared as ErrorBody."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    body = ErrorBody.model_json_schema(ref_template="#/components/schemas/{model}")
    components.update(body.pop("$defs", {}))
    components["ErrorBody"] = body
    for operations in schema.get("paths", {}).values():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            for status in sorted(error_statuses(method, operation)):
                if str(status) not in responses or status == 422:  # FastAPI's own 422 has another shape
                    responses[str(status)] = error_reply(status)
    text = repr(schema.get("paths", {}))
    for name in _UNUSED_WHEN_REWRITTEN:
        if f"/{name}'" not in text:
            components.pop(name, None)
    return schema


def install(app: FastAPI) -> None:
    """Make `app.openapi()` return its document with the error replies declared."""
    generate: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document_errors(generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
