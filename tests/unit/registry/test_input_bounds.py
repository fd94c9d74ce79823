"""Every list a caller sends is bounded (issue 19): an IKM names each need at most once."""

from __future__ import annotations

from typing import get_args

import pytest
from pydantic import ValidationError

from registry.schemas import IkmCreate, IkmUpdate, Need
from shared.errors import validation_errors
from tests.unit.registry.test_schemas import ikm

NEEDS = list(get_args(Need))


def test_every_need_at_once_is_accepted_and_one_more_is_refused() -> None:
    assert IkmCreate.model_validate(ikm(needs=NEEDS)).needs == NEEDS
    for model, body in ((IkmCreate, ikm(needs=[*NEEDS, "capital"])), (IkmUpdate, {"needs": [*NEEDS, "capital"]})):
        with pytest.raises(ValidationError) as caught:
            model.model_validate(body)
        assert [(e.field, e.message_en) for e in validation_errors(caught.value.errors())] == [
            ("needs", f"Too many items (at most {len(NEEDS)}).")]
