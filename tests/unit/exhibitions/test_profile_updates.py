"""`ikm.updated`: exhibitions' profile of an IKM follows the register, in order, whatever the arrival order."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from exhibitions import service
from exhibitions.tables import IkmProfile
from shared.db import session_scope
from shared.events import IkmRegisteredV1, IkmUpdatedV1, new_event


def registered(engine: Engine) -> IkmRegisteredV1:
    payload = IkmRegisteredV1(ikm_id=uuid.uuid4(), nib=None, name="UD Perak", sector="kriya", regency_code="5104",
                              district_code="5104010", village_code="5104010007", workers=4, products=[])
    with session_scope(engine) as session:
        service.on_ikm_registered(session, new_event("ikm.registered", payload), payload, today=date(2099, 1, 1))
    return payload


def update(engine: Engine, ikm_id: uuid.UUID, changed: dict[str, object], sector: str, regency: str,
           sentra_id: uuid.UUID | None = None, shift: timedelta = timedelta()) -> None:
    payload = IkmUpdatedV1(ikm_id=ikm_id, changed=changed, sector=sector, regency_code=regency, sentra_id=sentra_id)
    envelope = new_event("ikm.updated", payload)
    envelope = envelope.model_copy(update={"occurred_at": envelope.occurred_at + shift})
    with session_scope(engine) as session:
        service.on_ikm_updated(session, envelope, payload)


def profile(engine: Engine, ikm_id: uuid.UUID) -> IkmProfile:
    with Session(engine) as session:
        found = session.get(IkmProfile, ikm_id)
        assert found is not None
        return found


def test_the_profile_takes_the_new_name_sector_regency_sentra_and_accessibility_need(engine: Engine) -> None:
    reg = registered(engine)
    sentra = uuid.uuid4()
    update(engine, reg.ikm_id, {"name": "UD Perak Sari Jaya", "sector": "fesyen", "needs_accessible_booth": True,
                                "workers": 9}, sector="fesyen", regency="5171", sentra_id=sentra)
    p = profile(engine, reg.ikm_id)
    assert (p.name, p.sector, p.regency_code, p.sentra_id, p.needs_accessible_booth) == (
        "UD Perak Sari Jaya", "fesyen", "5171", sentra, True)
    assert p.updated_at is not None


def test_an_older_update_arriving_late_changes_nothing(engine: Engine) -> None:
    reg = registered(engine)
    update(engine, reg.ikm_id, {"sector": "fesyen"}, sector="fesyen", regency="5104")
    update(engine, reg.ikm_id, {"sector": "kuliner"}, sector="kuliner", regency="5104", shift=-timedelta(minutes=5))
    assert profile(engine, reg.ikm_id).sector == "fesyen"


def test_an_update_that_overtakes_its_registration_is_retried_not_lost(engine: Engine) -> None:
    ikm_id = uuid.uuid4()
    with pytest.raises(service.IkmNotKnownYet):
        update(engine, ikm_id, {"sector": "fesyen"}, sector="fesyen", regency="5104")
    with Session(engine) as session:
        assert session.get(IkmProfile, ikm_id) is None  # nothing half-written; the entry stays pending
