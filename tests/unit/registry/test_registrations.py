"""`service.register_ikms`, the batch behind POST /ikms (group commit): each request gets the outcome
it would get alone, in order, and nothing of a refused request is written."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from registry import service
from registry.schemas import IkmCreate
from registry.tables import Ikm, OutboxEvent, Product
from shared.auth import Principal
from shared.db import session_scope
from shared.errors import ApiError
from tests.support.data import ikm_body

REGISTRAR = Principal(username="wayan.registrar", roles=frozenset({"registrar"}))


def request(**overrides: Any) -> tuple[IkmCreate, Principal]:
    return IkmCreate.model_validate(ikm_body(**overrides)), REGISTRAR


def count(engine: Engine, table: Any) -> int:
    with Session(engine) as session:
        return int(session.exec(select(func.count()).select_from(table)).one())


def test_a_batch_gives_each_request_its_own_outcome_and_writes_only_the_good_ones(engine: Engine) -> None:
    with session_scope(engine) as session:
        existing = service.register_ikm(session, *request(nib="9120300000001"))

    batch = [
        request(name="UD Baik"),
        request(nib="9120300000001"),                    # registered before
        request(nib="9120300000002", name="UD Pertama"),
        request(nib="9120300000002", name="UD Kedua"),   # the same NIB earlier in this batch
        request(village_code="5171010001"),              # a Denpasar village in a Gianyar district
        request(sentra_id=str(uuid.uuid4())),            # no such sentra
    ]
    with session_scope(engine) as session:
        outcomes = service.register_ikms(session, batch)

    assert isinstance(outcomes[0], uuid.UUID) and isinstance(outcomes[2], uuid.UUID)
    refused = {i: o for i, o in enumerate(outcomes) if isinstance(o, ApiError)}
    assert {i: o.status for i, o in refused.items()} == {1: 409, 3: 409, 4: 422, 5: 422}
    assert [e.field for e in refused[1].body.errors] == ["nib"]
    assert [e.field for e in refused[3].body.errors] == ["nib"]
    assert [e.field for e in refused[4].body.errors] == ["village_code"]
    assert [e.field for e in refused[5].body.errors] == ["sentra_id"]

    with Session(engine) as session:
        names = set(session.exec(select(Ikm.name)).all())
    assert names == {"UD Perak Sari Singapadu", "UD Baik", "UD Pertama"}
    assert count(engine, Ikm) == 3 and count(engine, Product) == 6
    assert count(engine, OutboxEvent) == 3  # one ikm.registered per IKM written
    assert existing not in outcomes


def test_register_ikm_raises_what_the_batch_would_return(engine: Engine) -> None:
    with session_scope(engine) as session:
        service.register_ikm(session, *request(nib="9120300000009"))
    with pytest.raises(ApiError) as caught, session_scope(engine) as session:
        service.register_ikm(session, *request(nib="9120300000009"))
    assert caught.value.status == 409
    assert count(engine, Ikm) == 1
