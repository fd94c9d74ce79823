"""Users and tokens: sign in (throttled), renew, sign out, and an admin's user management.

Whatever narrows a user's access (deactivation, fewer roles, a new password, signing out) revokes
their tokens in Redis after the commit, and every service stops accepting them within
`SENTRA_REVOCATION_REFRESH_S` (shared.revocation)."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, Response, status
from starlette.concurrency import run_in_threadpool

from registry import users
from registry.settings import RegistrySettings
from registry.user_schemas import PasswordChange, Token, UserCreate, UserPublic, UserUpdate
from shared.auth import Principal, current_principal, require_roles
from shared.errors import ApiError
from shared.openapi import errors
from shared.revocation import revoke_token, revoke_user
from shared.throttle import LoginThrottle
from shared.web import SessionDep, UnitOfWorkDep, runtime_of

router = APIRouter(tags=["users and tokens"])

Admin = Annotated[Principal, Depends(require_roles("admin"))]
SignedIn = Annotated[Principal, Depends(current_principal)]
Username = Annotated[str, Form(max_length=64)]
Password = Annotated[str, Form(max_length=200)]


def _settings(request: Request) -> RegistrySettings:
    settings: RegistrySettings = request.app.state.settings
    return settings


Settings = Annotated[RegistrySettings, Depends(_settings)]


def _throttle(request: Request) -> LoginThrottle:
    throttle: LoginThrottle = request.app.state.login_throttle
    return throttle


Throttle = Annotated[LoginThrottle, Depends(_throttle)]


def _ttl(settings: RegistrySettings) -> timedelta:
    return timedelta(minutes=settings.token_ttl_minutes)


def _too_many(wait_s: int) -> ApiError:
    minutes = max(1, round(wait_s / 60))
    return ApiError(429, "too_many_attempts",
                    f"Terlalu banyak percobaan masuk yang gagal; coba lagi dalam {minutes} menit.",
                    f"Too many failed sign-in attempts; try again in {minutes} minutes.",
                    headers={"Retry-After": str(wait_s)})


@router.post("/auth/token", response_model=Token, summary="Sign in (OAuth2 password form)",
             responses=errors(401, 429))
async def token(request: Request, session: SessionDep, settings: Settings, throttle: Throttle,
                username: Username, password: Password) -> Token:
    address = request.client.host if request.client else "unknown"
    wait_s = await throttle.wait_seconds(username, address)
    if wait_s:
        raise _too_many(wait_s)
    try:
        access = await run_in_threadpool(users.issue_user_token, session, username, password,
                                         settings.secret_key.get_secret_value(), _ttl(settings))
    except ApiError:
        await throttle.failed(username, address)
        raise
    await throttle.succeeded(username)
    return Token(access_token=access)


@router.post("/auth/refresh", response_model=Token, summary="A fresh token with the user's current roles")
def refresh(session: SessionDep, settings: Settings, principal: SignedIn) -> Token:
    return Token(access_token=users.renew_token(session, principal.username, settings.secret_key.get_secret_value(),
                                                _ttl(settings)))


@router.post("/auth/logout", status_code=status.HTTP_204_NO_CONTENT, summary="Sign out: this token stops working")
async def logout(request: Request, principal: SignedIn) -> Response:
    if principal.token_id is not None:
        runtime = runtime_of(request)
        await revoke_token(runtime.redis, runtime.revocations, principal.token_id, principal.expires_s, time.time())
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/users", status_code=status.HTTP_201_CREATED, response_model=UserPublic, summary="Create a user")
def create_user(data: UserCreate, uow: UnitOfWorkDep, _: Admin) -> UserPublic:
    user = users.create_user(uow.session, data)
    uow.commit()
    return users.user_public(user)


@router.get("/users", response_model=list[UserPublic], summary="Every user (admin)")
def list_users(session: SessionDep, _: Admin) -> list[UserPublic]:
    return [users.user_public(user) for user in users.list_users(session)]


@router.patch("/users/{username}", response_model=UserPublic,
              summary="Change a user's name, roles, activity or password (admin); narrowing revokes their tokens")
async def update_user(request: Request, username: str, data: UserUpdate, uow: UnitOfWorkDep, _: Admin) -> UserPublic:
    def write() -> tuple[UserPublic, bool]:
        user, revoke = users.update_user(uow.session, username, data)
        uow.commit()
        return users.user_public(user), revoke

    public, revoke = await run_in_threadpool(write)
    if revoke:
        runtime = runtime_of(request)
        await revoke_user(runtime.redis, runtime.revocations, username, int(time.time() * 1000))
    return public


@router.post("/users/me/password", status_code=status.HTTP_204_NO_CONTENT,
             summary="Change my password; my other sessions end")
async def change_password(request: Request, data: PasswordChange, uow: UnitOfWorkDep, principal: SignedIn) -> Response:
    def write() -> None:
        users.change_own_password(uow.session, principal.username, data)
        uow.commit()

    await run_in_threadpool(write)
    runtime = runtime_of(request)
    await revoke_user(runtime.redis, runtime.revocations, principal.username, int(time.time() * 1000))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/users/me", response_model=UserPublic, summary="Who am I")
def me(session: SessionDep, principal: SignedIn) -> UserPublic:
    user = users.user_by_name(session, principal.username)
    if user is None:
        return UserPublic(username=principal.username, full_name=principal.username, roles=sorted(principal.roles))
    return users.user_public(user)
