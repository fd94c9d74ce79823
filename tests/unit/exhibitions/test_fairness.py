"""The fairness report (issue 18): counts and shares against the rules and the applicant pool."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.engine import Engine

from exhibitions import entries, fairness, service
from exhibitions.fairness import Person, report
from exhibitions.schemas import BoothCreate, ExhibitionCreate
from exhibitions.shares import effective_counts
from shared.auth import Principal
from shared.db import session_scope
from shared.events import IkmRegisteredV1, ProductInfo, new_event

ORGANISER = Principal(username="komang", roles=frozenset({"organiser"}))


def person(regency: str, sector: str = "kriya", sentra: str | None = None, newcomer: bool = True,
           needs: bool = False, booth: bool | None = None) -> Person:
    return Person(regency, sector, sentra, newcomer, needs, booth)


def test_each_group_against_its_rule_and_the_pool() -> None:
    pool = [person("5101", booth=False, sentra="s"), person("5101", booth=True, needs=True, sentra="s"),
            person("5101", booth=False, newcomer=False), person("5102", "kuliner", booth=None),
            person("5103", booth=False, needs=True), person("5101", booth=None)]
    holders = [p for p in pool if p.accessible_booth is not None]
    counts = effective_counts(10, 0.1, 0.3, 0.5)  # min 1, max 3, newcomers 5
    got = report(holders, pool, counts, 1, frozenset(), 2, "run", None)
    regencies = {g.key: g for g in got.regencies}
    assert (regencies["5101"].count, regencies["5101"].applicants, regencies["5101"].max) == (3, 4, 3)
    assert regencies["5101"].share == 0.3 and regencies["5101"].applicant_share == round(4 / 6, 4)
    assert regencies["5101"].within  # at its maximum, not over it
    # 5102 has an applicant and a minimum of 1 but no booth: the report says so.
    assert regencies["5102"].count == 0 and regencies["5102"].min == 1 and not regencies["5102"].within
    assert {g.key: g.count for g in got.sectors} == {"kriya": 4, "kuliner": 0}
    (sentra,) = got.sentras
    assert (sentra.key, sentra.count, sentra.max, sentra.within) == ("s", 2, 1, False)  # over the cap
    assert (got.newcomers.count, got.newcomers.applicants, got.newcomers.min) == (3, 5, 5)
    assert not got.newcomers.within
    a = got.accessible
    assert (a.booths, a.held, a.held_by_owners_who_need_one, a.owners_who_need_one) == (2, 1, 1, 2)
    assert (a.owners_who_need_one_placed, a.owners_who_need_one_in_accessible_booth) == (2, 1)
    assert (got.allocated, got.applicants, got.effective.regency_max) == (4, 6, 3)


def test_a_minimum_is_met_when_every_applicant_of_the_group_holds_a_booth() -> None:
    pool = [person("5101", booth=False)]
    got = report(pool, pool, effective_counts(10, 0.2, 1.0, 0.0), None, frozenset({"5101", "5102"}), 0, "run", None)
    assert got.regencies[0].min == 2 and got.regencies[0].within


def test_a_run_and_the_published_fair_report_the_same(engine: Engine) -> None:
    with session_scope(engine) as session:
        for i in range(3):
            reg = IkmRegisteredV1(ikm_id=uuid.uuid4(), nib=None, name=f"UD {i}", sector="kriya",
                                  regency_code="5104" if i else "5171", district_code="5104010",
                                  village_code="5104010007", workers=3,
                                  products=[ProductInfo(product_id=uuid.uuid4(), name="Barang")])
            service.on_ikm_registered(session, new_event("ikm.registered", reg), reg, today=date(2099, 1, 1))
        fair = service.create_exhibition(session, ExhibitionCreate(
            name="Pameran", venue="Taman Budaya", starts_on=date(2099, 3, 1), ends_on=date(2099, 3, 7),
            application_deadline=date(2099, 2, 1), regency_max_share=0.5, newcomer_share=0), ORGANISER)
        service.add_booths(session, fair.id, [BoothCreate(code=f"A-{i}", hall="H", zone="Kriya", accessible=i == 0)
                                              for i in range(2)])
        entries.invite_eligible(session, fair, date(2099, 1, 1))
        run = service.create_run(session, fair, 7, ORGANISER, 10)
        of_run = fairness.for_run(session, fair, run)
        service.publish_run(session, fair, run, 14)
        of_fair = fairness.for_fair(session, fair)
    assert of_run.source == "run" and of_run.run_id == run.id and of_fair.source == "published"
    assert (of_run.allocated, of_run.applicants) == (2, 3)
    assert {g.key: g.count for g in of_run.regencies} == {"5104": 1, "5171": 1}  # 50 % of 2 booths: 1 each
    assert of_run.regencies == of_fair.regencies and of_run.sectors == of_fair.sectors
    assert of_run.accessible == of_fair.accessible and of_run.accessible.held == 1
