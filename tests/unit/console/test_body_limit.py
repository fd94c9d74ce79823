"""The console bounds request bodies like the three services (issue 19): a form larger than
SENTRA_BODY_MAX_BYTES is a 413 before it is read."""

from __future__ import annotations

from fastapi.testclient import TestClient
from pydantic import SecretStr

from console.app import create_app
from console.settings import ConsoleSettings


def test_a_form_over_the_body_limit_is_refused_before_it_is_read() -> None:
    settings = ConsoleSettings(SENTRA_SECRET_KEY=SecretStr("k" * 40), SENTRA_BODY_MAX_BYTES=4096,
                               SENTRA_LOG_JSON=False)
    with TestClient(create_app(settings)) as client:
        reply = client.post("/login", content=b"username=a&password=" + b"x" * 5000,
                            headers={"content-type": "application/x-www-form-urlencoded"})
    assert reply.status_code == 413
    assert reply.json()["message"] == "Isi permintaan terlalu besar: paling besar 4 KB."
