"""Every number a request may carry is bounded (issue 19, point 10): an integer above what the database
holds, or a float with no bound (JSON's Infinity), fails inside the driver or the reply, a 500. Read
from each service's own OpenAPI document, so a new route or field without a bound fails here."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from pydantic import ValidationError

from shared.bounds import DB_INT_MAX, fits_db_int


def test_fits_db_int_at_its_edges() -> None:
    assert fits_db_int(DB_INT_MAX) and fits_db_int(-DB_INT_MAX - 1) and fits_db_int(0)
    assert not fits_db_int(DB_INT_MAX + 1) and not fits_db_int(-DB_INT_MAX - 2) and not fits_db_int(2**63)


def _apps() -> dict[str, Callable[[], FastAPI]]:
    from curation.app import create_app as curation
    from exhibitions.app import create_app as exhibitions
    from registry.app import create_app as registry
    return {"registry": registry, "curation": curation, "exhibitions": exhibitions}


@pytest.fixture(params=["registry", "curation", "exhibitions"])
def service_openapi(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    # Only the app's OpenAPI document is read: no server starts, so the development flag will do for
    # whatever keys and passwords a start-up would ask for.
    monkeypatch.setenv("SENTRA_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SENTRA_DEV_MODE", "true")
    document: dict[str, Any] = _apps()[request.param]().openapi()
    return document


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if ref is None:
        return schema
    found: dict[str, Any] = document["components"]["schemas"][ref.rsplit("/", 1)[1]]
    return found


def _numbers(document: dict[str, Any], schema: dict[str, Any], where: str,
             seen: set[str]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every integer and number schema reachable from `schema`, with a dotted path to it."""
    ref = schema.get("$ref")
    if ref is not None:
        if ref in seen:
            return
        seen = seen | {ref}
    schema = _resolve(document, schema)
    if schema.get("type") in ("integer", "number"):
        yield where, schema
    for key in ("anyOf", "oneOf", "allOf"):
        for option in schema.get(key, []):
            yield from _numbers(document, option, where, seen)
    for name, sub in schema.get("properties", {}).items():
        yield from _numbers(document, sub, f"{where}.{name}", seen)
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            yield from _numbers(document, schema[key], f"{where}[]", seen)


def _request_numbers(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            here = f"{method.upper()} {path}"
            for parameter in operation.get("parameters", []):
                yield from _numbers(document, parameter.get("schema", {}), f"{here} {parameter['name']}", set())
            for content in operation.get("requestBody", {}).get("content", {}).values():
                yield from _numbers(document, content.get("schema", {}), f"{here} body", set())


# Amounts stored in BIGINT columns (an industri menengah invests up to Rp 15 bn): 64 bits, not 32.
BIGINT_FIELDS = frozenset({"investment_idr", "annual_sales_idr"})


def test_the_wider_amounts_are_bigint_columns() -> None:
    from sqlalchemy import BigInteger

    from registry.tables import Ikm

    for name in BIGINT_FIELDS:
        assert isinstance(Ikm.__table__.c[name].type, BigInteger), name  # type: ignore[attr-defined]


def test_every_number_a_request_carries_has_a_bound_the_database_holds(service_openapi: dict[str, Any]) -> None:
    found = list(_request_numbers(service_openapi))
    unbounded = []
    for where, s in found:
        most = 2**63 - 1 if where.rsplit(".", 1)[-1] in BIGINT_FIELDS else DB_INT_MAX
        if (min(s.get("maximum", float("inf")), s.get("exclusiveMaximum", float("inf"))) > most
                or max(s.get("minimum", float("-inf")), s.get("exclusiveMinimum", float("-inf"))) < -most - 1):
            unbounded.append(where)
    assert unbounded == []
    assert found  # the walk reaches the numbers: every service has a list with an offset


def test_the_probes_numbers_are_refused_by_the_schemas() -> None:
    from curation.schemas import CuratorUpdate
    from exhibitions.schemas import BoothCreate, ExhibitionCreate, SplitRequest
    from registry.schemas import ProductCreate

    cases: list[tuple[Any, dict[str, Any], tuple[Any, ...]]] = [
        (BoothCreate, {"code": "A-01", "hall": "A", "zone": "Kriya", "price_idr": 2**63}, ("price_idr",)),
        (BoothCreate, {"code": "A-01", "hall": "A", "zone": "Kriya", "power_w": 2**63}, ("power_w",)),
        (BoothCreate, {"code": "A-01", "hall": "A", "zone": "Kriya", "x": float("inf")}, ("x",)),
        (ExhibitionCreate, {"name": "Pameran", "venue": "Art Centre", "starts_on": "2027-06-01",
                            "ends_on": "2027-06-05", "application_deadline": "2027-05-01", "sentra_cap": 2**63},
         ("sentra_cap",)),
        (ProductCreate, {"name": "Tas anyaman", "price_idr": 2**31}, ("price_idr",)),
        (ProductCreate, {"name": "Tas anyaman", "monthly_capacity": 2**63}, ("monthly_capacity",)),
        (CuratorUpdate, {"max_open_cases": 2**63}, ("max_open_cases",)),
        (SplitRequest, {"codes": None}, ("codes",)),
    ]
    for model, body, loc in cases:
        with pytest.raises(ValidationError) as err:
            model.model_validate(body)
        assert [e["loc"] for e in err.value.errors()] == [loc], (model, body)


def test_a_split_without_codes_still_takes_the_usual_ones() -> None:
    from exhibitions.schemas import SplitRequest

    assert SplitRequest.model_validate({"parts": 2}).codes is None
    assert SplitRequest.model_validate({"codes": ["A-01a", "A-01b"]}).codes == ["A-01a", "A-01b"]
