"""Users and sign-in: accounts, passwords, and what withdraws a user's tokens.

Operations on a `Session` like `service.py`; the routes in routes/auth.py commit, and revoke tokens
in Redis after the commit (shared.revocation).
"""

from __future__ import annotations

from datetime import timedelta
from functools import cache

from sqlmodel import Session, col, select

from registry.tables import UserAccount
from registry.user_schemas import PasswordChange, UserCreate, UserPublic, UserUpdate
from shared.auth import hash_password, issue_token, verify_password
from shared.errors import ApiError, FieldError, invalid, not_found
from shared.events import utcnow
from shared.passwords import password_problems


@cache
def _dummy_hash() -> str:
    """A hash to check an unknown user's password against, so that a wrong username costs the
    same time as a wrong password and sign-in does not tell which usernames exist."""
    return hash_password("not-a-password-of-anyone")


def bad_credentials() -> ApiError:
    return ApiError(401, "bad_credentials", "Nama pengguna atau kata sandi salah.",
                    "Wrong username or password.", headers={"WWW-Authenticate": "Bearer"})


def user_by_name(session: Session, username: str) -> UserAccount | None:
    return session.exec(select(UserAccount).where(UserAccount.username == username)).first()


def create_user(session: Session, data: UserCreate) -> UserAccount:
    if user_by_name(session, data.username):
        raise ApiError(409, "conflict", f"Nama pengguna {data.username!r} sudah dipakai.",
                       f"Username {data.username!r} is already taken.",
                       [FieldError(field="username", message="Sudah dipakai.", message_en="Already taken.")])
    user = UserAccount(username=data.username, full_name=data.full_name,
                       password_hash=hash_password(data.password), roles=sorted(set(data.roles)),
                       created_at=utcnow())
    session.add(user)
    return user


def ensure_user(session: Session, username: str, password: str, full_name: str, roles: list[str]) -> bool:
    """Create the user unless it exists (start-up bootstrap of the first admin). True if created."""
    if user_by_name(session, username):
        return False
    session.add(UserAccount(username=username, full_name=full_name, password_hash=hash_password(password),
                            roles=roles, created_at=utcnow()))
    return True


def issue_user_token(session: Session, username: str, password: str, secret: str, ttl: timedelta) -> str:
    user = user_by_name(session, username)
    if user is None:
        verify_password(_dummy_hash(), password)
        raise bad_credentials()
    if not verify_password(user.password_hash, password) or not user.active:
        raise bad_credentials()
    return issue_token(user.username, list(user.roles), secret, ttl)


def renew_token(session: Session, username: str, secret: str, ttl: timedelta) -> str:
    """A fresh token with the user's current roles, for a caller whose token is still valid."""
    user = user_by_name(session, username)
    if user is None or not user.active:
        raise bad_credentials()
    return issue_token(user.username, list(user.roles), secret, ttl)


def list_users(session: Session) -> list[UserAccount]:
    return list(session.exec(select(UserAccount).order_by(col(UserAccount.username))))


def update_user(session: Session, username: str, data: UserUpdate) -> tuple[UserAccount, bool]:
    """Apply an admin's change; the flag says whether the user's tokens must be revoked (access
    narrowed or the password reset)."""
    user = user_by_name(session, username)
    if user is None:
        raise not_found("Pengguna", "User")
    revoke = False
    if data.full_name is not None:
        user.full_name = data.full_name
    if data.roles is not None and sorted(set(data.roles)) != sorted(user.roles):
        user.roles = sorted(set(data.roles))
        revoke = True
    if data.active is not None and data.active != user.active:
        user.active = data.active
        revoke = revoke or not data.active
    if data.password is not None:
        _check_new_password(data.password, username, "password")
        user.password_hash = hash_password(data.password)
        revoke = True
    session.add(user)
    return user, revoke


def change_own_password(session: Session, username: str, data: PasswordChange) -> None:
    user = user_by_name(session, username)
    if user is None or not verify_password(user.password_hash, data.current_password):
        raise invalid("current_password", "Kata sandi sekarang salah.", "The current password is wrong.")
    _check_new_password(data.new_password, username, "new_password")
    user.password_hash = hash_password(data.new_password)
    session.add(user)


def _check_new_password(password: str, username: str, field: str) -> None:
    problems = password_problems(password, username)
    if problems:
        raise invalid(field, *problems[0])


def user_public(user: UserAccount) -> UserPublic:
    return UserPublic(username=user.username, full_name=user.full_name, roles=list(user.roles), active=user.active)
