"""JSON logs that carry the correlation id of the registration chain being worked on."""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

# A last line of defence: nothing should log personal data (parameters are hidden, events carry
# none), but a NIK or a mobile number that reaches a log line anyway is blanked out.
_NIK = re.compile(r"(?<![0-9])[0-9]{16}(?![0-9])")
_MOBILE = re.compile(r"(?<![0-9])(?:\+?62|0)8[0-9]{7,11}(?![0-9])")


def redact(text: str) -> str:
    """`text` with anything shaped like a NIK or an Indonesian mobile number blanked out."""
    return _MOBILE.sub("[telepon]", _NIK.sub("[NIK]", text))


_correlation_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("correlation_id", default=None)


@contextmanager
def correlation(correlation_id: str | None) -> Iterator[None]:
    token = _correlation_id.set(correlation_id)
    try:
        yield
    finally:
        _correlation_id.reset(token)


def current_correlation_id() -> str | None:
    return _correlation_id.get()


class RedactingFormatter(logging.Formatter):
    """Plain text lines (`make run`), redacted like the JSON ones."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "service": self.service,
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        cid = getattr(record, "correlation_id", None) or _correlation_id.get()
        if cid:
            entry["correlation_id"] = cid
        if record.exc_info:
            entry["exc"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(service: str, level: str = "INFO", as_json: bool = True) -> None:
    handler = logging.StreamHandler(sys.stderr)
    if as_json:
        handler.setFormatter(JsonFormatter(service))
    else:
        handler.setFormatter(RedactingFormatter(f"%(asctime)s {service} %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)
