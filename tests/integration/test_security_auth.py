"""Issue 19 through real processes: unsafe settings, sign-in throttling and timing, revocation on
every service, headers, and the correlation id a caller may set."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

import httpx

from tests.support.cluster import Cluster, eventually

FAST_REVOCATION = {"SENTRA_REVOCATION_REFRESH_S": "0.5"}


def _sign_in(c: Cluster, username: str, password: str) -> httpx.Response:
    return httpx.post(f"{c['registry'].url}/auth/token", data={"username": username, "password": password})


def test_a_service_refuses_to_start_with_the_published_key(cluster: Cluster) -> None:
    env = {k: v for k, v in cluster["registry"].env.items() if k != "SENTRA_SECRET_KEY"}
    done = subprocess.run([sys.executable, "-c", "from registry.app import create_app; create_app()"],
                          env={**env, "PATH": "/usr/bin:/bin"}, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "SENTRA_SECRET_KEY is the development key" in done.stderr
    weak = subprocess.run([sys.executable, "-c", "from curation.app import create_app; create_app()"],
                          env={**env, "PATH": "/usr/bin:/bin", "SENTRA_SECRET_KEY": "too-short"},
                          capture_output=True, text=True, timeout=60)
    assert weak.returncode == 2 and "shorter than 32 bytes" in weak.stderr
    allowed = subprocess.run([sys.executable, "-c", "from registry.app import create_app; create_app()"],
                             env={**env, "PATH": "/usr/bin:/bin", "SENTRA_DEV_MODE": "true"},
                             capture_output=True, text=True, timeout=60)
    assert allowed.returncode == 0, allowed.stderr


def test_sign_in_is_throttled_per_account_and_hides_which_users_exist(cluster: Cluster) -> None:
    c = cluster
    c.start("registry")
    c.create_user("ketut.registrar", ["registrar"], password="batik-tulis-celuk-77")
    c.create_user("made.registrar", ["registrar"], password="batik-tulis-celuk-78")
    known, unknown = [], []
    for _ in range(4):
        started = time.perf_counter()
        assert _sign_in(c, "ketut.registrar", "wrong-password-1").status_code == 401
        known.append(time.perf_counter() - started)
        started = time.perf_counter()
        assert _sign_in(c, f"nobody-{len(unknown)}", "wrong-password-1").status_code == 401
        unknown.append(time.perf_counter() - started)
    # A missing user is checked against a real hash too: it takes as long as a known one.
    assert statistics.median(unknown) > 0.5 * statistics.median(known), (known, unknown)

    assert _sign_in(c, "ketut.registrar", "wrong-password-1").status_code == 401  # the fifth failure
    locked = _sign_in(c, "ketut.registrar", "batik-tulis-celuk-77")
    assert locked.status_code == 429, locked.text
    assert int(locked.headers["retry-after"]) > 0
    assert "coba lagi" in locked.json()["message"]
    # Another account from the same address is not locked out by it.
    assert _sign_in(c, "made.registrar", "batik-tulis-celuk-78").status_code == 200


def test_weak_passwords_are_refused_with_the_reason(cluster: Cluster) -> None:
    c = cluster
    c.start("registry")
    for password in ("aaaaaaaaaa", "1234567890", "password12", "wayan-wayan-2026"):
        r = c.call("registry", "POST", "/users", json={"username": "wayan", "password": password,
                                                       "full_name": "Wayan", "roles": ["registrar"]})
        assert r.status_code == 422, (password, r.text)
        assert r.json()["errors"][0]["field"] == "password"


def test_deactivation_sign_out_and_password_change_revoke_tokens_on_every_service(cluster: Cluster) -> None:
    c = cluster
    for name in ("registry", "curation", "exhibitions"):
        c[name].start(FAST_REVOCATION, wait=False)
    for name in ("registry", "curation", "exhibitions"):
        c[name].wait_ready()
    c.create_user("nyoman.org", ["organiser"], password="batik-tulis-celuk-79")
    probes = {"registry": "/users/me", "curation": "/rubrics", "exhibitions": "/exhibitions"}

    def status_everywhere(token: str) -> set[int]:
        return {httpx.get(f"{c[name].url}{path}", headers={"Authorization": f"Bearer {token}"}).status_code
                for name, path in probes.items()}

    token = c.token_for("nyoman.org", "batik-tulis-celuk-79")
    assert status_everywhere(token) == {200}

    # Signing out ends this token only.
    other = c.token_for("nyoman.org", "batik-tulis-celuk-79")
    r = httpx.post(f"{c['registry'].url}/auth/logout", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 204
    eventually(lambda: status_everywhere(token) == {401}, timeout=15, what="signed-out token refused")
    assert status_everywhere(other) == {200}

    # A password change ends every earlier session; the new password works.
    r = httpx.post(f"{c['registry'].url}/users/me/password", headers={"Authorization": f"Bearer {other}"},
                   json={"current_password": "batik-tulis-celuk-79", "new_password": "tenun-ikat-sidemen-12"})
    assert r.status_code == 204, r.text
    eventually(lambda: status_everywhere(other) == {401}, timeout=15, what="old sessions refused")
    fresh = c.token_for("nyoman.org", "tenun-ikat-sidemen-12")
    assert status_everywhere(fresh) == {200}

    # Deactivation ends it too, and the user cannot sign in again.
    r = c.call("registry", "PATCH", "/users/nyoman.org", json={"active": False})
    assert r.status_code == 200 and r.json()["active"] is False
    eventually(lambda: status_everywhere(fresh) == {401}, timeout=15, what="deactivated user refused")
    assert _sign_in(c, "nyoman.org", "tenun-ikat-sidemen-12").status_code == 401


def test_responses_carry_security_headers_and_a_bounded_correlation_id(cluster: Cluster) -> None:
    c = cluster
    c.start("registry")
    r = c.call("registry", "GET", "/ikms", headers={"x-correlation-id": "x" * 5000})
    assert r.status_code == 200
    assert r.headers["cache-control"] == "no-store"
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    assert r.headers["referrer-policy"] == "no-referrer"
    assert len(r.headers["x-correlation-id"]) == 32  # a new one, not the caller's 5 KB
    assert "x" * 100 not in c["registry"].log_path.read_text()
    kept = c.call("registry", "GET", "/ikms", headers={"x-correlation-id": "import-gianyar-42"})
    assert kept.headers["x-correlation-id"] == "import-gianyar-42"
    assert httpx.get(f"{c['registry'].url}/asyncapi").status_code == 401
