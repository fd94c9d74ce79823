"""The registry through real processes (issue 3): bulk imports, changes, the mapping dashboard."""

from __future__ import annotations

import csv
import io
import re
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis

from tests.support.cluster import Cluster, eventually
from tests.support.data import ikm_body

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "import-gianyar.csv"
FAST_TAKEOVER = {"SENTRA_IMPORT_LEASE_S": "2", "SENTRA_IMPORT_POLL_S": "0.3"}


def xlen(redis_url: str, stream: str) -> int:
    client = redis.Redis.from_url(redis_url)
    try:
        return int(client.xlen(stream)) if client.exists(stream) else 0
    finally:
        client.close()


def registered_ikm_ids(redis_url: str) -> list[str]:
    """The ikm_id of every entry on ikm.registered (the relay may repeat one after a crash)."""
    client = redis.Redis.from_url(redis_url)
    try:
        raw = [str(fields) for _, fields in client.xrange("ikm.registered") or []]
    finally:
        client.close()
    return [m for entry in raw for m in re.findall(r'ikm_id\\?"\s*:\s*\\?"([0-9a-f-]{36})', entry)]


def upload(c: Cluster, content: bytes, filename: str = "import.csv", user: str = "wayan.registrar") -> Any:
    return c.call("registry", "POST", "/imports", user=user, files={"file": (filename, content, "text/csv")})


def finished(c: Cluster, import_id: str) -> dict[str, Any]:
    def check() -> dict[str, Any] | None:
        r = c.call("registry", "GET", f"/imports/{import_id}", user="wayan.registrar")
        assert r.status_code == 200, r.text
        body: dict[str, Any] = r.json()
        return body if body["status"] in ("done", "failed") else None

    result: dict[str, Any] = eventually(check, timeout=120, what="import finished")
    return result


def count_ikm(c: Cluster, **params: Any) -> int:
    r = c.call("registry", "GET", "/ikms", user="wayan.registrar", params={"limit": 1, **params})
    assert r.status_code == 200, r.text
    total: int = r.json()["total"]
    return total


@pytest.mark.postgres
def test_an_import_registers_good_rows_explains_bad_ones_and_is_idempotent(any_db_cluster: Cluster) -> None:
    c = any_db_cluster
    c.start("registry")
    c.create_user("wayan.registrar", ["registrar"])
    c.create_user("komang.panitia", ["organiser"])

    r = upload(c, EXAMPLE.read_bytes(), "import-gianyar.csv")
    assert r.status_code == 202, r.text
    report = finished(c, r.json()["id"])
    assert report["status"] == "done"
    assert (report["total"], report["processed"], report["accepted"], report["duplicates"], report["rejected"]) == \
        (30, 30, 22, 2, 6)
    rejected = {row["row"]: {e["field"] for e in row["errors"]} for row in report["rejected_rows"]}
    assert rejected == {14: {"owner_nik"}, 15: {"sector"}, 16: {"village_code"}, 24: {"kbli", "workers"},
                        25: {"name", "owner_phone"}, 26: {"investment_idr"}}
    for row in report["rejected_rows"]:
        for error in row["errors"]:
            assert error["message"] and error["message_en"] and error["message"] != error["message_en"]
    assert {d["row"] for d in report["duplicate_rows"]} == {23, 31}
    assert all(d["ikm_id"] for d in report["duplicate_rows"])
    assert count_ikm(c) == 22
    eventually(lambda: xlen(c.redis_url, "ikm.registered") == 22, what="one ikm.registered per new IKM")

    # The same file again: nothing new, every row a duplicate or the same rejection.
    again = finished(c, upload(c, EXAMPLE.read_bytes(), "import-gianyar.csv").json()["id"])
    assert (again["accepted"], again["duplicates"], again["rejected"]) == (0, 24, 6)
    assert count_ikm(c) == 22
    assert xlen(c.redis_url, "ikm.registered") == 22

    # Imports are for registrars; an organiser reads the register masked.
    assert upload(c, EXAMPLE.read_bytes(), user="komang.panitia").status_code == 403
    r = c.call("registry", "GET", "/ikms.csv", user="komang.panitia", params={"sector": "kuliner"})
    assert r.status_code == 200, r.text
    exported = list(csv.DictReader(io.StringIO(r.text)))
    assert len(exported) == 3
    assert all("*" in row["owner_nik"] and row["address"] == "(disembunyikan / hidden)" for row in exported)
    r = c.call("registry", "GET", "/ikms.csv", user="wayan.registrar", params={"sector": "kuliner"})
    assert all("*" not in row["owner_nik"] for row in csv.DictReader(io.StringIO(r.text)))


def test_a_file_that_cannot_be_imported_gets_a_clear_4xx(cluster: Cluster) -> None:
    c = cluster
    c.start("registry")
    c.create_user("wayan.registrar", ["registrar"])
    header = EXAMPLE.read_text().splitlines()[0]
    cases = [
        (b"", "import.csv", 422),
        (header.encode() + b"\n", "import.csv", 422),
        (b"\x00\x01\x02garbage\xff" * 50, "import.csv", 415),
        (b"PK\x03\x04 not really a zip", "import.xlsx", 422),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 old excel", "import.xls", 415),
        (b"x" * (21 * 1024 * 1024), "big.csv", 413),
    ]
    for content, name, status in cases:
        r = upload(c, content, name)
        assert r.status_code == status, (name, r.text[:300])
        body = r.json()
        assert body["message"] and body["message_en"]
    # Not in the template's format: refused when it must run at once, else kept for its preview.
    pekerja = header.replace("workers", "pekerja").encode() + b"\n1,2\n"
    r = c.call("registry", "POST", "/imports", user="wayan.registrar", data={"mapping": "proposed"},
               files={"file": ("import.csv", pekerja, "text/csv")})
    assert r.status_code == 422 and {e["field"] for e in r.json()["errors"]} == {"pekerja", "workers"}, r.text
    assert upload(c, pekerja).json()["status"] == "preview"
    r = c.call("registry", "POST", "/imports", user="wayan.registrar", json={"file": "x"})
    assert r.status_code == 422
    assert count_ikm(c) == 0


def test_an_import_interrupted_by_a_crash_resumes_after_its_last_committed_row(cluster: Cluster) -> None:
    c = cluster
    registry = c["registry"]
    registry.start(extra_env={**FAST_TAKEOVER, "SENTRA_IMPORT_CHUNK_ROWS": "10",
                              "SENTRA_FAULT_IMPORT_EXIT_AFTER_ROWS": "25"})
    c.create_user("wayan.registrar", ["registrar"])
    r = upload(c, EXAMPLE.read_bytes(), "import-gianyar.csv")
    assert r.status_code == 202, r.text
    assert registry.wait_exit(timeout=60) == 137  # died mid-chunk, rows 21-25 worked but not committed
    registry.proc = None

    registry.start(extra_env={**FAST_TAKEOVER, "SENTRA_IMPORT_CHUNK_ROWS": "10"})
    report = finished(c, r.json()["id"])
    assert (report["status"], report["accepted"], report["duplicates"], report["rejected"]) == ("done", 22, 2, 6)
    assert count_ikm(c) == 22
    # Exactly one event per new IKM: the relay is at least once, so a crash may repeat an entry
    # (consumers' inboxes absorb it), but no IKM is announced under two ids.
    ids = eventually(lambda: (found := registered_ikm_ids(c.redis_url)) and len(set(found)) == 22 and found,
                     what="ikm.registered for each IKM")
    assert len(set(ids)) == 22


@pytest.mark.postgres
def test_patch_publishes_ikm_updated_without_personal_data_and_a_failed_patch_writes_nothing(
    any_db_cluster: Cluster,
) -> None:
    c = any_db_cluster
    c.start("registry")
    c.create_user("wayan.registrar", ["registrar"])
    r = c.call("registry", "POST", "/ikms", user="wayan.registrar", json=ikm_body())
    ikm_id = r.json()["id"]

    r = c.call("registry", "PATCH", f"/ikms/{ikm_id}", user="wayan.registrar",
               json={"workers": 25, "owner": {"phone": "081200001111"}, "address": "Br. Baru"})
    assert r.status_code == 200, r.text
    assert r.json()["industry_class"] == "menengah"
    assert r.json()["owner"]["phone"] == "081200001111"

    def updated() -> list[str]:
        client = redis.Redis.from_url(c.redis_url)
        try:
            return [str(e) for _, e in client.xrange("ikm.updated") or []]
        finally:
            client.close()

    entries = eventually(updated, what="ikm.updated published")
    assert len(entries) == 1
    raw = str(entries[0])
    assert "081200001111" not in raw and "Br. Baru" not in raw and "nik" not in raw
    assert "workers" in raw and "industry_class" in raw

    before = c.call("registry", "GET", f"/ikms/{ikm_id}", user="wayan.registrar").json()
    for bad in ({"workers": 30, "village_code": "5104050003"}, {"workers": 0}, {"name": None},
                {"sentra_id": "00000000-0000-0000-0000-000000000000", "workers": 40}):
        r = c.call("registry", "PATCH", f"/ikms/{ikm_id}", user="wayan.registrar", json=bad)
        assert r.status_code == 422, r.text
    after = c.call("registry", "GET", f"/ikms/{ikm_id}", user="wayan.registrar").json()
    assert after == before
    assert len(updated()) == 1

    r = c.call("registry", "POST", f"/ikms/{ikm_id}/products", user="wayan.registrar",
               json={"name": "Bros perak", "price_idr": 300000})
    assert r.status_code == 201, r.text
    eventually(lambda: xlen(c.redis_url, "product.submitted") == 1, what="product.submitted")


def test_the_mapping_dashboard_counts_a_hand_counted_register(cluster: Cluster) -> None:
    c = cluster
    c.start("registry")
    c.create_user("wayan.registrar", ["registrar"])
    c.create_user("komang.panitia", ["organiser"])
    r = c.call("registry", "POST", "/sentra", user="wayan.registrar", json={
        "name": "Sentra Perak Celuk", "kind": "official", "sector": "kriya", "regency_code": "5104",
        "district_code": "5104010", "village_code": "5104010007", "decree_number": "188.45/123/2015",
        "decree_date": "2015-03-01", "koperasi_name": "Koperasi Perajin Perak Celuk",
        "problems": ["harga bahan baku perak naik"], "tourism_village": "Desa Wisata Celuk"})
    assert r.status_code == 201, r.text
    sentra_id = r.json()["id"]
    assert r.json()["below_minimum"] is True and r.json()["problems"] == ["harga bahan baku perak naik"]

    singapadu: dict[str, Any] = {"regency_code": "5104", "district_code": "5104010", "village_code": "5104010007"}
    batubulan: dict[str, Any] = {"regency_code": "5104", "district_code": "5104010", "village_code": "5104010001"}
    sesetan: dict[str, Any] = {"regency_code": "5171", "district_code": "5171010", "village_code": "5171010006"}
    competency = [{"kind": "competency", "number": "LSP-1", "issuer": "LSP Kriya Bali"}]
    fixture = [  # name, sector, region, workers, sentra, needs, certificates, year, status
        ("Perak A", "kriya", singapadu, 6, True, ["capital", "market_access"], competency, 2023, "active"),
        ("Perak B", "kriya", singapadu, 4, True, ["capital"], [], 2024, "active"),
        ("Perak C", "kriya", singapadu, 10, True, ["machinery"], competency, 2024, "inactive"),
        ("Jaje D", "kuliner", batubulan, 2, False, [], [], 2024, "active"),
        ("Kipas E", "kriya", sesetan, 3, False, ["packaging"], competency, 2023, "active"),
        ("Tutup F", "kriya", sesetan, 5, False, [], [], 2023, "closed"),
    ]
    for name, sector, region, workers, in_sentra, needs, certs, year, status in fixture:
        body = ikm_body(name=name, sector=sector, workers=workers, needs=needs, certifications=certs,
                        registered_year=year, status=status, sentra_id=sentra_id if in_sentra else None, **region)
        r = c.call("registry", "POST", "/ikms", user="wayan.registrar", json=body)
        assert r.status_code == 201, r.text

    r = c.call("registry", "GET", "/stats/mapping", user="komang.panitia")
    assert r.status_code == 200, r.text
    s = r.json()
    assert (s["total_ikm"], s["workers"]) == (5, 25)
    assert s["by_status"] == {"active": 4, "inactive": 1, "closed": 1}
    assert [(x["regency_code"], x["sector"], x["ikm"], x["workers"]) for x in s["by_regency_sector"]] == [
        ("5104", "kriya", 3, 20), ("5104", "kuliner", 1, 2), ("5171", "kriya", 1, 3)]
    assert [(x["code"], x["ikm"]) for x in s["by_district"]] == [("5104010", 4), ("5171010", 1)]
    assert [(x["code"], x["ikm"]) for x in s["by_village"]] == [("5104010001", 1), ("5104010007", 3),
                                                                 ("5171010006", 1)]
    [sentra] = s["by_sentra"]
    assert (sentra["ikm"], sentra["workers"], sentra["below_minimum"]) == (3, 20, True)
    assert sentra["needs"] == {"capital": 2, "machinery": 1, "market_access": 1}
    cert = s["certification"]
    assert (cert["competency_certified"], cert["competency_share"], cert["competency_target"],
            cert["competency_gap"]) == (3, 0.6, 1.0, 2)
    assert cert["by_kind"] == {"competency": 3}
    assert [(g["year"], g["registered"], g["cumulative"], g["growth_pct"]) for g in s["growth"]] == [
        (2023, 2, 2, None), (2024, 3, 5, 150.0)]
    assert s["by_industry_class"] == {"kecil": 5}

    assert count_ikm(c, certification="competency") == 3
    assert count_ikm(c, need="capital") == 2
    assert count_ikm(c, status="closed") == 1
    assert count_ikm(c, sentra_id=sentra_id, need="machinery") == 1
    assert c.call("registry", "GET", "/stats/mapping", user="wayan.registrar",
                  params={"regency_code": "5171"}).json()["total_ikm"] == 1


def test_a_sentra_is_kept_up_to_date_with_patch_and_its_regions_still_nest(cluster: Cluster) -> None:
    c = cluster
    c.start("registry")
    c.create_user("wayan.registrar", ["registrar"])
    c.create_user("komang.panitia", ["organiser"])
    r = c.call("registry", "POST", "/sentra", user="wayan.registrar", json={
        "name": "Sentra Bambu Kayubihi", "kind": "candidate", "sector": "kriya", "regency_code": "5106",
        "district_code": "5106020"})
    assert r.status_code == 201, r.text
    sentra_id = r.json()["id"]
    assert r.json()["decree_missing"] is False

    # Made official by the regent, but the decree is not in yet: flagged until it is.
    r = c.call("registry", "PATCH", f"/sentra/{sentra_id}", user="wayan.registrar", json={"kind": "official"})
    assert r.status_code == 200, r.text
    assert (r.json()["kind"], r.json()["decree_missing"]) == ("official", True)
    r = c.call("registry", "PATCH", f"/sentra/{sentra_id}", user="wayan.registrar", json={
        "decree_number": "188.45/77/HK/2019", "decree_date": "2019-06-10",
        "koperasi_name": "Koperasi Bambu Kayubihi", "problems": ["bambu tali makin sulit didapat"]})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["decree_missing"] is False and body["kind"] == "official" and body["district_code"] == "5106020"
    assert body["problems"] == ["bambu tali makin sulit didapat"]
    assert c.call("registry", "GET", f"/sentra/{sentra_id}", user="komang.panitia").json() == body

    # A district outside the sentra's regency, a cleared name, an unknown field: refused, nothing changed.
    r = c.call("registry", "PATCH", f"/sentra/{sentra_id}", user="wayan.registrar",
               json={"district_code": "5104010", "koperasi_name": "Lain"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "district_code"
    r = c.call("registry", "PATCH", f"/sentra/{sentra_id}", user="wayan.registrar", json={"name": None})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "name"
    r = c.call("registry", "PATCH", f"/sentra/{sentra_id}", user="wayan.registrar", json={"members": 9})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "members"
    assert c.call("registry", "GET", f"/sentra/{sentra_id}", user="komang.panitia").json() == body

    # Only registrars keep the register; an unknown sentra is 404.
    assert c.call("registry", "PATCH", f"/sentra/{sentra_id}", user="komang.panitia",
                  json={"location": "x"}).status_code == 403
    assert c.call("registry", "PATCH", f"/sentra/{uuid.uuid4()}", user="wayan.registrar",
                  json={"location": "x"}).status_code == 404


@pytest.mark.postgres
def test_a_registry_split_into_api_and_worker_takes_a_burst_of_registrations_and_an_import(
    split_registry_cluster: Cluster,
) -> None:
    """ADR 0015: the `api` process answers (registrations written by group commit, several per
    transaction), the `worker` process on the same database publishes their events when the api
    process wakes it, folds the curation cases into the timeline and runs the import."""
    c = split_registry_cluster
    c["registry-worker"].env["SENTRA_IMPORT_POLL_S"] = "0.3"
    # The worker's relay would look on its own only once a minute: what the api process commits
    # reaches it by the wake-up the api process publishes (Runtime.notify_relay).
    c["registry-worker"].env["SENTRA_RELAY_POLL_S"] = "60"
    c.start("registry", "registry-worker", "curation")
    assert httpx.get(f"{c['registry'].url}/readyz").json()["role"] == "api"
    assert httpx.get(f"{c['registry-worker'].url}/readyz").json()["role"] == "worker"
    assert httpx.get(f"{c['registry-worker'].url}/ikms").status_code == 404  # no user routes on a worker
    c.create_user("wayan.registrar", ["registrar"])

    bodies = [ikm_body(name=f"UD Serentak {i}") for i in range(40)]
    bodies[7]["nib"] = bodies[3]["nib"]
    bodies[11]["village_code"] = "5171010001"  # a Denpasar village in a Gianyar district
    with ThreadPoolExecutor(16) as pool:
        replies = list(pool.map(lambda b: c.call("registry", "POST", "/ikms", user="wayan.registrar", json=b),
                                bodies))

    codes = [r.status_code for r in replies]
    assert sorted([codes[3], codes[7]]) == [201, 409], codes
    assert codes[11] == 422 and replies[11].json()["errors"][0]["field"] == "village_code"
    assert codes.count(201) == 38
    created = {r.json()["id"] for r in replies if r.status_code == 201}

    eventually(lambda: set(registered_ikm_ids(c.redis_url)) == created, what="ikm.registered for each new IKM")
    some = sorted(created)[0]

    def cases_in_timeline() -> bool:
        body = c.call("registry", "GET", f"/ikms/{some}", user="wayan.registrar").json()
        return sum(t["event_type"] == "curation.case_opened" for t in body["timeline"]) == 2

    eventually(cases_in_timeline, what="both products' cases in the timeline (folded by the worker)")

    r = upload(c, EXAMPLE.read_bytes(), EXAMPLE.name)
    assert r.status_code == 202, r.text
    done = finished(c, r.json()["id"])
    assert done["status"] == "done" and done["accepted"] == 22, done
    assert count_ikm(c) == 38 + 22
