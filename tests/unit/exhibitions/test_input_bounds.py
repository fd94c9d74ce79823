"""Every list a caller sends is bounded (issue 19): a floor plan as JSON takes no more booths than one
as CSV, and a fair's or a booth's lists no more entries than there are sectors or regencies."""

from __future__ import annotations

from typing import Annotated

import pytest
from pydantic import Field, TypeAdapter, ValidationError

from exhibitions.floorplan_csv import MAX_ROWS
from exhibitions.schemas import MAX_BOOTHS, BoothCreate, ExhibitionCreate
from shared.domain import SECTORS
from shared.errors import validation_errors
from shared.limits import items_at_most
from tests.support.data import fair_body

# How the route declares its body (routes/exhibitions.py).
FloorPlan = TypeAdapter(Annotated[list[BoothCreate], items_at_most(MAX_BOOTHS), Field(max_length=MAX_BOOTHS)])


def test_a_json_floor_plan_takes_as_many_booths_as_a_csv_one_and_no_more() -> None:
    assert MAX_BOOTHS == MAX_ROWS
    assert len(FloorPlan.validate_python([{"code": f"B-{i}", "hall": "H", "zone": "Z"} for i in range(MAX_BOOTHS)]
                                         )) == MAX_BOOTHS
    with pytest.raises(ValidationError) as caught:
        FloorPlan.validate_python([{"code": f"B-{i}", "hall": "H", "zone": "Z"} for i in range(MAX_BOOTHS + 1)])
    [error] = validation_errors(caught.value.errors())
    assert (error.message, error.message_en) == ("Terlalu banyak isian (paling banyak 5000).",
                                                 "Too many items (at most 5000).")


def test_a_booth_names_each_sector_at_most_once() -> None:
    BoothCreate.model_validate({"code": "A-01", "hall": "H", "zone": "Z", "sectors": list(SECTORS)})
    with pytest.raises(ValidationError):
        BoothCreate.model_validate({"code": "A-01", "hall": "H", "zone": "Z", "sectors": [*SECTORS, SECTORS[0]]})


@pytest.mark.parametrize(("field", "too_many"), [("sectors", [*SECTORS, SECTORS[0]]),
                                                 ("regency_codes", ["5104"] * 1001)])
def test_a_fairs_lists_are_bounded(field: str, too_many: list[str]) -> None:
    with pytest.raises(ValidationError) as caught:
        ExhibitionCreate.model_validate(fair_body(**{field: too_many}))
    assert [e.field for e in validation_errors(caught.value.errors())] == [field]
