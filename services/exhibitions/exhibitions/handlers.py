"""Events exhibitions consumes: registrations open applications, curation decisions move them."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session

from exhibitions import service
from shared.consumer import Handler
from shared.events import Envelope


def on_registered(session: Session, envelope: Envelope, payload: Any) -> None:
    service.on_ikm_registered(session, envelope, payload, today=date.today())


def on_decided(session: Session, envelope: Envelope, payload: Any) -> None:
    service.on_curation_decided(session, envelope, payload)


HANDLERS: dict[str, Handler] = {"ikm.registered": on_registered, "curation.decided": on_decided}
