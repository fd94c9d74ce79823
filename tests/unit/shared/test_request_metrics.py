"""The request middleware: every reply carries a correlation id, every request is counted by route
and status, and log lines written while handling it carry its id."""

from __future__ import annotations

import logging

import pytest
from fastapi import FastAPI, HTTPException
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY

from shared.logs import current_correlation_id
from shared.web import RequestMetrics


def app() -> FastAPI:
    api = FastAPI()
    api.add_middleware(RequestMetrics)

    @api.get("/stan/{code}")
    def booth(code: str) -> dict[str, str | None]:
        if code == "X-99":
            raise HTTPException(404)
        logging.getLogger("sentra.test").info("booth %s", code)
        return {"code": code, "correlation": current_correlation_id()}

    return api


def requests(path: str, status: str) -> float:
    value = REGISTRY.get_sample_value("sentra_http_requests_total", {"method": "GET", "route": path,
                                                                     "status": status})
    return value or 0.0


def test_the_callers_correlation_id_is_used_and_returned() -> None:
    with TestClient(app()) as client:
        reply = client.get("/stan/A-01", headers={"x-correlation-id": "pameran-42"})
    assert reply.headers["x-correlation-id"] == "pameran-42"
    assert reply.json() == {"code": "A-01", "correlation": "pameran-42"}


def test_a_request_without_one_gets_a_new_id_per_request() -> None:
    with TestClient(app()) as client:
        first, second = client.get("/stan/A-01"), client.get("/stan/A-02")
    assert len(first.headers["x-correlation-id"]) == 32
    assert first.headers["x-correlation-id"] != second.headers["x-correlation-id"]


@pytest.mark.parametrize(("code", "status"), [("A-03", "200"), ("X-99", "404")])
def test_each_request_is_counted_by_route_template_and_status(code: str, status: str) -> None:
    before = requests("/stan/{code}", status)
    with TestClient(app()) as client:
        client.get(f"/stan/{code}")
    assert requests("/stan/{code}", status) == before + 1
