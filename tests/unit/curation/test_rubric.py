"""The default rubric and the thresholds that turn scores into an outcome (DOMAIN.md, Curation)."""

from __future__ import annotations

import pytest

from curation.rubric import DEFAULT_RUBRIC, Rubric, grade_for, weighted_total

CRITERIA = ("quality", "design", "packaging", "price", "capacity", "legality")


def all_scored(score: int) -> dict[str, int]:
    return dict.fromkeys(CRITERIA, score)


def test_the_criteria_weights_sum_to_100() -> None:
    assert sum(c.weight for c in DEFAULT_RUBRIC.criteria) == 100


def test_the_criteria_and_weights_are_those_of_the_domain() -> None:
    weights = {c.code: c.weight for c in DEFAULT_RUBRIC.criteria}
    assert weights == {"quality": 25, "design": 20, "packaging": 15, "price": 15, "capacity": 15, "legality": 10}


def test_the_rubric_has_the_five_gates_of_the_domain() -> None:
    assert [g.code for g in DEFAULT_RUBRIC.gates] == ["maker", "legal", "domicile", "food_permit", "original"]


def test_every_criterion_has_an_anchor_for_each_score_from_1_to_5() -> None:
    for criterion in DEFAULT_RUBRIC.criteria:
        assert sorted(criterion.anchors) == [1, 2, 3, 4, 5], criterion.code


def test_the_top_score_everywhere_totals_100() -> None:
    assert weighted_total(DEFAULT_RUBRIC, all_scored(5)) == 100


def test_the_lowest_score_everywhere_totals_20() -> None:
    assert weighted_total(DEFAULT_RUBRIC, all_scored(1)) == 20


def test_four_everywhere_totals_80_and_is_approved() -> None:
    total = weighted_total(DEFAULT_RUBRIC, all_scored(4))
    assert total == 80
    assert grade_for(total) == ("approved", "A")


def test_each_score_counts_by_its_weight() -> None:
    # The scores of SPEC.md: 4, 5, 3, 4, 4, 3 → 20 + 20 + 9 + 12 + 12 + 6.
    scores = {"quality": 4, "design": 5, "packaging": 3, "price": 4, "capacity": 4, "legality": 3}
    assert weighted_total(DEFAULT_RUBRIC, scores) == 79
    assert grade_for(79) == ("approved_with_conditions", "B")


def test_quality_weighs_more_than_legality() -> None:
    better_quality = all_scored(3) | {"quality": 5}
    better_legality = all_scored(3) | {"legality": 5}
    assert weighted_total(DEFAULT_RUBRIC, better_quality) > weighted_total(DEFAULT_RUBRIC, better_legality)


def test_a_missing_criterion_score_is_an_error() -> None:
    scores = all_scored(4)
    del scores["price"]
    with pytest.raises(KeyError):
        weighted_total(DEFAULT_RUBRIC, scores)


@pytest.mark.parametrize(("total", "outcome", "grade"), [
    (100, "approved", "A"),
    (80, "approved", "A"),
    (79.99, "approved_with_conditions", "B"),
    (65, "approved_with_conditions", "B"),
    (64.99, "needs_improvement", "C"),
    (50, "needs_improvement", "C"),
    (49.99, "rejected", "D"),
    (20, "rejected", "D"),
    (0, "rejected", "D"),
])
def test_the_total_decides_outcome_and_grade_at_the_domain_boundaries(total: float, outcome: str, grade: str) -> None:
    assert grade_for(total) == (outcome, grade)


def test_a_rubric_with_other_thresholds_grades_by_its_own() -> None:
    strict = Rubric(version="strict", gates=(), criteria=DEFAULT_RUBRIC.criteria, approved_min=90)
    assert grade_for(85, strict) == ("approved_with_conditions", "B")
    assert grade_for(90, strict) == ("approved", "A")


def test_the_default_rubric_sends_a_case_to_the_panel_above_1_5_points_of_disagreement() -> None:
    assert DEFAULT_RUBRIC.disagreement_points == 1.5
