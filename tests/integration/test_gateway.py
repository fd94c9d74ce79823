"""The gateway's real nginx configuration in front of the services: prefixes, security headers on
the services' answers and on its own, and its body limit."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from shared.servers import free_port
from tests.support.cluster import Cluster
from tests.support.gateway import Gateway


@pytest.fixture
def gateway(cluster: Cluster, tmp_path: Path) -> Iterator[Gateway]:
    cluster.start()
    upstreams = {"registry:8001": f"127.0.0.1:{cluster['registry'].port}",
                 "curation:8002": f"127.0.0.1:{cluster['curation'].port}",
                 "exhibitions:8003": f"127.0.0.1:{cluster['exhibitions'].port}",
                 # Nothing listens there: the gateway answers for the console itself (502).
                 "console:8000": f"127.0.0.1:{free_port()}"}
    g = Gateway(tmp_path / "gateway", upstreams)
    g.start()
    yield g
    g.stop()


def test_the_gateway_routes_each_prefix_and_every_answer_has_the_security_headers(gateway: Gateway,
                                                                                   cluster: Cluster) -> None:
    token = cluster.token()
    for service in ("registry", "curation", "exhibitions"):
        r = httpx.get(f"{gateway.url}/{service}/readyz")
        assert r.status_code == 200 and r.json()["status"] == "ready", (service, r.text)
    r = httpx.get(f"{gateway.url}/registry/ikms", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200 and "items" in r.json()
    # Set once, by the service, not repeated by the gateway.
    assert r.headers.get_list("x-content-type-options") == ["nosniff"]
    assert r.headers.get_list("cache-control") == ["no-store"]
    # The gateway's own answers carry them too.
    own = httpx.get(f"{gateway.url}/nowhere")
    assert own.status_code == 502
    assert own.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in own.headers["content-security-policy"]
    assert httpx.get(f"{gateway.url}/registry/metrics").status_code == 404  # scraped inside only


def test_the_gateway_refuses_a_body_over_its_limit_before_the_service_sees_it(gateway: Gateway) -> None:
    r = httpx.post(f"{gateway.url}/registry/imports", content=b"x" * (30 * 1024 * 1024),
                   headers={"Content-Type": "text/csv"})
    assert r.status_code == 413
    assert r.headers["x-content-type-options"] == "nosniff"
