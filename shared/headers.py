"""The headers every service response carries, and which caller correlation ids are kept.

Set in the services themselves (shared.web.RequestMetrics) and again at the gateway, so that a
service reached without the gateway is no weaker.
"""

from __future__ import annotations

import re

# JSON and files only: nothing a browser should run, frame or send a referrer from.
API_CSP = b"default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
# Swagger UI's page (its files served by the service, shared.docs_ui) runs an inline start-up script.
DOCS_CSP = (b"default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
            b"img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'")
_DOCS_PATHS = ("/docs",)
_CORRELATION_ID = re.compile(rb"[A-Za-z0-9._:-]{1,64}")


def security_headers(path: str, existing: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """The headers to add to a response for `path` that already has `existing` ones.

    Responses are `no-store` unless they say otherwise: most carry a register's data, some of it
    personal, and a shared office computer's browser cache is not the place for it."""
    names = {name.lower() for name, _ in existing}
    csp = DOCS_CSP if path.startswith(_DOCS_PATHS) else API_CSP
    added = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer"),
             (b"x-frame-options", b"DENY")]
    if b"content-security-policy" not in names:
        added.append((b"content-security-policy", csp))
    if b"cache-control" not in names:
        added.append((b"cache-control", b"no-store"))
    return added


def safe_correlation_id(raw: bytes | None) -> str | None:
    """The caller's correlation id if it is a short plain token, else None (a new one is made): it
    is written on every log line and echoed back, so a long or odd one is not taken."""
    if raw is None or _CORRELATION_ID.fullmatch(raw) is None:
        return None
    return raw.decode("ascii")
