"""Placement inside one consumer batch (one session, ADR 0012): the free booths read once for the
batch must follow every booth the batch takes and every booth it releases."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import date

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from exhibitions import service
from exhibitions.schemas import BoothCreate, ExhibitionCreate
from exhibitions.tables import Application, Booth
from shared.auth import Principal
from shared.db import session_scope
from shared.events import CurationDecidedV1, IkmRegisteredV1, ProductInfo, new_event

ORGANISER = Principal(username="komang", roles=frozenset({"organiser"}))


def curated_fair_with_two_booths(engine: Engine) -> None:
    with session_scope(engine) as session:
        fair = service.create_exhibition(session, ExhibitionCreate(
            name="Pameran Kurasi", venue="Taman Budaya", starts_on=date(2099, 3, 1), ends_on=date(2099, 3, 7),
            application_deadline=date(2099, 2, 1), requires_curation=True, newcomer_share=0), ORGANISER)
        service.add_booths(session, fair.id, [BoothCreate(code=c, hall="H", zone="Kriya", sectors=["kriya"])
                                              for c in ("A-01", "A-02")])


def registration(i: int) -> IkmRegisteredV1:
    return IkmRegisteredV1(ikm_id=uuid.uuid4(), nib=None, name=f"UD Perak {i}", sector="kriya", regency_code="5104",
                           district_code="5104010", village_code="5104010007", workers=4,
                           products=[ProductInfo(product_id=uuid.uuid4(), name="Cincin")])


def decided(session: Session, reg: IkmRegisteredV1, outcome: str, expired: bool = False) -> None:
    payload = CurationDecidedV1(case_id=uuid.uuid4(), ikm_id=reg.ikm_id, product_id=reg.products[0].product_id,
                                outcome=outcome, expired=expired)  # type: ignore[arg-type]
    service.on_curation_decided(session, new_event("curation.decided", payload), payload)


def test_one_batch_places_on_distinct_booths_and_reuses_a_booth_it_released(engine: Engine) -> None:
    curated_fair_with_two_booths(engine)
    regs = [registration(i) for i in range(3)]
    with session_scope(engine) as session:  # one batch: registrations, approvals, then an expiry
        for reg in regs:
            service.on_ikm_registered(session, new_event("ikm.registered", reg), reg, today=date(2099, 1, 1))
        for reg in regs:
            decided(session, reg, "approved")
        held = {a.ikm_id: a.booth_id for a in session.exec(select(Application)).all()}
        assert held[regs[0].ikm_id] is not None and held[regs[1].ikm_id] is not None
        assert held[regs[0].ikm_id] != held[regs[1].ikm_id] and held[regs[2].ikm_id] is None
        decided(session, regs[0], "approved", expired=True)  # releases A-01: the waitlist moves up

    with Session(engine) as session:
        apps = {a.ikm_id: a for a in session.exec(select(Application)).all()}
    assert apps[regs[0].ikm_id].status == "declined" and apps[regs[0].ikm_id].booth_id is None
    assert apps[regs[2].ikm_id].status == "allocated"
    assert apps[regs[2].ikm_id].booth_id == held[regs[0].ikm_id]
    assert apps[regs[1].ikm_id].booth_id == held[regs[1].ikm_id]


def test_a_hold_placed_by_an_event_must_be_confirmed_within_the_fairs_days(engine: Engine) -> None:
    with session_scope(engine) as session:
        fairs = []
        for days in (7, 0, None):  # None: a fair created before fairs had their own confirm_days
            fair = service.create_exhibition(session, ExhibitionCreate(
                name=f"Pameran {days}", venue="Taman Budaya", starts_on=date(2099, 3, 1), ends_on=date(2099, 3, 7),
                application_deadline=date(2099, 2, 1), newcomer_share=0, confirm_days=days), ORGANISER)
            service.add_booths(session, fair.id, [BoothCreate(code="A-01", hall="H", zone="Kriya", sectors=["kriya"])])
            fairs.append((fair.id, days))
    reg = registration(0)
    with session_scope(engine) as session:
        service.on_ikm_registered(session, new_event("ikm.registered", reg), reg, today=date(2099, 1, 1))
    with Session(engine) as session:
        apps = {a.exhibition_id: a for a in session.exec(select(Application)).all()}
    for fair_id, days in fairs:
        app = apps[fair_id]
        assert app.status == "allocated"
        if days:
            assert app.confirm_by is not None
            assert abs((app.confirm_by - app.updated_at).total_seconds() - days * 86400) < 5
        else:
            assert app.confirm_by is None


def test_a_batch_placed_in_memory_decides_as_place_does_one_application_at_a_time(engine: Engine) -> None:
    """Every rule that placement weighs, in one batch (`BatchPlacement`) and one application at a time
    (`place`, reached through curation decisions at a curated twin of the fair): the same booth,
    rank and reason for every IKM."""
    rules_ = {"regency_max_share": 0.4, "sentra_cap": 2, "newcomer_share": 0.5}
    booths = [BoothCreate(code=f"A-{i:02d}", hall="H", zone="Kriya", sectors=["kriya"], accessible=i % 5 == 0)
              for i in range(16)] + [BoothCreate(code=f"K-{i:02d}", hall="H", zone="Kuliner", sectors=["kuliner"])
                                     for i in range(6)]
    with session_scope(engine) as session:
        fair_ids = {}
        for curated in (False, True):
            fair = service.create_exhibition(session, ExhibitionCreate(
                name=f"Pameran {curated}", venue="Taman Budaya", starts_on=date(2099, 3, 1),
                ends_on=date(2099, 3, 7), application_deadline=date(2099, 2, 1), requires_curation=curated,
                **rules_), ORGANISER)
            service.add_booths(session, fair.id, booths)
            fair_ids[curated] = fair.id
        past = service.create_exhibition(session, ExhibitionCreate(
            name="Pameran lalu", venue="Taman Budaya", starts_on=date(2098, 3, 1), ends_on=date(2098, 3, 7),
            application_deadline=date(2098, 2, 1)), ORGANISER)
    sentra = [uuid.uuid4(), uuid.uuid4(), None, None, None]
    regs = [IkmRegisteredV1(ikm_id=uuid.uuid4(), nib=None, name=f"UD {i}", sector=("kriya", "kuliner", "fesyen")[i % 3],
                            regency_code=("5104", "5106", "5171")[i % 4 % 3], district_code="5104010",
                            village_code="5104010007", workers=3, sentra_id=sentra[i % 5],
                            needs_accessible_booth=i % 7 == 0,
                            products=[ProductInfo(product_id=uuid.uuid4(), name="Produk")]) for i in range(60)]
    with session_scope(engine) as session:
        for reg in regs[::3]:  # a third exhibited at this organiser's earlier fair: not newcomers
            service.record_exhibitor(session, service.get_exhibition(session, past.id), reg.ikm_id, "checkin")
    with session_scope(engine) as session:
        service.on_ikm_registrations(session, [(new_event("ikm.registered", r), r) for r in regs],
                                     today=date(2099, 1, 1))
    for reg in regs:
        with session_scope(engine) as session:
            decided(session, reg, "approved")

    with Session(engine) as session:
        codes = {b.id: b.code for b in session.exec(select(Booth)).all()}
        got = {(a.exhibition_id, a.ikm_id): (a.status, codes.get(a.booth_id or 0), a.waitlist_rank, a.reason)
               for a in session.exec(select(Application)).all()}
    batch = [got[(fair_ids[False], r.ikm_id)] for r in regs]
    one_by_one = [got[(fair_ids[True], r.ikm_id)] for r in regs]
    assert batch == one_by_one
    statuses = Counter(s for s, *_ in batch)
    assert statuses["allocated"] >= 6 and statuses["waitlisted"] >= 6  # both sides of every rule ran
    reasons = " ".join(r for *_, r in batch)
    assert "sentra" in reasons and "pendatang baru" in reasons and "Kuota kabupaten" in reasons


def test_booths_added_after_placement_began_are_offered_in_code_order(engine: Engine) -> None:
    """The booth catalogue kept between batches learns booths added since it was read."""
    with session_scope(engine) as session:
        fair = service.create_exhibition(session, ExhibitionCreate(
            name="Pameran", venue="Taman Budaya", starts_on=date(2099, 3, 1), ends_on=date(2099, 3, 7),
            application_deadline=date(2099, 2, 1)), ORGANISER)
        service.add_booths(session, fair.id, [BoothCreate(code="B-01", hall="H", zone="Kriya", sectors=["kriya"])])
    first, second, third = (registration(i) for i in range(3))
    with session_scope(engine) as session:
        service.on_ikm_registrations(session, [(new_event("ikm.registered", first), first)], today=date(2099, 1, 1))
    with session_scope(engine) as session:
        service.add_booths(session, fair.id, [BoothCreate(code=c, hall="H", zone="Kriya", sectors=["kriya"])
                                              for c in ("C-01", "A-01")])
    with session_scope(engine) as session:
        service.on_ikm_registrations(session, [(new_event("ikm.registered", r), r) for r in (second, third)],
                                     today=date(2099, 1, 1))
    with Session(engine) as session:
        codes = {b.id: b.code for b in session.exec(select(Booth)).all()}
        held = {a.ikm_id: codes.get(a.booth_id or 0) for a in session.exec(select(Application)).all()}
    assert held == {first.ikm_id: "B-01", second.ikm_id: "A-01", third.ikm_id: "C-01"}
