"""From score sheets to an outcome (DOMAIN.md, Curation): gates, thresholds, disagreement, what to fix,
validity, expiry, appeals and re-curation. Pure rules: no HTTP, database or clock."""

from __future__ import annotations

from datetime import date

import pytest

from curation.rubric import DEFAULT_RUBRIC, Criterion, Rubric, rubric_from_data, rubric_to_data
from curation.rules import (
    ScoreSheet,
    appeal_window_open,
    criteria_to_improve,
    decide_outcome,
    disagreements,
    grade_matches_outcome,
    is_expired,
    needs_panel,
    recuration_round,
    valid_until_for,
)

GATES = ("maker", "legal", "domicile", "food_permit", "original")
CRITERIA = ("quality", "design", "packaging", "price", "capacity", "legality")
PASS = dict.fromkeys(GATES, True)


def sheet(score: int = 4, curator: str = "made", failed: tuple[str, ...] = (), **scores: int) -> ScoreSheet:
    return ScoreSheet(curator=curator, gates={g: g not in failed for g in GATES},
                      scores={c: scores.get(c, score) for c in CRITERIA})


# One criterion only, weight 100: a 1–5 score s totals 20 s, so any total is reachable by the mean of sheets.
SINGLE = Rubric(version="single", gates=DEFAULT_RUBRIC.gates,
                criteria=(Criterion("quality", "Mutu", "Quality", 100, {i: str(i) for i in range(1, 6)}),),
                disagreement_points=4)


def totals_sheets(*scores: int) -> list[ScoreSheet]:
    return [ScoreSheet(curator=f"k{i}", gates=PASS, scores={"quality": s}) for i, s in enumerate(scores)]


@pytest.mark.parametrize(("scores", "total", "outcome", "grade"), [
    ((4, 4, 4), 80, "approved", "A"),
    ((5, 4, 3), 80, "approved", "A"),
    ((4, 4, 3), 73.33, "approved_with_conditions", "B"),
    ((3, 4, 3), 66.67, "approved_with_conditions", "B"),
    ((3, 3, 3), 60, "needs_improvement", "C"),
    ((3, 3, 2), 53.33, "needs_improvement", "C"),
    ((3, 2, 2), 46.67, "rejected", "D"),
    ((1, 1, 1), 20, "rejected", "D"),
])
def test_the_mean_of_the_curators_totals_decides(scores: tuple[int, ...], total: float, outcome: str,
                                                 grade: str) -> None:
    verdict = decide_outcome(SINGLE, totals_sheets(*scores))
    assert not verdict.panel
    assert verdict.total == pytest.approx(total, abs=0.01)
    assert (verdict.outcome, verdict.grade) == (outcome, grade)


@pytest.mark.parametrize(("total", "outcome"), [
    (79.99, "approved_with_conditions"), (80, "approved"),
    (64.99, "needs_improvement"), (65, "approved_with_conditions"),
    (49.99, "rejected"), (50, "needs_improvement"),
])
def test_each_boundary_of_the_domain_thresholds(total: float, outcome: str) -> None:
    # Shift the thresholds so that a reachable total (60) sits exactly on, or 0.01 above, each one.
    shift = total - 60
    rubric = Rubric(version="t", gates=(), criteria=SINGLE.criteria, approved_min=80 - shift,
                    conditional_min=65 - shift, improvement_min=50 - shift, disagreement_points=4)
    assert decide_outcome(rubric, totals_sheets(3)).outcome == outcome


def test_a_failed_gate_rejects_even_with_perfect_scores_and_names_the_gate() -> None:
    verdict = decide_outcome(DEFAULT_RUBRIC, [sheet(5), sheet(5, "wayan", failed=("food_permit",)), sheet(5, "ketut")])
    assert (verdict.outcome, verdict.grade, verdict.panel) == ("rejected", "D", False)
    assert verdict.total == 100
    assert "P-IRT" in verdict.reason and "P-IRT" in verdict.reason_en


def test_a_failed_gate_wins_over_a_disagreement() -> None:
    verdict = decide_outcome(DEFAULT_RUBRIC, [sheet(5, failed=("maker",)), sheet(1, "wayan")])
    assert verdict.outcome == "rejected" and not verdict.panel
    assert "bukan penjual ulang" in verdict.reason


def test_a_difference_above_one_and_a_half_points_sends_the_case_to_the_panel() -> None:
    sheets = [sheet(4), sheet(4, "wayan", design=2), sheet(4, "ketut")]
    assert needs_panel(DEFAULT_RUBRIC, sheets)
    verdict = decide_outcome(DEFAULT_RUBRIC, sheets)
    assert verdict.panel and verdict.outcome is None
    assert verdict.disagreements == {"design": (2, 4)}
    assert "Desain" in verdict.reason


def test_a_difference_of_exactly_one_and_a_half_points_does_not() -> None:
    rubric = Rubric(version="t", gates=(), criteria=DEFAULT_RUBRIC.criteria, disagreement_points=1.5)
    # Integer scores differ by 1 or 2; at a 1.0 limit a difference of exactly 1.0 must not count either.
    assert not needs_panel(rubric, [sheet(4), sheet(3, "wayan")])
    assert not needs_panel(Rubric(version="t", gates=(), criteria=DEFAULT_RUBRIC.criteria, disagreement_points=1),
                           [sheet(4), sheet(3, "wayan")])
    assert disagreements(rubric, [sheet(4), sheet(4, "wayan", quality=2)]) == {"quality": (2, 4)}


def test_needs_improvement_lists_the_criteria_scored_two_or_lower_heaviest_first() -> None:
    sheets = [sheet(3, packaging=2), sheet(3, "wayan", legality=2, quality=4), sheet(3, "ketut")]
    verdict = decide_outcome(DEFAULT_RUBRIC, sheets)
    assert verdict.outcome == "needs_improvement"
    assert [c.code for c in criteria_to_improve(DEFAULT_RUBRIC, sheets)] == ["packaging", "legality"]
    assert "Kemasan dan label" in verdict.reason and "Packaging and label" in verdict.reason_en


def test_without_a_low_score_the_weakest_criterion_is_named() -> None:
    sheets = [sheet(3, quality=4, design=4), sheet(3, "wayan")]
    assert [c.code for c in criteria_to_improve(DEFAULT_RUBRIC, sheets)] == ["packaging", "price", "capacity",
                                                                            "legality"]


def test_a_case_cannot_be_decided_without_sheets() -> None:
    with pytest.raises(ValueError):
        decide_outcome(DEFAULT_RUBRIC, [])


def test_the_panel_keeps_the_pairing_of_outcome_and_grade() -> None:
    assert grade_matches_outcome("approved", "A") and grade_matches_outcome("rejected", "D")
    assert not grade_matches_outcome("approved", "B")


def test_only_approvals_carry_a_validity() -> None:
    today = date(2026, 11, 23)
    assert valid_until_for("approved", today, 730) == date(2028, 11, 22)
    assert valid_until_for("approved_with_conditions", today, 10) == date(2026, 12, 3)
    assert valid_until_for("needs_improvement", today, 730) is None
    assert valid_until_for("rejected", today, 730) is None


def test_an_approval_lapses_on_its_valid_until_day() -> None:
    assert not is_expired(date(2028, 11, 22), date(2028, 11, 21))
    assert is_expired(date(2028, 11, 22), date(2028, 11, 22))
    assert not is_expired(None, date(2099, 1, 1))


def test_an_appeal_is_allowed_up_to_the_last_day_of_the_window() -> None:
    decided = date(2026, 11, 23)
    assert appeal_window_open(decided, decided, 30)
    assert appeal_window_open(decided, date(2026, 12, 23), 30)
    assert not appeal_window_open(decided, date(2026, 12, 24), 30)


@pytest.mark.parametrize(("latest", "expected"), [
    ((None, None, None), 1),
    ((1, "decided", "needs_improvement"), 2),
    ((2, "decided", "rejected"), 3),
    ((1, "expired", "approved"), 2),
    ((1, "decided", "approved"), None),
    ((1, "decided", "approved_with_conditions"), None),
    ((1, "in_review", None), None),
    ((1, "appealed", "rejected"), None),
])
def test_a_resubmitted_product_opens_the_next_round_only_without_a_standing_approval(
        latest: tuple[int | None, str | None, str | None], expected: int | None) -> None:
    assert recuration_round(*latest) == expected


def test_a_rubric_survives_storage_as_data() -> None:
    assert rubric_from_data(rubric_to_data(DEFAULT_RUBRIC)) == DEFAULT_RUBRIC
