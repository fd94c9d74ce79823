"""Fault points for the reliability tests (ADR 0005), in the spirit of FoundationDB's "buggify".

Off unless the environment names them. `SENTRA_FAULT_EXIT_ON=<text>` makes a consumer die (exit 137,
like SIGKILL) in the middle of applying an event whose payload contains <text>, before its
transaction commits; `SENTRA_FAULT_RAISE_ON=<text>` makes applying such an event raise every time (a
poison event). The tests use them to prove that a crash mid-event loses nothing and does nothing
twice, and that a poison event is dead-lettered while the stream flows on.
"""

from __future__ import annotations

import json
import logging
import os

from shared.events import Envelope

log = logging.getLogger("sentra.faults")


class InjectedFault(RuntimeError):
    """Raised at a fault point by `SENTRA_FAULT_RAISE_ON`."""


def before_commit(envelope: Envelope) -> None:
    exit_on = os.environ.get("SENTRA_FAULT_EXIT_ON")
    raise_on = os.environ.get("SENTRA_FAULT_RAISE_ON")
    if not exit_on and not raise_on:
        return
    text = json.dumps(envelope.data, ensure_ascii=False)
    if exit_on and exit_on in text:
        log.critical("fault point: exiting mid-event %s", envelope.event_id)
        os._exit(137)
    if raise_on and raise_on in text:
        raise InjectedFault(f"injected fault while applying {envelope.event_type} {envelope.event_id}")
