"""How curation decisions move applications to curated fairs (service logic on a real SQLite file,
without HTTP or Redis)."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from exhibitions import service
from exhibitions.schemas import BoothCreate, ExhibitionCreate
from exhibitions.tables import Application
from shared.auth import Principal
from shared.db import session_scope
from shared.events import CurationDecidedV1, Envelope, IkmRegisteredV1, ProductInfo, new_event

ORGANISER = Principal(username="komang", roles=frozenset({"organiser"}))


def curated_fair(engine: Engine) -> uuid.UUID:
    with session_scope(engine) as session:
        fair = service.create_exhibition(session, ExhibitionCreate(
            name="Pameran Kurasi", venue="Taman Budaya", starts_on=date(2099, 3, 1), ends_on=date(2099, 3, 7),
            application_deadline=date(2099, 2, 1), requires_curation=True), ORGANISER)
        service.add_booths(session, fair.id, [BoothCreate(code="A-01", hall="H", zone="Kriya", sectors=["kriya"])])
        return fair.id


def registration(products: int) -> tuple[Envelope, IkmRegisteredV1]:
    payload = IkmRegisteredV1(
        ikm_id=uuid.uuid4(), nib=None, name="UD Perak", sector="kriya", regency_code="5104",
        district_code="5104010", village_code="5104010007", workers=4,
        products=[ProductInfo(product_id=uuid.uuid4(), name=f"Produk {i}") for i in range(products)])
    return new_event("ikm.registered", payload), payload


def decide(engine: Engine, reg: IkmRegisteredV1, product: int, outcome: str, expired: bool = False) -> None:
    payload = CurationDecidedV1(case_id=uuid.uuid4(), ikm_id=reg.ikm_id, product_id=reg.products[product].product_id,
                                outcome=outcome, expired=expired)  # type: ignore[arg-type]
    with session_scope(engine) as session:
        service.on_curation_decided(session, new_event("curation.decided", payload), payload)


def register(engine: Engine, envelope: Envelope, payload: IkmRegisteredV1) -> None:
    with session_scope(engine) as session:
        service.on_ikm_registered(session, envelope, payload, today=date(2099, 1, 1))


def application(engine: Engine) -> Application:
    with Session(engine) as session:
        found = session.exec(select(Application)).one()
        return found


def test_one_rejected_product_does_not_decline_while_another_is_still_under_review(engine: Engine) -> None:
    curated_fair(engine)
    envelope, reg = registration(products=2)
    register(engine, envelope, reg)
    assert application(engine).status == "pending_curation"
    decide(engine, reg, 0, "rejected")
    assert application(engine).status == "pending_curation"
    decide(engine, reg, 1, "approved")
    assert application(engine).status == "allocated" and application(engine).booth_id is not None


def test_when_every_product_is_rejected_the_application_is_declined(engine: Engine) -> None:
    curated_fair(engine)
    envelope, reg = registration(products=2)
    register(engine, envelope, reg)
    decide(engine, reg, 0, "needs_improvement")
    decide(engine, reg, 1, "rejected")
    found = application(engine)
    assert found.status == "declined" and "kurasi" in found.reason


def test_an_expired_approval_releases_the_booth(engine: Engine) -> None:
    curated_fair(engine)
    envelope, reg = registration(products=1)
    register(engine, envelope, reg)
    decide(engine, reg, 0, "approved")
    assert application(engine).status == "allocated"
    decide(engine, reg, 0, "approved", expired=True)
    found = application(engine)
    assert found.status == "declined" and found.booth_id is None
    assert "berlaku" in found.reason and "expired" in found.reason_en


def test_a_decision_that_arrives_before_the_registration_is_applied_when_it_comes(engine: Engine) -> None:
    curated_fair(engine)
    envelope, reg = registration(products=1)
    decide(engine, reg, 0, "approved_with_conditions")  # the curation stream ran ahead
    register(engine, envelope, reg)
    assert application(engine).status == "allocated"
