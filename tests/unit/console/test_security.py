"""CSRF tokens, the session's claims, where a sign-in may send the browser, and page headers."""

from __future__ import annotations

import base64
import json

from console.pages.auth import safe_next
from console.security import came_over_https, csrf_ok, csrf_token, read_token, security_headers

SECRET = "a-secret-key-for-unit-tests-0123456789"


def _jwt(claims: dict[str, object]) -> str:
    def part(data: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")
    return f"{part({'alg': 'HS256'})}.{part(claims)}.signature"


def test_a_csrf_token_belongs_to_its_cookie_and_key() -> None:
    token = csrf_token(SECRET, "session-a")
    assert csrf_ok(SECRET, "session-a", token)
    assert not csrf_ok(SECRET, "session-b", token)  # another user's session
    assert not csrf_ok("another-key-entirely-0123456789abcdef", "session-a", token)
    assert not csrf_ok(SECRET, "session-a", None)
    assert not csrf_ok(SECRET, None, token)
    assert not csrf_ok(SECRET, "session-a", token[:-1] + ("0" if token[-1] != "0" else "1"))


def test_the_token_names_the_user_and_roles_until_it_expires() -> None:
    token = _jwt({"sub": "registrar", "roles": ["registrar"], "exp": 2_000})
    user = read_token(token, now=1_000)
    assert user is not None and user.username == "registrar" and user.has("registrar") and not user.has("curator")
    assert read_token(token, now=2_000) is None
    assert read_token("not-a-token", now=0) is None
    assert read_token(_jwt({"roles": ["admin"]}), now=0) is None  # no subject
    admin = read_token(_jwt({"sub": "admin", "roles": ["admin"]}), now=0)
    assert admin is not None and admin.has("curator")


def test_after_signing_in_the_browser_stays_on_this_site() -> None:
    assert safe_next("/ikms?sector=kriya") == "/ikms?sector=kriya"
    for outside in ("https://evil.example/", "//evil.example/", "/\\evil.example", "", None, "ikms"):
        assert safe_next(outside) == "/"


def test_https_directly_or_behind_the_gateway() -> None:
    assert came_over_https("https", None)
    assert came_over_https("http", "https")
    assert came_over_https("http", "HTTPS, http")
    assert not came_over_https("http", None)
    assert not came_over_https("http", "http")


def test_pages_carry_the_security_headers_and_are_not_stored() -> None:
    page = security_headers(page=True)
    assert "script-src 'self'" in page["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in page["Content-Security-Policy"]
    assert page["X-Content-Type-Options"] == "nosniff"
    assert page["Referrer-Policy"]
    assert page["Cache-Control"] == "no-store"
    assert "Cache-Control" not in security_headers(page=False)
