from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, status
from sqlmodel import select

from registry import service
from registry.schemas import Token, UserCreate, UserPublic
from registry.tables import UserAccount
from shared.auth import Principal, current_principal, require_roles
from shared.web import SessionDep, UnitOfWorkDep

router = APIRouter(tags=["users and tokens"])


@router.post("/auth/token", response_model=Token, summary="Sign in (OAuth2 password form)")
def token(
    request: Request,
    session: SessionDep,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
) -> Token:
    settings = request.app.state.settings
    access = service.issue_user_token(session, username, password, settings.secret_key.get_secret_value(),
                                      timedelta(minutes=settings.token_ttl_minutes))
    return Token(access_token=access)


@router.post("/users", status_code=status.HTTP_201_CREATED, response_model=UserPublic, summary="Create a user")
def create_user(
    data: UserCreate, uow: UnitOfWorkDep, _: Annotated[Principal, Depends(require_roles("admin"))]
) -> UserPublic:
    user = service.create_user(uow.session, data)
    uow.commit()
    return service.user_public(user)


@router.get("/users/me", response_model=UserPublic, summary="Who am I")
def me(session: SessionDep, principal: Annotated[Principal, Depends(current_principal)]) -> UserPublic:
    user = session.exec(select(UserAccount).where(UserAccount.username == principal.username)).first()
    if user is None:
        return UserPublic(username=principal.username, full_name=principal.username, roles=sorted(principal.roles))
    return service.user_public(user)
