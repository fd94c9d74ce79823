"""Exhibitions through real processes: allocation runs, manual work and outputs (issue 5)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from tests.integration.test_flow import applications_of, open_fair, register
from tests.support.cluster import Cluster, eventually
from tests.support.data import booth_body

DENPASAR = {"regency_code": "5171", "district_code": "5171010", "village_code": "5171010001"}
JEMBRANA = {"regency_code": "5101", "district_code": "5101010", "village_code": "5101010001"}


def people(c: Cluster) -> None:
    c.create_user("wayan.registrar", ["registrar"])
    c.create_user("komang.panitia", ["organiser"])


def run(c: Cluster, fair_id: str, **body: Any) -> dict[str, Any]:
    r = c.call("exhibitions", "POST", f"/exhibitions/{fair_id}/allocation-runs", user="komang.panitia", json=body)
    assert r.status_code == 201, r.text
    result: dict[str, Any] = r.json()
    return result


def test_allocation_runs_are_reproducible_published_locked_and_explained(cluster: Cluster) -> None:
    c = cluster
    c.start()
    people(c)
    fair_id = open_fair(c, booths=0)
    booths = [booth_body(f"A-{i:02d}", zone="Kriya", x=i * 3) for i in range(1, 4)]
    booths.append(booth_body("B-01", zone="Kriya Timur", x=0, y=6, accessible=True))
    r = c.call("exhibitions", "POST", f"/exhibitions/{fair_id}/booths", user="komang.panitia", json=booths)
    assert r.status_code == 201, r.text
    ikms = [register(c, name=f"UD Perak {i}", products=1) for i in range(6)]
    eventually(lambda: len(applications_of(c, fair_id)) == 6, what="six applications")

    # Preferences: validated against the floor plan's zones.
    r = c.call("exhibitions", "POST", f"/exhibitions/{fair_id}/preferences", user="komang.panitia",
               json={"ikm_id": ikms[5], "zones": ["Dapur"]})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "zones.0", r.text
    r = c.call("exhibitions", "POST", f"/exhibitions/{fair_id}/preferences", user="komang.panitia",
               json={"ikm_id": ikms[5], "zones": ["Kriya Timur"]})
    assert r.status_code == 200, r.text

    # Bad input names its field; roles are checked.
    r = c.call("exhibitions", "POST", f"/exhibitions/{fair_id}/allocation-runs", user="komang.panitia",
               json={"seed": "empat"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "seed"
    r = c.call("exhibitions", "POST", f"/exhibitions/{fair_id}/allocation-runs", user="wayan.registrar", json={})
    assert r.status_code == 403

    first, second = run(c, fair_id, seed=42), run(c, fair_id, seed=42)
    assert first["status"] == "draft" and first["seed"] == 42 and first["gap"] == 0
    assert first["allocated"] == 4 and first["waitlisted"] == 2
    assert first["results"] == second["results"]  # same seed, same applications: same allocation and reasons
    by_ikm = {row["ikm_id"]: row for row in first["results"]}
    assert by_ikm[ikms[5]]["booth_code"] == "B-01" and "choice no. 1" in by_ikm[ikms[5]]["reason_en"]
    assert all(row["reason"] and row["reason_en"] for row in first["results"])
    unseeded = run(c, fair_id)
    assert isinstance(unseeded["seed"], int)  # the seed drawn is published in the run

    r = c.call("exhibitions", "GET", f"/exhibitions/{fair_id}/allocation-runs/{first['id']}", user="wayan.registrar")
    assert r.status_code == 200 and r.json()["results"] == first["results"]

    r = c.call("exhibitions", "POST", f"/exhibitions/{fair_id}/allocation-runs/{second['id']}/publish",
               user="komang.panitia")
    assert r.status_code == 200 and r.json()["status"] == "published", r.text
    apps = applications_of(c, fair_id)
    for ikm_id, row in by_ikm.items():
        assert apps[ikm_id]["status"] == row["status"] and apps[ikm_id]["booth_code"] == row["booth_code"]
        assert apps[ikm_id]["waitlist_rank"] == row["waitlist_rank"] and apps[ikm_id]["reason"] == row["reason"]
    # The other draft was computed from what has now changed: refused.
    r = c.call("exhibitions", "POST", f"/exhibitions/{fair_id}/allocation-runs/{first['id']}/publish",
               user="komang.panitia")
    assert r.status_code == 409 and r.json()["code"] == "stale_run"

    # Published assignments are kept by a later run; unlocked ones may move.
    later = run(c, fair_id, seed=7)
    assert later["allocated"] == 0 and later["waitlisted"] == 2
    holder = next(k for k, row in by_ikm.items() if row["booth_code"] == "A-01")
    r = c.call("exhibitions", "POST", f"/exhibitions/{fair_id}/applications/{holder}/unlock", user="komang.panitia")
    assert r.status_code == 200 and r.json()["locked"] is False
    assert run(c, fair_id, seed=7)["allocated"] == 1
    r = c.call("exhibitions", "POST", f"/exhibitions/{fair_id}/allocation-runs/{second['id']}/unlock",
               user="komang.panitia")
    assert r.status_code == 200 and r.json()["unlocked"] == 3
    assert run(c, fair_id, seed=7)["allocated"] == 4

    r = c.call("exhibitions", "GET", f"/exhibitions/{fair_id}/allocation-runs/00000000-0000-0000-0000-000000000000",
               user="komang.panitia")
    assert r.status_code == 404


def test_an_infeasible_run_names_the_rule(cluster: Cluster) -> None:
    c = cluster
    c.start()
    people(c)
    fair_id = open_fair(c, booths=2, regency_codes=["5104", "5171", "5101"], regency_min_share=0.5,
                        regency_max_share=1.0)
    register(c, name="UD Gianyar", products=1)
    register(c, name="UD Denpasar", products=1, **DENPASAR)
    register(c, name="UD Jembrana", products=1, **JEMBRANA)
    eventually(lambda: len(applications_of(c, fair_id)) == 3, what="three applications")
    result = run(c, fair_id, seed=1)
    assert result["status"] == "infeasible" and result["results"] == []
    assert {p["rule"] for p in result["problems"]} == {"regency_min:5104", "regency_min:5171", "regency_min:5101"}
    assert result["problems"][0]["message"].startswith("Porsi minimum kabupaten/kota")
    r = c.call("exhibitions", "POST", f"/exhibitions/{fair_id}/allocation-runs/{result['id']}/publish",
               user="komang.panitia")
    assert r.status_code == 409


@pytest.mark.postgres
def test_fifty_concurrent_manual_assignments_of_one_booth_leave_one_holder(any_db_cluster: Cluster) -> None:
    c = any_db_cluster
    c.start()
    people(c)
    fair_id = open_fair(c, booths=1, requires_curation=True)  # applications wait for curation: A-01 stays free
    ikms = [register(c, name=f"UD Perak {i}", products=1) for i in range(50)]
    eventually(lambda: len(applications_of(c, fair_id)) == 50, timeout=60, what="fifty applications")
    token = c.token("komang.panitia")
    url = f"{c['exhibitions'].url}/exhibitions/{fair_id}/booths/A-01/assignment"

    def assign(ikm_id: str) -> int:
        r = httpx.put(url, json={"ikm_id": ikm_id}, headers={"Authorization": f"Bearer {token}"}, timeout=60)
        return r.status_code

    with ThreadPoolExecutor(max_workers=50) as pool:
        codes = list(pool.map(assign, ikms))
    assert sorted(codes) == [200] + [409] * 49, codes
    r = c.call("exhibitions", "GET", f"/exhibitions/{fair_id}/allocations", user="komang.panitia")
    assert len(r.json()) == 1 and r.json()[0]["ikm_id"] == ikms[codes.index(200)]
