"""Events exhibitions consumes: registrations open applications, changes to the register update the
IKM's profile, curation decisions move applications."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from exhibitions import service
from shared.consumer import Handler
from shared.events import Envelope


def on_registered(session: Session, envelope: Envelope, payload: Any) -> None:
    # Eligibility is judged on the day the IKM registered, not the day the event is processed: a
    # consumer that was down over an application deadline must not turn the IKM away.
    service.on_ikm_registered(session, envelope, payload, today=envelope.occurred_at.date())


def on_updated(session: Session, envelope: Envelope, payload: Any) -> None:
    service.on_ikm_updated(session, envelope, payload)


def on_decided(session: Session, envelope: Envelope, payload: Any) -> None:
    service.on_curation_decided(session, envelope, payload)


HANDLERS: dict[str, Handler] = {"ikm.registered": on_registered, "ikm.updated": on_updated,
                                "curation.decided": on_decided}
