"""Placement between runs states the rule that decided (issue 18): no booth on the plan for the sector,
every such booth taken, the regency's maximum (floor of its share), in the batch path and one at a time."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from exhibitions import rules, service
from exhibitions.schemas import BoothCreate, ExhibitionCreate
from exhibitions.tables import Application
from shared.auth import Principal
from shared.db import session_scope
from shared.events import CurationDecidedV1, IkmRegisteredV1, ProductInfo, new_event

ORGANISER = Principal(username="komang", roles=frozenset({"organiser"}))


def test_no_free_booth_reason_tells_an_empty_plan_from_a_full_one() -> None:
    assert "No booth on the floor plan takes the sector kuliner" in rules.no_free_booth_reason(
        "kuliner", frozenset({"kriya"}))[1]
    assert "Every booth that takes the sector kriya is taken" in rules.no_free_booth_reason(
        "kriya", frozenset({"kriya"}))[1]
    assert "is taken" in rules.no_free_booth_reason("kuliner", None)[1]  # a booth open to every sector
    assert rules.no_free_booth_reason("kuliner", frozenset())[0].startswith("Tidak ada stan")


def reg(sector: str, regency: str = "5104") -> IkmRegisteredV1:
    return IkmRegisteredV1(ikm_id=uuid.uuid4(), nib=None, name="UD Uji", sector=sector, regency_code=regency,
                           district_code=regency + "010", village_code=regency + "010007", workers=3,
                           products=[ProductInfo(product_id=uuid.uuid4(), name="Barang")])


def fair(session: Session, curated: bool, booths: int, max_share: float = 1.0) -> uuid.UUID:
    f = service.create_exhibition(session, ExhibitionCreate(
        name="Pameran", venue="Taman Budaya", starts_on=date(2099, 3, 1), ends_on=date(2099, 3, 7),
        application_deadline=date(2099, 2, 1), requires_curation=curated, newcomer_share=0,
        regency_max_share=max_share), ORGANISER)
    service.add_booths(session, f.id, [BoothCreate(code=f"A-{i:02d}", hall="H", zone="Kriya", sectors=["kriya"])
                                       for i in range(booths)])
    return f.id


def reasons(engine: Engine, fair_id: uuid.UUID) -> dict[uuid.UUID, str]:
    with Session(engine) as session:
        return {a.ikm_id: a.reason_en for a in session.exec(
            select(Application).where(Application.exhibition_id == fair_id, Application.status == "waitlisted"))}


def enter(engine: Engine, curated: bool, regs: list[IkmRegisteredV1]) -> None:
    with session_scope(engine) as session:
        for r in regs:
            service.on_ikm_registered(session, new_event("ikm.registered", r), r, today=date(2099, 1, 1))
    if curated:  # one at a time, through `place`
        for r in regs:
            with session_scope(engine) as session:
                payload = CurationDecidedV1(case_id=uuid.uuid4(), ikm_id=r.ikm_id,
                                            product_id=r.products[0].product_id, outcome="approved")
                service.on_curation_decided(session, new_event("curation.decided", payload), payload)


def test_waitlist_reasons_name_the_rule_that_held(engine: Engine) -> None:
    for curated in (False, True):
        with session_scope(engine) as session:
            fair_id = fair(session, curated, booths=1)
        food, first, second = reg("kuliner"), reg("kriya"), reg("kriya")
        enter(engine, curated, [food, first, second])
        got = reasons(engine, fair_id)
        assert got[food.ikm_id] == "No booth on the floor plan takes the sector kuliner.", curated
        assert got[second.ikm_id] == "Every booth that takes the sector kriya is taken.", curated

        # 30 % of 4 booths is 1 booth at most (floor), not 2: the second IKM of the regency waits.
        with session_scope(engine) as session:
            fair_id = fair(session, curated, booths=4, max_share=0.3)
        one, two = reg("kriya", "5171"), reg("kriya", "5171")
        enter(engine, curated, [one, two])
        got = reasons(engine, fair_id)
        assert list(got) == [two.ikm_id] and "quota is full (1 booths" in got[two.ikm_id], (curated, got)
