"""Sessions and the headers every page carries. The session cookie holds the API token itself (the
APIs decide what it may do); the console signs nothing but its CSRF tokens."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any

SESSION_COOKIE = "sentra_session"
# Before signing in there is no session to bind a CSRF token to: the login form binds it to this
# random value instead, so a forged login from another site fails too.
PRE_SESSION_COOKIE = "sentra_pre"
CSRF_FIELD = "csrf_token"

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)


def security_headers(page: bool) -> dict[str, str]:
    """Headers for every response; `page` (HTML or a download) adds no-store so a signed-out browser's
    back button shows nothing from the session."""
    headers = {
        "Content-Security-Policy": CONTENT_SECURITY_POLICY,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "X-Frame-Options": "DENY",
    }
    if page:
        headers["Cache-Control"] = "no-store"
    return headers


def csrf_token(secret: str, binding: str) -> str:
    """The token a form carries: an HMAC of the cookie it belongs to (the session, or the pre-session
    value on the login form). Another site can neither read the cookie nor compute the token."""
    return hmac.new(secret.encode(), b"csrf:" + binding.encode(), hashlib.sha256).hexdigest()


def csrf_ok(secret: str, binding: str | None, token: str | None) -> bool:
    if not binding or not token:
        return False
    return hmac.compare_digest(csrf_token(secret, binding), token)


def new_pre_session() -> str:
    return secrets.token_urlsafe(24)


def came_over_https(scheme: str, forwarded_proto: str | None) -> bool:
    """Whether the browser spoke TLS: directly, or to the gateway in front of us."""
    if scheme == "https":
        return True
    return (forwarded_proto or "").split(",")[0].strip().lower() == "https"


@dataclass(frozen=True)
class User:
    """Who the token says is signed in: for choosing the menu and the home page only. Every API call
    checks the token's signature and roles itself."""

    username: str
    roles: frozenset[str]
    expires_at: float | None

    def has(self, *roles: str) -> bool:
        return "admin" in self.roles or bool(self.roles.intersection(roles))


def read_token(token: str | None, now: float | None = None) -> User | None:
    """The claims of a JWT without checking its signature (the APIs do that), or None when it is not
    a token or has expired."""
    if not token:
        return None
    try:
        payload_b64 = token.split(".")[1]
        claims: Any = json.loads(base64.urlsafe_b64decode(payload_b64 + "=" * (-len(payload_b64) % 4)))
    except (IndexError, ValueError):
        return None
    if not isinstance(claims, dict) or not isinstance(claims.get("sub"), str):
        return None
    expires = claims.get("exp")
    if isinstance(expires, int | float) and expires <= (time.time() if now is None else now):
        return None
    roles = claims.get("roles")
    return User(username=claims["sub"], roles=frozenset(str(r) for r in roles) if isinstance(roles, list) else
                frozenset(), expires_at=float(expires) if isinstance(expires, int | float) else None)
