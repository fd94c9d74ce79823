"""Passwords, tokens and roles (SPEC.md, HTTP conventions: Auth; Security)."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Annotated

import jwt
import pytest
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr

from shared.auth import (
    ALGORITHM,
    ROLES,
    Principal,
    decode_token,
    hash_password,
    issue_token,
    require_roles,
    verify_password,
)
from shared.errors import ApiError, install_error_handlers
from shared.revocation import Revocations

KEY = "a-signing-key-from-settings-32-bytes!"
HOUR = timedelta(hours=1)


# --- passwords ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def stored_hash() -> str:
    return hash_password("kain-endek-2027")


def test_a_password_is_stored_as_a_salted_argon2id_hash(stored_hash: str) -> None:
    assert stored_hash.startswith("$argon2id$")
    assert "kain-endek-2027" not in stored_hash
    salt = stored_hash.split("$")[4]
    assert len(salt) >= 16


def test_the_right_password_verifies(stored_hash: str) -> None:
    assert verify_password(stored_hash, "kain-endek-2027") is True


def test_a_wrong_password_does_not_verify(stored_hash: str) -> None:
    assert verify_password(stored_hash, "kain-endek-2028") is False


def test_a_stored_value_that_is_not_a_hash_does_not_verify() -> None:
    assert verify_password("kain-endek-2027", "kain-endek-2027") is False


# --- tokens -------------------------------------------------------------------------------------


def test_a_token_carries_its_username_and_roles() -> None:
    token = issue_token("made.registrar", ["registrar", "curator"], KEY, HOUR)
    principal = decode_token(token, KEY)
    assert (principal.username, principal.roles) == ("made.registrar", frozenset({"registrar", "curator"}))
    # Each token is its own, for revocation (shared.revocation): an id and when it was issued.
    again = decode_token(issue_token("made.registrar", ["registrar"], KEY, HOUR), KEY)
    assert principal.token_id and again.token_id and principal.token_id != again.token_id
    assert principal.issued_ms > 0 and principal.expires_s - principal.issued_ms / 1000 == pytest.approx(3600, abs=1)


def test_a_revoked_token_is_refused_with_401() -> None:
    token = issue_token("made", ["registrar"], KEY, HOUR)
    principal = decode_token(token, KEY)
    revocations = Revocations()
    assert not revocations.is_revoked(principal.username, principal.issued_ms, principal.token_id)
    revocations.token_ids = frozenset({str(principal.token_id)})
    assert revocations.is_revoked(principal.username, principal.issued_ms, principal.token_id)
    later = Revocations(not_before_ms={"made": principal.issued_ms + 1})
    assert later.is_revoked(principal.username, principal.issued_ms, None)
    assert not later.is_revoked("someone.else", principal.issued_ms, None)


def test_a_token_expires_after_its_lifetime() -> None:
    claims = jwt.decode(issue_token("made", ["registrar"], KEY, HOUR), KEY, algorithms=[ALGORITHM])
    assert claims["exp"] - claims["iat"] == 3600


def test_an_expired_token_is_refused_with_401() -> None:
    token = issue_token("made", ["registrar"], KEY, timedelta(seconds=-1))
    with pytest.raises(ApiError) as caught:
        decode_token(token, KEY)
    assert caught.value.status == 401
    assert caught.value.body.code == "unauthorised"
    assert "expired" in caught.value.body.message_en
    assert caught.value.headers == {"WWW-Authenticate": "Bearer"}


def test_a_token_signed_with_another_key_is_refused_with_401() -> None:
    token = issue_token("made", ["admin"], "someone-elses-key-of-32-bytes-xx!", HOUR)
    with pytest.raises(ApiError) as caught:
        decode_token(token, KEY)
    assert caught.value.status == 401
    assert caught.value.body.message_en == "The token is not valid."


def test_a_token_whose_roles_were_edited_is_refused() -> None:
    header, _, signature = issue_token("made", ["curator"], KEY, HOUR).split(".")
    forged_claims = jwt.encode({"sub": "made", "roles": ["admin"], "exp": 9999999999}, "x" * 32,
                               algorithm=ALGORITHM).split(".")[1]
    with pytest.raises(ApiError) as caught:
        decode_token(f"{header}.{forged_claims}.{signature}", KEY)
    assert caught.value.status == 401


def test_an_unsigned_token_is_refused() -> None:
    token = jwt.encode({"sub": "made", "roles": ["admin"], "exp": 9999999999}, None, algorithm="none")
    with pytest.raises(ApiError) as caught:
        decode_token(token, KEY)
    assert caught.value.status == 401


def test_a_token_without_an_expiry_is_refused() -> None:
    token = jwt.encode({"sub": "made", "roles": ["admin"]}, KEY, algorithm=ALGORITHM)
    with pytest.raises(ApiError) as caught:
        decode_token(token, KEY)
    assert caught.value.status == 401


def test_a_token_whose_roles_are_not_a_list_is_refused() -> None:
    token = jwt.encode({"sub": "made", "roles": "admin", "exp": 9999999999}, KEY, algorithm=ALGORITHM)
    with pytest.raises(ApiError) as caught:
        decode_token(token, KEY)
    assert caught.value.status == 401


def test_a_token_without_roles_gives_a_principal_without_roles() -> None:
    token = jwt.encode({"sub": "made", "exp": 9999999999}, KEY, algorithm=ALGORITHM)
    assert decode_token(token, KEY).roles == frozenset()


def test_garbage_is_not_a_token() -> None:
    with pytest.raises(ApiError) as caught:
        decode_token("not-a-token", KEY)
    assert caught.value.status == 401


# --- roles --------------------------------------------------------------------------------------


def test_the_roles_are_those_of_the_spec() -> None:
    assert set(ROLES) == {"registrar", "curator", "organiser", "operator", "admin"}


def test_an_admin_has_every_role() -> None:
    admin = Principal(username="kepala", roles=frozenset({"admin"}))
    assert all(admin.has_any(role) for role in ROLES)
    assert admin.has_any() is True


def test_a_principal_has_a_role_it_holds() -> None:
    assert Principal(username="made", roles=frozenset({"curator"})).has_any("organiser", "curator") is True


def test_a_principal_lacks_a_role_it_does_not_hold() -> None:
    assert Principal(username="made", roles=frozenset({"curator"})).has_any("registrar") is False


def test_a_principal_without_admin_passes_no_check_that_names_no_role() -> None:
    assert Principal(username="made", roles=frozenset({"registrar"})).has_any() is False


def test_requiring_an_unknown_role_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="wizard"):
        require_roles("registrar", "wizard")


# --- the dependency on a route ------------------------------------------------------------------


def make_app() -> FastAPI:
    app = FastAPI()
    app.state.settings = SimpleNamespace(secret_key=SecretStr(KEY))
    install_error_handlers(app)

    @app.post("/exhibitions")
    def create(principal: Annotated[Principal, Depends(require_roles("organiser"))]) -> dict[str, str]:
        return {"by": principal.username}

    @app.get("/users")
    def users(principal: Annotated[Principal, Depends(require_roles())]) -> dict[str, str]:
        return {"by": principal.username}

    return app


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(make_app())


def bearer(username: str, *roles: str, key: str = KEY, ttl: timedelta = HOUR) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(username, list(roles), key, ttl)}"}


def test_a_caller_holding_the_role_is_let_through(client: TestClient) -> None:
    response = client.post("/exhibitions", headers=bearer("panitia", "organiser"))
    assert response.status_code == 200
    assert response.json() == {"by": "panitia"}


def test_an_admin_is_let_through_everywhere(client: TestClient) -> None:
    assert client.post("/exhibitions", headers=bearer("kepala", "admin")).status_code == 200
    assert client.get("/users", headers=bearer("kepala", "admin")).status_code == 200


def test_a_caller_lacking_the_role_gets_403_saying_which_role_is_needed(client: TestClient) -> None:
    response = client.post("/exhibitions", headers=bearer("made", "curator", "registrar"))
    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "forbidden"
    assert "organiser" in body["message"] and "organiser" in body["message_en"]


def test_a_route_for_admins_only_refuses_everyone_else(client: TestClient) -> None:
    response = client.get("/users", headers=bearer("made", *[r for r in ROLES if r != "admin"]))
    assert response.status_code == 403
    assert "admin" in response.json()["message_en"]


def test_a_caller_without_a_token_gets_401(client: TestClient) -> None:
    response = client.post("/exhibitions")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorised"
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_a_caller_with_another_scheme_gets_401(client: TestClient) -> None:
    response = client.post("/exhibitions", headers={"Authorization": "Basic cGFuaXRpYTpzZWNyZXQ="})
    assert response.status_code == 401


def test_a_caller_with_an_expired_token_gets_401(client: TestClient) -> None:
    response = client.post("/exhibitions", headers=bearer("panitia", "organiser", ttl=timedelta(seconds=-5)))
    assert response.status_code == 401
    assert "expired" in response.json()["message_en"]


def test_a_caller_with_a_token_from_another_key_gets_401(client: TestClient) -> None:
    headers = bearer("panitia", "organiser", key="another-deployments-key-32-bytes!")
    assert client.post("/exhibitions", headers=headers).status_code == 401
