"""Users and tokens as the API takes and gives them (registry/users.py, routes/auth.py)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints, ValidationInfo, field_validator

from registry.schemas import Name
from shared.auth import ROLES
from shared.errors import field_error
from shared.passwords import password_problems
from shared.text import Input


class UserCreate(Input):
    username: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=64,
                                               pattern=r"^[a-z0-9._-]+$")]
    password: Annotated[str, StringConstraints(max_length=200)]
    full_name: Name
    roles: Annotated[list[Literal[ROLES]], Field(min_length=1)]  # type: ignore[valid-type]

    @field_validator("password")
    @classmethod
    def _strong_enough(cls, v: str, info: ValidationInfo) -> str:
        return strong_password(v, str(info.data.get("username", "")))


def strong_password(password: str, username: str) -> str:
    """A pydantic check of a chosen password (shared.passwords has the rule)."""
    problems = password_problems(password, username)
    if problems:
        raise field_error(*problems[0])
    return password


class UserUpdate(Input):
    """An admin's change to a user; narrowing access or resetting the password revokes their tokens."""

    full_name: Name | None = None
    roles: Annotated[list[Literal[ROLES]], Field(min_length=1)] | None = None  # type: ignore[valid-type]
    active: bool | None = None
    password: Annotated[str, StringConstraints(max_length=200)] | None = None


class PasswordChange(Input):
    current_password: Annotated[str, StringConstraints(max_length=200)]
    new_password: Annotated[str, StringConstraints(max_length=200)]


class UserPublic(BaseModel):
    username: str
    full_name: str
    roles: list[str]
    active: bool = True


class Token(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
