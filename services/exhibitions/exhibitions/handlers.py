"""Events exhibitions consumes: registrations open applications, changes to the register update the
IKM's profile, curation decisions move applications."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlmodel import Session

from exhibitions import service
from shared.consumer import BatchHandler, Handler
from shared.events import Envelope


def on_registered(session: Session, events: Sequence[tuple[Envelope, Any]]) -> None:
    service.on_ikm_registrations(session, events)


def on_updated(session: Session, envelope: Envelope, payload: Any) -> None:
    service.on_ikm_updated(session, envelope, payload)


def on_decided(session: Session, envelope: Envelope, payload: Any) -> None:
    service.on_curation_decided(session, envelope, payload)


HANDLERS: dict[str, Handler] = {"ikm.registered": BatchHandler(on_registered), "ikm.updated": on_updated,
                                "curation.decided": on_decided}
