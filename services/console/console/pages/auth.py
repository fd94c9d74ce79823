"""Signing in and out: the registry's token goes into an HttpOnly cookie; JavaScript never sees it."""

from __future__ import annotations

import contextlib
import time

from fastapi import APIRouter
from fastapi.responses import Response

from console.client import ApiFailure, SignedOut
from console.security import (
    PRE_SESSION_COOKIE,
    SESSION_COOKIE,
    came_over_https,
    csrf_token,
    new_pre_session,
    read_token,
)
from console.web import AnyPage, Form, redirect

router = APIRouter()


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path on this site only (never `//other.site` or a URL)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _secure(page: AnyPage) -> bool:
    request = page.request
    return came_over_https(request.url.scheme, request.headers.get("x-forwarded-proto"))


@router.get("/login")
async def login_form(page: AnyPage, next: str | None = None) -> Response:
    if page.user is not None:
        return redirect(safe_next(next))
    return _login_page(page, next, error=None, username="")


def _login_page(page: AnyPage, next_url: str | None, error: str | None, username: str,
                status_code: int = 200) -> Response:
    binding = page.request.cookies.get(PRE_SESSION_COOKIE)
    if not binding:
        # The pre-session value the login form's CSRF token is bound to (see security.py).
        binding = new_pre_session()
        page.csrf = csrf_token(page.settings.secret_key.get_secret_value(), binding)
    response = page.render("login.html", status_code=status_code, next=safe_next(next_url), error=error,
                           username=username)
    if binding != page.request.cookies.get(PRE_SESSION_COOKIE):
        response.set_cookie(PRE_SESSION_COOKIE, binding, httponly=True, samesite="lax", secure=_secure(page),
                            path="/")
    return response


@router.post("/login")
async def login(page: AnyPage, form: Form) -> Response:
    username = str(form.get("username", "")).strip()
    password = str(form.get("password", ""))
    next_url = safe_next(str(form.get("next", "")))
    if not username or not password:
        return _login_page(page, next_url, page.gettext("Enter your username and password."), username, 422)
    try:
        client = page.request.client
        token = await page.api.sign_in(username, password, client.host if client else None)
    except ApiFailure as failure:
        if failure.status == 503:
            message = page.gettext("The registry is not answering. Try again in a moment.")
        elif failure.status in (400, 401, 422):
            message = page.gettext("The username or password is wrong.")
        else:
            message = page.api_message(failure.body)
        return _login_page(page, next_url, message, username,
                           failure.status if failure.status in (429, 503) else 401)
    user = read_token(token)
    response = redirect(next_url)
    max_age = int(user.expires_at - time.time()) if user and user.expires_at else None
    response.set_cookie(SESSION_COOKIE, token, max_age=max_age, httponly=True, samesite="lax",
                        secure=_secure(page), path="/")
    response.delete_cookie(PRE_SESSION_COOKIE, path="/")
    return response


@router.post("/logout")
async def logout(page: AnyPage, _: Form) -> Response:
    """Revokes the token at the registry (so a copy of the cookie stops working too), then forgets it.
    The cookie goes even when the registry cannot be reached."""
    if page.user is not None:
        with contextlib.suppress(ApiFailure, SignedOut):
            await page.api.request("registry", "POST", "/auth/logout")
    response = redirect("/login")
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=_secure(page))
    return response
