"""schemathesis over the three services' OpenAPI documents, against the services as real processes
on Redis and SQLite, with valid tokens (issue 19). No reply may be a server error (5xx), and none may
break the service's own document: a status it does not declare, a body that does not match the
declared schema, a content type it does not declare.

The run is seeded (SEED) so the same cases are sent every time. Path parameters take a real id of
the seeded data about half the time and a generated one otherwise, so both the found and the
not-found paths are probed. The operations left out, and why, are in EXCLUDED (and in
docs/security.md, "Probing in CI"). A failure prints schemathesis's own account: each failing case
with its `curl` line."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import fresh_redis_db
from tests.support.cluster import Cluster, eventually
from tests.support.data import booth_body, fair_body, ikm_body

SEED = 20261204
EXAMPLES = 20  # per operation and phase; the coverage phase adds its own boundary cases
CHECKS = "not_a_server_error,status_code_conformance,response_schema_conformance,content_type_conformance"
REGISTRAR = ("probe.registrar", "Probe-registrar-8vKq2Lw")
REAL_ID_PROBABILITY = 0.5

# Operations whose effect would end the run itself: each is covered by its own integration tests.
EXCLUDED: dict[str, dict[str, str]] = {
    "registry": {
        "POST /auth/logout": "revokes the token the run is using (tests/integration/test_security_auth.py)",
        "POST /users/me/password": "a changed password revokes the run's token (test_security_auth.py)",
        "PATCH /users/{username}": "could deactivate the admin or take its roles mid-run (test_security_auth.py)",
    },
    "curation": {},
    "exhibitions": {},
}

# (service, role): the runs, each a schemathesis process.
RUNS = (("registry", "admin"), ("registry", "registrar"), ("curation", "admin"), ("exhibitions", "admin"))


def _seed(c: Cluster) -> dict[str, dict[str, list[Any]]]:
    """Data for the probe to find: IKM with products, a sentra, curators and their cases, a fair with
    booths, applications and an allocation run. Returns each service's path parameter values."""
    for i in range(3):
        c.call("curation", "POST", "/curators", json={"username": f"probe.kurator{i}", "full_name": f"Kurator {i}",
                                                      "sectors": ["kriya"]}).raise_for_status()
    fair = c.call("exhibitions", "POST", "/exhibitions", json=fair_body(sentra_cap=None)).raise_for_status().json()
    codes = ["A-01", "A-02", "A-03", "B-01"]
    c.call("exhibitions", "POST", f"/exhibitions/{fair['id']}/booths",
           json=[booth_body(code, x=3 * i) for i, code in enumerate(codes)]).raise_for_status()
    ikms = [c.call("registry", "POST", "/ikms", json=ikm_body(name=f"UD Perak Probe {i}")).raise_for_status().json()
            for i in range(3)]
    sentra = c.call("registry", "POST", "/sentra", json={"name": "Sentra Perak Celuk", "sector": "kriya",
                                                         "regency_code": "5104"}).raise_for_status().json()
    ikm_ids = [ikm["id"] for ikm in ikms]
    product_ids = [p["id"] for i in ikm_ids
                   for p in c.call("registry", "GET", f"/ikms/{i}").raise_for_status().json()["products"]]

    def applied() -> bool:
        r = c.call("exhibitions", "GET", f"/exhibitions/{fair['id']}/applications").raise_for_status()
        return len(r.json()["items"]) == len(ikm_ids)

    def cases() -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = c.call("curation", "GET", "/cases").raise_for_status().json()["items"]
        return items if len(items) >= len(product_ids) else []

    eventually(applied, timeout=120, what="the seeded IKM applied to the fair")
    case_ids = [case["id"] for case in eventually(cases, timeout=120, what="a case per seeded product")]
    run = c.call("exhibitions", "POST", f"/exhibitions/{fair['id']}/allocation-runs",
                 json={"seed": 7}).raise_for_status().json()
    curators = c.call("curation", "GET", "/curators").raise_for_status().json()
    curator_items = curators["items"] if isinstance(curators, dict) else curators
    return {
        "registry": {"ikm_id": ikm_ids, "product_id": product_ids, "sentra_id": [sentra["id"]],
                     "code": ["51", "5104", "5104010", "5104010007"]},
        "curation": {"case_id": case_ids, "curator_id": [cur["id"] for cur in curator_items], "version": [1]},
        "exhibitions": {"exhibition_id": [fair["id"]], "code": codes, "ikm_id": ikm_ids, "run_id": [run["id"]]},
    }


def _config(values: dict[str, list[Any]]) -> str:
    """schemathesis.toml: each seeded value list a dictionary, bound to its path parameter."""
    lines = [f"seed = {SEED}", "[parameters]"]
    for name in values:
        lines.append(f'"path.{name}" = {{ dictionary = "{name}", probability = {REAL_ID_PROBABILITY} }}')
    for name, items in values.items():
        lines += [f"[dictionaries.{name}]", f"values = {json.dumps(items)}"]
    return "\n".join(lines) + "\n"


def probe(c: Cluster, service: str, token: str, values: dict[str, list[Any]], where: Path) -> dict[str, Any]:
    """One schemathesis run over `service` with `token`; its JSON report."""
    where.mkdir(parents=True, exist_ok=True)
    config = where / "schemathesis.toml"
    config.write_text(_config(values))
    command = [sys.executable, "-m", "schemathesis.cli", "--config-file", str(config), "run",
               f"{c[service].url}/openapi.json", "-H", f"Authorization: Bearer {token}", "--checks", CHECKS,
               "--max-examples", str(EXAMPLES), "--seed", str(SEED), "--workers", "1", "--no-color",
               "--generation-database", "none", "--request-timeout", "30", "--suppress-health-check", "all",
               "--report", "json", "--report-json-path", str(where / "report.json")]
    command += _exclusions(c, service)
    done = subprocess.run(command, capture_output=True, text=True, timeout=500, check=False)
    (where / "output.txt").write_text(done.stdout + done.stderr)
    report: dict[str, Any] = json.loads((where / "report.json").read_text())
    report["output"] = done.stdout[-20000:] + done.stderr[-4000:]
    return report


def _exclusions(c: Cluster, service: str) -> list[str]:
    """`--exclude-operation-id` for each excluded operation (an id names one method and path)."""
    document = httpx.get(f"{c[service].url}/openapi.json", timeout=30).raise_for_status().json()
    args: list[str] = []
    for operation in EXCLUDED[service]:
        method, path = operation.split(" ", 1)
        args += ["--exclude-operation-id", document["paths"][path][method.lower()]["operationId"]]
    return args


@pytest.fixture(scope="module")
def probe_cluster(tmp_path_factory: pytest.TempPathFactory, redis_server: str) -> Iterator[tuple[Cluster, Any]]:
    c = Cluster(Path(tmp_path_factory.mktemp("api-probe")), fresh_redis_db(redis_server))
    try:
        c.start()
        c.create_user(REGISTRAR[0], ["registrar"], password=REGISTRAR[1])
        yield c, _seed(c)
    finally:
        c.stop()


@pytest.mark.timeout(600)  # the first run also starts and seeds the cluster
@pytest.mark.parametrize(("service", "role"), RUNS, ids=[f"{s}-{r}" for s, r in RUNS])
def test_no_server_error_and_no_reply_outside_the_document(service: str, role: str,
                                                           probe_cluster: tuple[Cluster, Any],
                                                           tmp_path: Path) -> None:
    c, values = probe_cluster
    token = c.token() if role == "admin" else c.token(*REGISTRAR)
    report = probe(c, service, token, values[service], tmp_path)
    print(f"{service} as {role}: {report['operations']} {report['test_cases']}")
    assert report["failures"] == [] and report["errors"] == [], report["output"]
    assert report["complete"] and report["operations"]["errored"] == 0, report["output"]
    assert report["operations"]["tested"] == report["operations"]["selected"] > 10
    assert report["operations"]["selected"] == report["operations"]["total"] - len(EXCLUDED[service])
    assert report["test_cases"]["generated"] >= 25 * report["operations"]["tested"]
