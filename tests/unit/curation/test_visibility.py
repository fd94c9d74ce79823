"""Who sees which cases, sheets and audit details, and who may change a case cap (issue 19, points 3 and
8, and "curators are scoped to their own cases"). Pure rules: no HTTP or database."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from pydantic import ValidationError

from curation.rules import (
    INDEPENDENT_STATUSES,
    MAX_CASE_CAP,
    OPEN_STATUSES,
    audit_details_for,
    cap_change_allowed,
    case_scope,
    oversees_curation,
    sheet_visible,
)
from curation.schemas import CuratorCreate, CuratorUpdate

ALL_STATUSES = ("open", "in_review", "panel", "decided", "appealed", "expired")
SCORED = {"stage": 0, "total": 86.5, "failed_gates": ["legal"]}


@pytest.mark.parametrize("roles", [{"registrar"}, {"organiser"}, {"admin"}, {"curator", "registrar"}])
def test_overseers_see_every_case(roles: set[str]) -> None:
    assert oversees_curation(frozenset(roles))
    assert case_scope(frozenset(roles), "someone", uuid.uuid4(), False).everything


def test_a_curator_is_scoped_to_their_profile_and_a_chair_flag_needs_one() -> None:
    me = uuid.uuid4()
    scope = case_scope(frozenset({"curator"}), "kurator1", me, False)
    assert (scope.everything, scope.curator_id, scope.chair) == (False, me, False)
    assert case_scope(frozenset({"curator"}), "ketua", me, True).chair
    nobody = case_scope(frozenset({"curator"}), "not.a.curator", None, True)
    assert (nobody.everything, nobody.curator_id, nobody.chair) == (False, None, False)
    assert not oversees_curation(frozenset({"curator", "operator"}))


@pytest.mark.parametrize("status", ALL_STATUSES)
def test_a_sheet_is_hidden_from_other_curators_exactly_while_they_score_independently(status: str) -> None:
    independent = status in INDEPENDENT_STATUSES
    assert sheet_visible("kurator1", False, status, "kurator2") is not independent
    assert sheet_visible("kurator1", False, status, None) is not independent
    assert sheet_visible("kurator1", False, status, "kurator1")  # one's own, always
    assert sheet_visible("wayan.registrar", True, status, "kurator2")  # an overseer, always


def test_the_statuses_where_sheets_are_hidden_are_open_ones_before_the_panel() -> None:
    assert set(INDEPENDENT_STATUSES) == set(OPEN_STATUSES) - {"panel"}


@pytest.mark.parametrize(("action", "details", "hidden"), [
    ("scored", SCORED, {"total", "failed_gates"}),
    ("corrected", {"stage": 0, "version": 2, "previous_total": 70.0, "total": 80.0}, {"previous_total", "total"}),
    ("sent_to_panel", {"total": 75.0, "disagreements": {"quality": [2, 4]}}, {"total", "disagreements"}),
])
def test_the_audit_leaves_out_what_the_case_view_hides(action: str, details: dict[str, Any],
                                                       hidden: set[str]) -> None:
    shown = audit_details_for("kurator1", False, "in_review", "kurator2", action, details)
    assert not hidden & set(shown)
    assert {k: v for k, v in details.items() if k not in hidden} == shown
    # The same step in a case at the panel, or to an overseer, is shown whole.
    assert audit_details_for("kurator1", False, "panel", "kurator2", action, details) == details
    assert audit_details_for("wayan.registrar", True, "in_review", "kurator2", action, details) == details


def test_a_curator_sees_their_own_step_whole_but_not_the_disagreements_of_all() -> None:
    assert audit_details_for("kurator1", False, "appealed", "kurator1", "scored", SCORED) == SCORED
    panel = {"total": 75.0, "disagreements": {"quality": [2, 4]}}
    assert audit_details_for("kurator1", False, "in_review", "kurator1", "sent_to_panel", panel) == {}


def test_steps_that_record_no_sheet_are_shown_whole() -> None:
    for action, details in (("assigned", {"curator": "kurator2", "stage": 0}),
                            ("decided", {"outcome": "approved", "grade": "A", "total": 85.0}),
                            ("conflict", {"reason": "family"})):
        assert audit_details_for("kurator1", False, "appealed", "system", action, details) == details


@pytest.mark.parametrize(("is_admin", "current", "new", "allowed"), [
    (False, 40, 10_000, False),  # the probe: a curator raising their own cap to pull in every case
    (False, 40, 41, False),
    (False, 40, 40, True),
    (False, 40, 5, True),  # a curator may lower their own
    (True, 40, 200, True),
    (True, 40, 1, True),
])
def test_only_an_admin_raises_a_cap(is_admin: bool, current: int, new: int, allowed: bool) -> None:
    assert cap_change_allowed(is_admin, current, new) is allowed


@pytest.mark.parametrize("model", [CuratorCreate, CuratorUpdate])
def test_the_schema_bounds_a_cap(model: type[CuratorCreate] | type[CuratorUpdate]) -> None:
    base = {"username": "kurator1", "full_name": "Kurator", "sectors": ["kriya"]} if model is CuratorCreate else {}
    assert model.model_validate({**base, "max_open_cases": MAX_CASE_CAP}).max_open_cases == MAX_CASE_CAP
    for too_many in (MAX_CASE_CAP + 1, 10_000, 2**63):
        with pytest.raises(ValidationError) as err:
            model.model_validate({**base, "max_open_cases": too_many})
        assert [e["loc"] for e in err.value.errors()] == [("max_open_cases",)]
