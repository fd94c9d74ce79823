"""`sentra status` against running services: readiness, streams, groups, dead letters, and an exit
status a monitoring check can use."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import redis

from tests.support.cluster import Cluster, eventually
from tests.support.data import ikm_body


def status(c: Cluster, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "REGISTRY_URL": c["registry"].url, "CURATION_URL": c["curation"].url,
           "EXHIBITIONS_URL": c["exhibitions"].url, "REDIS_URL": c.redis_url}
    return subprocess.run([sys.executable, "-m", "shared.cli", "status", *args], env=env, capture_output=True,
                          text=True, timeout=60, check=False)


def test_sentra_status_reports_every_service_and_stream_and_fails_on_a_dead_letter(cluster: Cluster) -> None:
    c = cluster
    c.start()
    c.create_user("wayan.registrar", ["registrar"])
    assert c.call("registry", "POST", "/ikms", user="wayan.registrar", json=ikm_body()).status_code == 201
    eventually(lambda: c.call("curation", "GET", "/cases").json()["total"] == 2, what="a case per product")

    def settled() -> dict[str, object] | None:
        done = status(c, "--json")
        report = json.loads(done.stdout)
        groups = {g["name"]: g for s in report["streams"] if s["name"] == "ikm.registered" for g in s["groups"]}
        return report if done.returncode == 0 and groups.get("curation", {}).get("pending") == 0 else None

    report = eventually(settled, timeout=30, what="status settles")
    assert {s["name"]: (s["ready"], s["role"]) for s in report["services"]} == {  # type: ignore[index,union-attr]
        "registry": (True, "all"), "curation": (True, "all"), "exhibitions": (True, "all")}
    registered = next(s for s in report["streams"] if s["name"] == "ikm.registered")  # type: ignore[union-attr]
    assert registered["length"] == 1 and registered["dead_letters"] == 0
    assert {g["name"] for g in registered["groups"]} == {"curation", "exhibitions"}
    assert report["problems"] == []  # type: ignore[index]

    client = redis.Redis.from_url(c.redis_url)
    client.xadd("ikm.registered.dlq", {"error": "planted by the test"})
    client.close()
    done = status(c)
    assert done.returncode == 1
    assert "ikm.registered: 1 dead letters" in done.stdout
    assert "ikm.registered" in done.stdout and "curation" in done.stdout  # the table an operator reads

    c["curation"].stop()
    down = status(c, "--json", "--max-dead-letters", "5")
    assert down.returncode == 1
    assert any(p.startswith("curation: not ready") for p in json.loads(down.stdout)["problems"])
