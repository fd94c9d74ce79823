"""Numbers too large for the database are a 422 naming the field, never a 500 (issue 19, point 10): the
probe's offsets and integers of 2^63, on SQLite and PostgreSQL (whose INTEGER columns hold 32 bits)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.integration.test_curation import add_curator, fields_of
from tests.integration.test_flow import open_fair, setup_people
from tests.support.cluster import SERVICES, Cluster
from tests.support.data import booth_body, fair_body, ikm_body

HUGE = 2**63


def _fill(path: str) -> str:
    """A path with every parameter filled: ids with a UUID, anything else with a word."""
    parts = []
    for part in path.split("/"):
        if part.startswith("{") and part.endswith("}"):
            part = str(uuid.uuid4()) if part[1:-1].endswith("_id") else "x"
        parts.append(part)
    return "/".join(parts)


def integer_queries(c: Cluster, service: str) -> list[tuple[str, str, str]]:
    """(method, path, parameter) for every integer query or path parameter the service declares."""
    document = c.call(service, "GET", "/openapi.json").json()
    found = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema", {})
                types = {schema.get("type")} | {s.get("type") for s in schema.get("anyOf", [])}
                if "integer" in types:
                    found.append((method.upper(), path, parameter["name"]))
    return found


@pytest.mark.postgres
def test_numbers_past_what_the_database_holds_are_refused_by_name(any_db_cluster: Cluster) -> None:
    c = any_db_cluster
    c.start()
    setup_people(c, curators=0)
    kurator = add_curator(c, "kurator1", ["kriya"])

    # Every integer in a query or a path, as each service's own OpenAPI document declares them.
    swept = 0
    for service in SERVICES:
        for method, path, name in integer_queries(c, service):
            r = c.call(service, method, _fill(path), params={name: HUGE})
            assert r.status_code == 422 and fields_of(r) == [name], (service, method, path, r.text)
            swept += 1
    assert swept >= 7  # the lists of all three services (ikms, imports, sentra, cases, audit, fairs, applications)

    # The largest offset allowed reaches the database and gives an empty page.
    for service, path in (("registry", "/ikms"), ("curation", "/cases"), ("exhibitions", "/exhibitions")):
        r = c.call(service, "GET", path, user="admin", params={"offset": 2**31 - 1})
        assert r.status_code == 200 and r.json()["items"] == [], (service, r.text)

    # Integers in bodies: the fields the probe reached, and PostgreSQL's 32-bit columns.
    fair_id = open_fair(c, booths=2)
    bodies: list[tuple[str, str, str, Any, list[str]]] = [
        ("registry", "POST", "/ikms", ikm_body(products=1) | {"products": [{"name": "Cincin", "price_idr": HUGE}]},
         ["products.0.price_idr"]),
        ("registry", "POST", "/ikms", ikm_body(products=1) | {"products": [{"name": "Cincin", "price_idr": 2**31}]},
         ["products.0.price_idr"]),
        ("registry", "POST", "/ikms", ikm_body(products=1) | {
            "products": [{"name": "Cincin", "monthly_capacity": HUGE}]}, ["products.0.monthly_capacity"]),
        ("registry", "POST", "/ikms", ikm_body(products=1, workers=HUGE), ["workers"]),
        ("registry", "POST", "/ikms", ikm_body(products=1, investment_idr=HUGE), ["investment_idr"]),
        ("exhibitions", "POST", "/exhibitions", fair_body(sentra_cap=HUGE), ["sentra_cap"]),
        ("exhibitions", "POST", f"/exhibitions/{fair_id}/booths", [booth_body("Z-01", price_idr=HUGE)],
         ["0.price_idr"]),
        ("exhibitions", "POST", f"/exhibitions/{fair_id}/booths", [booth_body("Z-01", power_w=HUGE)],
         ["0.power_w"]),
        ("exhibitions", "POST", f"/exhibitions/{fair_id}/allocation-runs", {"seed": HUGE}, ["seed"]),
        ("exhibitions", "POST", f"/exhibitions/{fair_id}/booths/A-01/split", {"parts": HUGE}, ["parts"]),
        ("exhibitions", "POST", f"/exhibitions/{fair_id}/booths/A-01/split", {"codes": None}, ["codes"]),
        ("curation", "PATCH", f"/curators/{kurator['id']}", {"max_open_cases": HUGE}, ["max_open_cases"]),
    ]
    for service, method, path, body, fields in bodies:
        user = "komang.panitia" if service == "exhibitions" else "wayan.registrar" if service == "registry" else "admin"
        r = c.call(service, method, path, user=user, json=body)
        assert r.status_code == 422 and fields_of(r) == fields, (path, body, r.text)

    # JSON's Infinity is a number Python reads; a coordinate refuses it rather than failing the reply.
    r = c.call("exhibitions", "POST", f"/exhibitions/{fair_id}/booths", user="komang.panitia",
               content=b'[{"code": "Z-02", "hall": "A", "zone": "Kriya", "x": Infinity}]',
               headers={"content-type": "application/json"})
    assert r.status_code == 422 and fields_of(r) == ["0.x"], r.text
