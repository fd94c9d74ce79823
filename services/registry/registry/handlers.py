"""Events the registry consumes: every curation and exhibition decision folds into the timeline."""

from __future__ import annotations

from registry.service import fold_into_timeline
from shared.consumer import Handler

HANDLERS: dict[str, Handler] = {
    "curation.case_opened": fold_into_timeline,
    "curation.decided": fold_into_timeline,
    "exhibition.booth_allocated": fold_into_timeline,
    "exhibition.booth_released": fold_into_timeline,
    "exhibition.waitlisted": fold_into_timeline,
}
