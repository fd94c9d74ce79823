"""Curation rules: pure functions, tested without HTTP, database, Redis or the clock (pass `today` in)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from statistics import mean
from typing import Any

from curation.rubric import (
    APPROVED,
    DEFAULT_RUBRIC,
    GRADE_OF,
    Criterion,
    Gate,
    Outcome,
    Rubric,
    grade_for,
    weighted_total,
)

__all__ = [
    "DEFAULT_RUBRIC", "CaseScope", "CuratorLoad", "Rubric", "ScoreSheet", "Verdict", "appeal_window_open",
    "audit_details_for", "cap_change_allowed", "case_scope", "criteria_to_improve", "decide_outcome",
    "disagreements", "failed_gates", "is_expired", "needs_panel", "oversees_curation", "pick_curators",
    "recuration_round", "sheet_visible", "valid_until_for",
]

# A case in one of these still needs work from its curators (and counts toward their load).
OPEN_STATUSES = ("open", "in_review", "panel", "appealed")
# A case in one of these waits for the panel chair's decision (POST /cases/{id}/decision).
PANEL_STATUSES = ("panel", "appealed")
# While a case is in one of these its curators score independently: each sees only their own sheet.
INDEPENDENT_STATUSES = ("open", "in_review", "appealed")
# The most open cases a curator's profile may allow (the service default is SENTRA_MAX_OPEN_CASES, 40):
# panels of about three curators, so a cap in the thousands would only ever mean "every waiting case".
MAX_CASE_CAP = 200
# Roles that follow every case without scoring one (SPEC.md, Who uses it); admin may do everything.
OVERSEERS = frozenset({"admin", "registrar", "organiser"})


@dataclass(frozen=True)
class CuratorLoad:
    curator_id: uuid.UUID
    username: str
    sectors: frozenset[str]
    open_cases: int
    max_open_cases: int | None = None


def pick_curators(
    candidates: list[CuratorLoad], sector: str, needed: int, excluded: frozenset[uuid.UUID] = frozenset()
) -> list[CuratorLoad]:
    """Curators of `sector` with the fewest open cases and room under their cap, none excluded (already
    on the case or in conflict with the IKM); ties go to the username so the choice is reproducible."""
    eligible = [c for c in candidates if sector in c.sectors and c.curator_id not in excluded
                and (c.max_open_cases is None or c.open_cases < c.max_open_cases)]
    eligible.sort(key=lambda c: (c.open_cases, c.username))
    return eligible[:max(needed, 0)]


@dataclass(frozen=True)
class ScoreSheet:
    """One curator's current scores for a case: gate results and 1–5 per criterion."""

    curator: str
    gates: dict[str, bool]
    scores: dict[str, int]


@dataclass(frozen=True)
class Verdict:
    """What the scores say: an outcome, or `panel` when the curators disagree too much."""

    panel: bool
    total: float
    outcome: Outcome | None = None
    grade: str | None = None
    reason: str = ""
    reason_en: str = ""
    disagreements: dict[str, tuple[int, int]] = field(default_factory=dict)


def failed_gates(rubric: Rubric, sheets: list[ScoreSheet]) -> list[Gate]:
    """Gates any curator marked as failed, in the rubric's order."""
    return [g for g in rubric.gates if any(not s.gates.get(g.code, True) for s in sheets)]


def disagreements(rubric: Rubric, sheets: list[ScoreSheet]) -> dict[str, tuple[int, int]]:
    """Criteria whose lowest and highest scores differ by more than the rubric allows (1.5 by default)."""
    out: dict[str, tuple[int, int]] = {}
    for c in rubric.criteria:
        values = [s.scores[c.code] for s in sheets if c.code in s.scores]
        if values and max(values) - min(values) > rubric.disagreement_points:
            out[c.code] = (min(values), max(values))
    return out


def needs_panel(rubric: Rubric, sheets: list[ScoreSheet]) -> bool:
    """Curators who differ by more than `disagreement_points` on any criterion send the case to the panel."""
    return bool(disagreements(rubric, sheets))


def criteria_to_improve(rubric: Rubric, sheets: list[ScoreSheet]) -> list[Criterion]:
    """What an IKM must fix: every criterion some curator scored 2 or lower, heaviest first; when none
    was scored that low, the criterion with the lowest mean score."""
    low = [c for c in rubric.criteria if any(s.scores.get(c.code, 5) <= 2 for s in sheets)]
    if low:
        return sorted(low, key=lambda c: -c.weight)
    means = {c.code: mean(s.scores.get(c.code, 5) for s in sheets) for c in rubric.criteria} if sheets else {}
    if not means:
        return []
    lowest = min(means.values())
    return [c for c in rubric.criteria if means[c.code] == lowest]


def decide_outcome(rubric: Rubric, sheets: list[ScoreSheet]) -> Verdict:
    """The outcome of a case from its curators' sheets (DOMAIN.md, Curation):

    a failed gate rejects (grade D) whatever the scores; otherwise curators who disagree by more than
    the rubric allows send the case to the panel; otherwise the mean of the weighted totals decides.
    """
    if not sheets:
        raise ValueError("a case is decided on at least one score sheet")
    total = round(mean(weighted_total(rubric, s.scores) for s in sheets), 2)
    failed = failed_gates(rubric, sheets)
    if failed:
        return Verdict(panel=False, total=total, outcome="rejected", grade="D",
                       reason="Tidak memenuhi syarat: " + "; ".join(g.label for g in failed) + ".",
                       reason_en="Failed gate: " + "; ".join(g.label_en for g in failed) + ".")
    apart = disagreements(rubric, sheets)
    if apart:
        labels = {c.code: c for c in rubric.criteria}
        return Verdict(panel=True, total=total, disagreements=apart,
                       reason="Penilaian kurator berbeda jauh pada: "
                              + ", ".join(labels[k].label for k in apart) + "; diputuskan rapat kurasi.",
                       reason_en="Curators disagree on: " + ", ".join(labels[k].label_en for k in apart)
                                 + "; the panel decides.")
    outcome, grade = grade_for(total, rubric)
    reason, reason_en = _outcome_words(outcome, total)
    if outcome == "needs_improvement":
        fix = criteria_to_improve(rubric, sheets)
        reason += " Perlu diperbaiki: " + ", ".join(c.label for c in fix) + "."
        reason_en += " To improve: " + ", ".join(c.label_en for c in fix) + "."
    return Verdict(panel=False, total=total, outcome=outcome, grade=grade, reason=reason, reason_en=reason_en)


def _outcome_words(outcome: Outcome, total: float) -> tuple[str, str]:
    words = {
        "approved": ("Lolos kurasi", "Approved"),
        "approved_with_conditions": ("Lolos bersyarat", "Approved with conditions"),
        "needs_improvement": ("Perlu perbaikan, lalu kurasi ulang", "Needs improvement, then re-curation"),
        "rejected": ("Tidak lolos", "Rejected"),
    }
    id_word, en_word = words[outcome]
    return f"{id_word} (nilai rata-rata {total:g}).", f"{en_word} (mean total {total:g})."


def grade_matches_outcome(outcome: str, grade: str) -> bool:
    """A panel's decision keeps the rubric's pairing: approved A, with conditions B, improvement C, rejected D."""
    return GRADE_OF.get(outcome) == grade


def valid_until_for(outcome: str, decided_on: date, valid_days: int) -> date | None:
    """An approval (with or without conditions) is valid for `valid_days`; other outcomes carry no validity."""
    return decided_on + timedelta(days=valid_days) if outcome in APPROVED else None


def is_expired(valid_until: date | None, today: date) -> bool:
    """An approval lapses on its `valid_until` day."""
    return valid_until is not None and today >= valid_until


def appeal_window_open(decided_on: date, today: date, window_days: int) -> bool:
    """An appeal may be filed up to and including `window_days` after the decision."""
    return decided_on <= today <= decided_on + timedelta(days=window_days)


def recuration_round(latest_round: int | None, latest_status: str | None, latest_outcome: str | None) -> int | None:
    """The round a newly submitted product opens, or None when it opens nothing.

    A product never curated opens round 1. A product whose latest case ended without a standing approval
    (needs improvement, rejected, or an approval that expired) opens the next round. A case still under
    review, or a standing approval, absorbs the submission.
    """
    if latest_round is None:
        return 1
    if latest_status == "expired":
        return latest_round + 1
    if latest_status == "decided" and latest_outcome not in APPROVED:
        return latest_round + 1
    return None


# --- who sees what --------------------------------------------------------------------------------


def oversees_curation(roles: frozenset[str]) -> bool:
    """Registrars, organisers and admins read every case and every sheet; a curator only their own."""
    return bool(roles & OVERSEERS)


@dataclass(frozen=True)
class CaseScope:
    """The cases a caller may read. `everything` for an overseer; otherwise the cases curator
    `curator_id` is or was assigned to, and for a panel chair also the cases waiting for the panel's
    decision and those they decided. A user with no curator profile (`curator_id` None) sees none."""

    everything: bool
    curator_id: uuid.UUID | None = None
    chair: bool = False
    username: str = ""


def case_scope(roles: frozenset[str], username: str, curator_id: uuid.UUID | None, is_chair: bool) -> CaseScope:
    """Where the role matrix narrows a role, the data narrows with it: curators are scoped to their cases."""
    if oversees_curation(roles):
        return CaseScope(everything=True)
    return CaseScope(everything=False, curator_id=curator_id, chair=is_chair and curator_id is not None,
                     username=username)


def sheet_visible(viewer: str, sees_all: bool, status: str, author: str | None) -> bool:
    """Whether a viewer may see a score sheet by `author` on a case in `status` (and what the audit
    trail records of it). While curators score independently a curator sees only their own sheet; from
    the panel on, and for overseers always, every sheet. `author` None stands for several curators'
    sheets at once (the disagreements that sent a case to the panel)."""
    return sees_all or status not in INDEPENDENT_STATUSES or (author is not None and author == viewer)


# What an audit step records from score sheets: the step's action, the details taken from sheets, and
# whether the sheet is the actor's own (False: derived from every curator's sheet).
SHEET_DETAILS: dict[str, tuple[frozenset[str], bool]] = {
    "scored": (frozenset({"total", "failed_gates"}), True),
    "corrected": (frozenset({"previous_total", "total"}), True),
    "sent_to_panel": (frozenset({"total", "disagreements"}), False),
}


def audit_details_for(viewer: str, sees_all: bool, status: str, actor: str, action: str,
                      details: dict[str, Any]) -> dict[str, Any]:
    """An audit step's details as `viewer` may see them: what comes from a sheet the case view would
    hide (`sheet_visible`) is left out, the rest of the step stays."""
    taken = SHEET_DETAILS.get(action)
    if taken is None:
        return details
    keys, own = taken
    if sheet_visible(viewer, sees_all, status, actor if own else None):
        return details
    return {k: v for k, v in details.items() if k not in keys}


def cap_change_allowed(is_admin: bool, current_cap: int, new_cap: int) -> bool:
    """Only an admin, who manages curators (SPEC.md: POST /curators is admin's), raises a curator's
    case cap; a curator may lower their own (less time this month) but never raise it, which would pull
    in every waiting case. Both are caps in effect: a profile without its own cap has the default."""
    return is_admin or new_cap <= current_cap
