"""Events curation consumes: a registration or a new product opens cases; they, IKM changes,
photos and withdrawals also keep what the catalogue shows (curation/catalogue.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlmodel import Session

from curation import catalogue, service
from curation.settings import CurationSettings
from shared.consumer import BatchHandler, Handler
from shared.events import Envelope


def build_handlers(settings: CurationSettings) -> dict[str, Handler]:
    def on_registered(session: Session, events: Sequence[tuple[Envelope, Any]]) -> None:
        catalogue.record_registrations(session, events)
        service.open_cases_for_registrations(session, events, settings)

    def on_product(session: Session, envelope: Envelope, payload: Any) -> None:
        catalogue.record_product(session, envelope, payload)
        service.open_case_for_product(session, envelope, payload, settings)

    return {"ikm.registered": BatchHandler(on_registered), "product.submitted": on_product,
            "ikm.updated": catalogue.record_ikm_update, "product.photos_changed": catalogue.record_photos,
            "product.withdrawn": catalogue.withdraw}
