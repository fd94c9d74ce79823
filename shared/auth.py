"""Who may call what: password hashing, signed tokens carrying roles, and the role dependency.

Users live in the registry; every service verifies the same token with the key from settings.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Annotated, Any

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict

from shared.errors import ApiError
from shared.events import utcnow
from shared.ids import new_id
from shared.revocation import Revocations

ROLES = ("registrar", "curator", "organiser", "operator", "admin")
ALGORITHM = "HS256"

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


class Principal(BaseModel):
    """The caller, as its token says."""

    model_config = ConfigDict(frozen=True)

    username: str
    roles: frozenset[str]
    # Which token this is and when it was issued (epoch ms), for revocation (shared.revocation).
    token_id: str | None = None
    issued_ms: int = 0
    expires_s: float = 0.0

    def has_any(self, *roles: str) -> bool:
        """`admin` may do everything (SPEC.md, Who uses it)."""
        return "admin" in self.roles or bool(self.roles.intersection(roles))


def issue_token(username: str, roles: list[str], secret: str, ttl: timedelta) -> str:
    now = utcnow()
    claims: dict[str, Any] = {"sub": username, "roles": sorted(roles), "iat": now, "exp": now + ttl,
                              "jti": new_id().hex, "iat_ms": int(now.timestamp() * 1000)}
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def decode_token(token: str, secret: str) -> Principal:
    try:
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM], options={"require": ["sub", "exp"]})
    except jwt.ExpiredSignatureError as exc:
        raise _unauthorised("Sesi Anda sudah berakhir; silakan masuk lagi.",
                            "Your session has expired; please sign in again.") from exc
    except jwt.PyJWTError as exc:
        raise _unauthorised("Token tidak valid.", "The token is not valid.") from exc
    roles = claims.get("roles", [])
    issued_ms = claims.get("iat_ms", 0)
    if not isinstance(roles, list) or not isinstance(issued_ms, int):
        raise _unauthorised("Token tidak valid.", "The token is not valid.")
    return Principal(username=str(claims["sub"]), roles=frozenset(str(r) for r in roles),
                     token_id=str(claims["jti"]) if "jti" in claims else None, issued_ms=issued_ms,
                     expires_s=float(claims["exp"]))


def _unauthorised(message: str, message_en: str) -> ApiError:
    return ApiError(401, "unauthorised", message, message_en, headers={"WWW-Authenticate": "Bearer"})


_bearer = HTTPBearer(auto_error=False, description="Token from POST /auth/token on the registry")


# The dependencies below are `async def` on purpose: they only decode a token, and FastAPI runs a
# plain `def` dependency in its thread pool, a hop per dependency per request (the API run of
# bench/chain.py: part of the milliseconds every request cost).
async def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None:
        raise _unauthorised("Silakan masuk terlebih dahulu (token tidak ada).",
                            "Please sign in first (no token).")
    secret = request.app.state.settings.secret_key.get_secret_value()
    principal = decode_token(credentials.credentials, secret)
    revocations: Revocations | None = getattr(request.app.state, "revocations", None)
    if revocations is not None and revocations.is_revoked(principal.username, principal.issued_ms,
                                                          principal.token_id):
        raise _unauthorised("Sesi ini sudah dicabut (keluar, kata sandi atau peran berubah, atau akun "
                            "dinonaktifkan); silakan masuk lagi.",
                            "This session was revoked (signed out, password or roles changed, or the account "
                            "deactivated); please sign in again.")
    return principal


def require_roles(*roles: str) -> Callable[..., Awaitable[Principal]]:
    """A dependency that lets through callers holding any of `roles` (or admin), else 403."""
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles {sorted(unknown)}")

    async def dependency(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
        if not principal.has_any(*roles):
            raise ApiError(
                403, "forbidden",
                f"Peran Anda tidak mengizinkan tindakan ini (perlu: {', '.join(roles) or 'admin'}).",
                f"Your roles do not allow this (needs: {', '.join(roles) or 'admin'}).",
            )
        return principal

    return dependency
