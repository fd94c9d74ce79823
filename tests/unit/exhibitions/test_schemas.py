"""What an organiser may enter when setting up a fair (SPEC.md, Core resources: exhibitions)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from exhibitions.schemas import BoothCreate, ExhibitionCreate

# The fair of SPEC.md, as an organiser enters it.
SPEC_FAIR: dict[str, Any] = {
    "name": "Pameran IKM Bali Bangkit 2027 Tahap I", "venue": "Taman Budaya Bali, Ksirarnawa",
    "starts_on": "2027-03-01", "ends_on": "2027-05-31", "application_deadline": "2027-02-01",
    "requires_curation": True, "sectors": ["kriya", "fesyen", "kuliner"], "regency_codes": [],
    "regency_min_share": 0.05, "regency_max_share": 0.30, "sentra_cap": 5, "newcomer_share": 0.3,
}
OPENING_DAY = date(2027, 3, 1)


def fair(**changes: Any) -> dict[str, Any]:
    return SPEC_FAIR | changes


def only_error(body: dict[str, Any]) -> dict[str, Any]:
    with pytest.raises(ValidationError) as caught:
        ExhibitionCreate.model_validate(body)
    errors = caught.value.errors()
    assert len(errors) == 1, errors
    return dict(errors[0])


def test_the_fair_of_the_spec_is_accepted() -> None:
    created = ExhibitionCreate.model_validate(SPEC_FAIR)
    assert created.sectors == ["kriya", "fesyen", "kuliner"]
    assert created.regency_codes == []
    assert created.sentra_cap == 5


def test_a_one_day_fair_is_accepted() -> None:
    assert ExhibitionCreate.model_validate(fair(ends_on="2027-03-01")).ends_on == OPENING_DAY


def test_a_fair_that_ends_before_it_starts_is_refused() -> None:
    error = only_error(fair(ends_on="2027-02-28"))
    assert error["type"] == "sentra"
    assert "ends_on" in error["msg"]
    assert "end date" in error["ctx"]["en"]


def test_an_application_deadline_on_the_opening_day_is_accepted() -> None:
    created = ExhibitionCreate.model_validate(fair(application_deadline="2027-03-01"))
    assert created.application_deadline == OPENING_DAY


def test_an_application_deadline_after_the_opening_day_is_refused() -> None:
    error = only_error(fair(application_deadline="2027-03-02"))
    assert error["type"] == "sentra"
    assert "deadline" in error["ctx"]["en"]


def test_a_regency_minimum_share_above_the_maximum_is_refused() -> None:
    error = only_error(fair(regency_min_share=0.4, regency_max_share=0.3))
    assert error["type"] == "sentra"
    assert "minimum share exceeds the maximum" in error["ctx"]["en"]


def test_equal_regency_minimum_and_maximum_shares_are_accepted() -> None:
    created = ExhibitionCreate.model_validate(fair(regency_min_share=0.2, regency_max_share=0.2))
    assert created.regency_min_share == created.regency_max_share == 0.2


@pytest.mark.parametrize("field", ["regency_min_share", "regency_max_share", "newcomer_share"])
def test_a_share_above_one_is_refused(field: str) -> None:
    error = only_error(fair(**{field: 1.5}))
    assert error["loc"] == (field,)
    assert error["type"] == "less_than_equal"


def test_a_negative_share_is_refused() -> None:
    assert only_error(fair(newcomer_share=-0.1))["type"] == "greater_than_equal"


def test_a_sentra_cap_of_zero_is_refused() -> None:
    assert only_error(fair(sentra_cap=0))["loc"] == ("sentra_cap",)


def test_a_fair_without_a_sentra_cap_is_accepted() -> None:
    assert ExhibitionCreate.model_validate(fair(sentra_cap=None)).sentra_cap is None


@pytest.mark.parametrize("code", ["51", "51041", "Gianyar"])
def test_a_regency_code_that_is_not_four_digits_is_refused(code: str) -> None:
    error = only_error(fair(regency_codes=["5171", code]))
    assert error["loc"] == ("regency_codes", 1)


def test_an_unknown_sector_is_refused() -> None:
    assert only_error(fair(sectors=["kerajinan"]))["type"] == "literal_error"


def test_field_errors_are_reported_before_the_cross_field_checks_run() -> None:
    # A wrong share and a wrong date order: the share is named; the date rule waits for valid fields.
    error = only_error(fair(newcomer_share=2, ends_on="2027-01-01"))
    assert error["loc"] == ("newcomer_share",)


def test_a_booth_defaults_to_a_standard_3_by_3_stand_with_450_watts() -> None:
    booth = BoothCreate.model_validate({"code": "A-01", "hall": "Ksirarnawa", "zone": "Kriya"})
    assert (booth.width_m, booth.depth_m, booth.kind, booth.power_w) == (3, 3, "standard", 450)


def test_a_booth_of_an_unknown_kind_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        BoothCreate.model_validate({"code": "A-01", "hall": "Ksirarnawa", "zone": "Kriya", "kind": "tent"})
    assert caught.value.errors()[0]["loc"] == ("kind",)
