"""Entering registered IKM by hand, inviting every eligible one, and closing a fair (issue 18)."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from exhibitions import entries, service
from exhibitions.schemas import BoothCreate, ExhibitionCreate
from exhibitions.tables import Application, Exhibition
from shared.auth import Principal
from shared.db import session_scope
from shared.errors import ApiError
from shared.events import CurationDecidedV1, IkmRegisteredV1, ProductInfo, new_event

ORGANISER = Principal(username="komang", roles=frozenset({"organiser"}))
TODAY = date(2099, 1, 1)


def known(engine: Engine, sector: str = "kriya", outcome: str | None = None) -> uuid.UUID:
    """An IKM exhibitions learnt of from events before the fair existed; its product's decision if any."""
    reg = IkmRegisteredV1(ikm_id=uuid.uuid4(), nib=None, name=f"UD {sector}", sector=sector, regency_code="5104",
                          district_code="5104010", village_code="5104010007", workers=3,
                          products=[ProductInfo(product_id=uuid.uuid4(), name="Barang")])
    with session_scope(engine) as session:
        service.on_ikm_registered(session, new_event("ikm.registered", reg), reg, today=TODAY)
        if outcome is not None:
            payload = CurationDecidedV1(case_id=uuid.uuid4(), ikm_id=reg.ikm_id,
                                        product_id=reg.products[0].product_id, outcome=outcome)  # type: ignore[arg-type]
            service.on_curation_decided(session, new_event("curation.decided", payload), payload)
    return reg.ikm_id


def new_fair(engine: Engine, curated: bool = False, booths: int = 1) -> uuid.UUID:
    with session_scope(engine) as session:
        fair = service.create_exhibition(session, ExhibitionCreate(
            name="Pameran Baru", venue="Taman Budaya", starts_on=date(2099, 3, 1), ends_on=date(2099, 3, 7),
            application_deadline=date(2099, 2, 1), requires_curation=curated, sectors=["kriya"],
            newcomer_share=0), ORGANISER)
        service.add_booths(session, fair.id, [BoothCreate(code=f"A-{i:02d}", hall="H", zone="Kriya")
                                              for i in range(booths)])
        return fair.id


def statuses(engine: Engine, fair_id: uuid.UUID) -> dict[uuid.UUID, str]:
    with Session(engine) as session:
        return {a.ikm_id: a.status for a in session.exec(select(Application).where(
            Application.exhibition_id == fair_id))}


def test_one_registered_ikm_is_entered_by_id_once(engine: Engine) -> None:
    first, second, food = known(engine), known(engine), known(engine, "kuliner")
    fair_id = new_fair(engine)
    with session_scope(engine) as session:
        fair = service.get_exhibition(session, fair_id)
        application, new = entries.enter_ikm(session, fair, first, TODAY)
        assert new and application.status == "allocated"
        again, new = entries.enter_ikm(session, fair, first, TODAY)
        assert not new and again.id == application.id and again.status == "allocated"
        assert entries.enter_ikm(session, fair, second, TODAY)[0].status == "waitlisted"
        with pytest.raises(ApiError) as unknown:
            entries.enter_ikm(session, fair, uuid.uuid4(), TODAY)
        assert unknown.value.status == 422 and unknown.value.body.errors[0].field == "ikm_id"
        with pytest.raises(ApiError) as outside:
            entries.enter_ikm(session, fair, food, TODAY)
        assert outside.value.status == 422 and "sector" in outside.value.body.message_en
        with pytest.raises(ApiError) as late:
            entries.enter_ikm(session, fair, food, date(2099, 2, 2))
        assert late.value.status == 409
    assert statuses(engine, fair_id) == {first: "allocated", second: "waitlisted"}


def test_invitations_enter_every_eligible_ikm_by_sector_and_curation_standing(engine: Engine) -> None:
    approved, undecided, rejected = known(engine, outcome="approved"), known(engine), known(engine, outcome="rejected")
    food = known(engine, "kuliner", outcome="approved")
    fair_id = new_fair(engine, curated=True)
    with session_scope(engine) as session:
        result = entries.invite_eligible(session, service.get_exhibition(session, fair_id), TODAY)
    assert (result.entered, result.already, result.not_eligible) == (2, 0, 1)  # kuliner is filtered in SQL
    assert statuses(engine, fair_id) == {approved: "allocated", undecided: "pending_curation"}
    assert rejected not in statuses(engine, fair_id) and food not in statuses(engine, fair_id)
    with session_scope(engine) as session:  # idempotent
        result = entries.invite_eligible(session, service.get_exhibition(session, fair_id), TODAY)
    assert (result.entered, result.already, result.not_eligible) == (0, 2, 1)


def test_invitations_to_a_fair_without_curation_place_in_registration_order(engine: Engine) -> None:
    ikms = [known(engine) for _ in range(3)]
    fair_id = new_fair(engine, booths=2)
    with session_scope(engine) as session:
        result = entries.invite_eligible(session, service.get_exhibition(session, fair_id), TODAY)
    assert result.entered == 3
    assert statuses(engine, fair_id) == {ikms[0]: "allocated", ikms[1]: "allocated", ikms[2]: "waitlisted"}


def test_a_closed_fair_takes_no_applications_and_keeps_its_holds(engine: Engine) -> None:
    holder = known(engine)
    fair_id = new_fair(engine)
    with session_scope(engine) as session:
        fair = service.get_exhibition(session, fair_id)
        entries.enter_ikm(session, fair, holder, TODAY)
        entries.close_fair(session, fair)
        entries.close_fair(session, fair)  # closing twice changes nothing
        assert fair.status == "closed"
    later = known(engine)  # a registration after closing enters no closed fair
    with session_scope(engine) as session:
        fair = service.get_exhibition(session, fair_id)
        with pytest.raises(ApiError) as refused:
            entries.enter_ikm(session, fair, later, TODAY)
        assert refused.value.status == 409
        with pytest.raises(ApiError) as refused:
            entries.invite_eligible(session, fair, TODAY)
        assert refused.value.status == 409
        assert session.exec(select(Exhibition).where(Exhibition.status == "open")).all() == []
    assert statuses(engine, fair_id) == {holder: "allocated"}
