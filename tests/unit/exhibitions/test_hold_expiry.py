"""Holds not confirmed by their deadline are released and the waitlist moves up (service logic on a real
SQLite file, without HTTP or Redis)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from exhibitions import service
from exhibitions.schemas import BoothCreate, ExhibitionCreate
from exhibitions.tables import Application
from shared.auth import Principal
from shared.db import session_scope
from shared.events import IkmRegisteredV1, new_event, utcnow
from shared.outbox import OutboxEvent

ORGANISER = Principal(username="komang", roles=frozenset({"organiser"}))


def setup_fair(engine: Engine, booths: int) -> uuid.UUID:
    with session_scope(engine) as session:
        fair = service.create_exhibition(session, ExhibitionCreate(
            name="Pameran", venue="Taman Budaya", starts_on=date(2099, 3, 1), ends_on=date(2099, 3, 7),
            application_deadline=date(2099, 2, 1)), ORGANISER)
        service.add_booths(session, fair.id, [BoothCreate(code=f"A-0{i + 1}", hall="H", zone="Kriya",
                                                          sectors=["kriya"]) for i in range(booths)])
        return fair.id


def register(engine: Engine, name: str) -> uuid.UUID:
    payload = IkmRegisteredV1(ikm_id=uuid.uuid4(), nib=None, name=name, sector="kriya", regency_code="5104",
                              district_code="5104010", village_code="5104010007", workers=4, products=[])
    with session_scope(engine) as session:
        service.on_ikm_registered(session, new_event("ikm.registered", payload), payload, today=date(2099, 1, 1))
    return payload.ikm_id


def apps(engine: Engine) -> dict[uuid.UUID, Application]:
    with Session(engine) as session:
        return {a.ikm_id: a for a in session.exec(select(Application)).all()}


def set_deadline(engine: Engine, ikm_id: uuid.UUID, days: int) -> None:
    with session_scope(engine) as session:
        a = session.exec(select(Application).where(Application.ikm_id == ikm_id)).one()
        a.confirm_by = utcnow() + timedelta(days=days)
        session.add(a)


def test_an_unconfirmed_hold_past_its_deadline_is_released_and_the_waitlist_moves_up(engine: Engine) -> None:
    fair_id = setup_fair(engine, booths=2)
    late, confirmed, waiting = register(engine, "UD Telat"), register(engine, "UD Tepat"), register(engine, "UD Antre")
    before = apps(engine)
    assert before[late].status == before[confirmed].status == "allocated" and before[waiting].status == "waitlisted"
    set_deadline(engine, late, -1)
    set_deadline(engine, confirmed, -1)
    with session_scope(engine) as session:
        service.confirm_hold(session, service.get_exhibition(session, fair_id, lock=True), confirmed)
    with session_scope(engine) as session:
        released = service.release_unconfirmed(session, utcnow())
        assert [a.ikm_id for a in released] == [late]
    after = apps(engine)
    assert after[late].status == "withdrawn" and after[late].booth_id is None
    assert "tidak dikonfirmasi" in after[late].reason and "not confirmed" in after[late].reason_en
    assert after[confirmed].status == "allocated" and after[confirmed].booth_id == before[confirmed].booth_id
    assert after[waiting].status == "allocated" and after[waiting].booth_id == before[late].booth_id
    with Session(engine) as session:
        kinds = [e.event_type for e in session.exec(select(OutboxEvent)).all()]
    assert "exhibition.booth_released" in kinds
    with session_scope(engine) as session:  # a second pass finds nothing more to do
        assert service.release_unconfirmed(session, utcnow()) == []


def test_a_hold_before_its_deadline_or_without_one_stays(engine: Engine) -> None:
    setup_fair(engine, booths=2)
    soon, open_ended = register(engine, "UD Nanti"), register(engine, "UD Bebas")
    set_deadline(engine, soon, 1)
    with session_scope(engine) as session:
        assert service.release_unconfirmed(session, utcnow()) == []
    assert {a.status for a in apps(engine).values()} == {"allocated"}
    assert apps(engine)[open_ended].confirm_by is None
