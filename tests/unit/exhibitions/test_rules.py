"""Booth rules: who may apply, which quota stops a booth, which booth is offered (DOMAIN.md)."""

from __future__ import annotations

import dataclasses
import itertools
import uuid
from datetime import date
from typing import Any

import pytest

from exhibitions.rules import (
    Applicant,
    BoothSlot,
    FairRules,
    booth_accepts,
    eligibility_problem,
    first_free_booth,
    quota_problem,
)

DEADLINE = date(2027, 2, 1)
_booth_ids = itertools.count(1)
SENTRA = uuid.uuid5(uuid.NAMESPACE_URL, "sentra/perak-celuk")

FAIR = FairRules(
    sectors=frozenset({"kriya", "fesyen", "kuliner"}),
    regency_codes=frozenset(),
    application_deadline=DEADLINE,
    status="open",
    regency_max_share=0.30,
    sentra_cap=5,
    booth_count=10,
)

CELUK_SILVERSMITH = Applicant(
    ikm_id=uuid.uuid4(), sector="kriya", regency_code="5104", sentra_id=SENTRA, needs_accessible_booth=False,
)


def fair(**changes: Any) -> FairRules:
    return dataclasses.replace(FAIR, **changes)


def applicant(**changes: Any) -> Applicant:
    return dataclasses.replace(CELUK_SILVERSMITH, **changes)


def booth(code: str, sectors: tuple[str, ...] = ("kriya",), accessible: bool = False) -> BoothSlot:
    return BoothSlot(booth_id=next(_booth_ids), code=code, sectors=frozenset(sectors), accessible=accessible)


# --- eligibility --------------------------------------------------------------------------------


def test_a_kriya_ikm_may_apply_to_an_open_kriya_fair_before_the_deadline() -> None:
    assert eligibility_problem(FAIR, CELUK_SILVERSMITH, date(2027, 1, 15)) is None


def test_an_ikm_may_still_apply_on_the_deadline_day() -> None:
    assert eligibility_problem(FAIR, CELUK_SILVERSMITH, DEADLINE) is None


def test_an_ikm_may_not_apply_the_day_after_the_deadline() -> None:
    problem = eligibility_problem(FAIR, CELUK_SILVERSMITH, date(2027, 2, 2))
    assert problem is not None
    assert problem[1] == "The application deadline has passed."


@pytest.mark.parametrize("status", ["draft", "closed", "published", "cancelled"])
def test_a_fair_that_is_not_open_takes_no_applications(status: str) -> None:
    problem = eligibility_problem(fair(status=status), CELUK_SILVERSMITH, date(2027, 1, 1))
    assert problem == ("Pameran tidak lagi menerima pendaftaran.", "The fair no longer accepts applications.")


def test_an_ikm_of_a_sector_outside_the_fair_may_not_apply() -> None:
    problem = eligibility_problem(FAIR, applicant(sector="musik"), date(2027, 1, 1))
    assert problem is not None
    assert "sector" in problem[1]


def test_an_empty_sector_list_admits_every_sector() -> None:
    assert eligibility_problem(fair(sectors=frozenset()), applicant(sector="musik"), date(2027, 1, 1)) is None


def test_an_ikm_of_a_regency_outside_the_fair_may_not_apply() -> None:
    denpasar_only = fair(regency_codes=frozenset({"5171"}))
    problem = eligibility_problem(denpasar_only, CELUK_SILVERSMITH, date(2027, 1, 1))
    assert problem is not None
    assert "regency" in problem[1]


def test_an_ikm_of_a_listed_regency_may_apply() -> None:
    gianyar_and_denpasar = fair(regency_codes=frozenset({"5104", "5171"}))
    assert eligibility_problem(gianyar_and_denpasar, CELUK_SILVERSMITH, date(2027, 1, 1)) is None


def test_an_empty_regency_list_admits_every_regency() -> None:
    assert eligibility_problem(FAIR, applicant(regency_code="1101"), date(2027, 1, 1)) is None


def test_every_eligibility_problem_is_worded_in_indonesian_and_english() -> None:
    closed = fair(status="closed")
    problem = eligibility_problem(closed, CELUK_SILVERSMITH, date(2027, 1, 1))
    assert problem is not None
    indonesian, english = problem
    assert indonesian and english and indonesian != english


# --- booths and zones ---------------------------------------------------------------------------


def test_a_booth_of_the_kriya_zone_accepts_kriya() -> None:
    assert booth_accepts(booth("A-01", ("kriya", "fesyen")), "kriya") is True


def test_a_booth_of_the_kuliner_zone_refuses_kriya() -> None:
    assert booth_accepts(booth("K-01", ("kuliner",)), "kriya") is False


def test_a_booth_without_a_sector_list_accepts_any_sector() -> None:
    assert booth_accepts(booth("X-01", ()), "musik") is True


# --- quotas -------------------------------------------------------------------------------------


def test_a_regency_below_its_maximum_share_may_take_another_booth() -> None:
    # 30 % of 10 booths: a regency may hold 3.
    assert quota_problem(FAIR, CELUK_SILVERSMITH, allocated_in_regency=2, allocated_in_sentra=0) is None


def test_a_regency_at_its_maximum_share_may_take_no_more() -> None:
    problem = quota_problem(FAIR, CELUK_SILVERSMITH, allocated_in_regency=3, allocated_in_sentra=0)
    assert problem is not None
    assert "3 booths" in problem[1]
    assert "30%" in problem[1]


@pytest.mark.parametrize(("share", "booths", "regency_max"), [
    (0.30, 3, 0),     # 0.9 rounds down: a maximum is never exceeded (DOMAIN.md)
    (0.30, 10, 3),    # exact: 3, not 2 despite floating point
    (0.30, 11, 3),    # 3.3 rounds down: not 4 of 11 under a "30 % maximum"
    (0.05, 10, 0),    # 0.5 rounds down
    (0.07, 100, 7),   # 0.07 * 100 is 7.000000000000001 in floating point: still 7
    (0.70, 10, 7),    # 0.7 * 10 is 6.999999999999999 in floating point: still 7
    (1.0, 7, 7),
    (0.0, 10, 0),
])
def test_the_regency_maximum_is_its_share_of_booths_rounded_down(share: float, booths: int, regency_max: int) -> None:
    rules = fair(regency_max_share=share, booth_count=booths, sentra_cap=None)
    if regency_max > 0:
        assert quota_problem(rules, CELUK_SILVERSMITH, regency_max - 1, 0) is None
    assert quota_problem(rules, CELUK_SILVERSMITH, regency_max, 0) is not None


def test_a_sentra_at_its_cap_may_take_no_more_booths() -> None:
    problem = quota_problem(FAIR, CELUK_SILVERSMITH, allocated_in_regency=0, allocated_in_sentra=5)
    assert problem is not None
    assert "sentra" in problem[1]
    assert "(5)" in problem[1]


def test_a_sentra_below_its_cap_may_take_another_booth() -> None:
    assert quota_problem(FAIR, CELUK_SILVERSMITH, allocated_in_regency=0, allocated_in_sentra=4) is None


def test_an_ikm_outside_any_sentra_is_not_held_by_the_sentra_cap() -> None:
    loner = applicant(sentra_id=None)
    assert quota_problem(FAIR, loner, allocated_in_regency=0, allocated_in_sentra=99) is None


def test_a_fair_without_a_sentra_cap_does_not_limit_sentra() -> None:
    assert quota_problem(fair(sentra_cap=None), CELUK_SILVERSMITH, 0, 99) is None


def test_the_regency_quota_is_named_before_the_sentra_cap() -> None:
    problem = quota_problem(FAIR, CELUK_SILVERSMITH, allocated_in_regency=3, allocated_in_sentra=5)
    assert problem is not None
    assert "regency" in problem[1]


# --- the first free booth -----------------------------------------------------------------------


def test_the_first_fitting_booth_by_code_is_offered() -> None:
    free = [booth("A-03"), booth("A-01"), booth("A-02")]
    chosen = first_free_booth(free, CELUK_SILVERSMITH)
    assert chosen is not None and chosen.code == "A-01"


def test_a_booth_of_another_zone_is_never_offered() -> None:
    free = [booth("A-01", ("kuliner",)), booth("B-01", ("kriya",))]
    chosen = first_free_booth(free, CELUK_SILVERSMITH)
    assert chosen is not None and chosen.code == "B-01"


def test_no_booth_is_offered_when_none_fits_the_sector() -> None:
    assert first_free_booth([booth("K-01", ("kuliner",)), booth("K-02", ("kuliner",))], CELUK_SILVERSMITH) is None


def test_no_booth_is_offered_when_none_is_free() -> None:
    assert first_free_booth([], CELUK_SILVERSMITH) is None


def test_an_owner_who_needs_an_accessible_booth_gets_one_first() -> None:
    free = [booth("A-01"), booth("A-02"), booth("A-09", accessible=True)]
    chosen = first_free_booth(free, applicant(needs_accessible_booth=True))
    assert chosen is not None and chosen.code == "A-09"


def test_an_owner_who_needs_an_accessible_booth_gets_another_when_none_is_accessible() -> None:
    free = [booth("A-02"), booth("A-01")]
    chosen = first_free_booth(free, applicant(needs_accessible_booth=True))
    assert chosen is not None and chosen.code == "A-01"


def test_accessible_booths_are_kept_back_from_those_who_do_not_need_them() -> None:
    free = [booth("A-01", accessible=True), booth("A-02")]
    chosen = first_free_booth(free, CELUK_SILVERSMITH)
    assert chosen is not None and chosen.code == "A-02"


def test_an_accessible_booth_goes_to_anyone_when_it_is_the_last_that_fits() -> None:
    free = [booth("A-01", accessible=True), booth("K-01", ("kuliner",))]
    chosen = first_free_booth(free, CELUK_SILVERSMITH)
    assert chosen is not None and chosen.code == "A-01"


def test_an_accessible_booth_of_another_zone_is_not_offered_to_an_owner_who_needs_one() -> None:
    free = [booth("K-01", ("kuliner",), accessible=True), booth("A-05")]
    chosen = first_free_booth(free, applicant(needs_accessible_booth=True))
    assert chosen is not None and chosen.code == "A-05"
