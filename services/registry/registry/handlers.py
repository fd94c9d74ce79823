"""Events the registry consumes: every curation and exhibition decision folds into the timeline;
a catalogue change also sets whether the product's photos are public (registry/listing.py)."""

from __future__ import annotations

from registry.listing import apply_catalogue_changes
from registry.service import fold_into_timeline
from shared.consumer import BatchHandler, Handler

timeline = BatchHandler(fold_into_timeline)

HANDLERS: dict[str, Handler] = {
    "curation.case_opened": timeline,
    "curation.decided": timeline,
    "exhibition.booth_allocated": timeline,
    "exhibition.booth_released": timeline,
    "exhibition.waitlisted": timeline,
    "catalogue.changed": BatchHandler(apply_catalogue_changes),
}
