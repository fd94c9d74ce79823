"""Issue 18 over real processes: a fair's effective counts, registered IKM entered by id and by
invitation, closing a fair, and the fairness report of a run and of the published fair."""

from __future__ import annotations

from typing import Any

import redis

from tests.integration.test_flow import applications_of, open_fair, register
from tests.support.cluster import Cluster, eventually


def people(c: Cluster) -> None:
    c.create_user("wayan.registrar", ["registrar"])
    c.create_user("komang.panitia", ["organiser"])


def exhibitions_has_read(c: Cluster, count: int) -> bool:
    """Whether exhibitions has applied `count` ikm.registered events (read and acknowledged)."""
    client = redis.Redis.from_url(c.redis_url)
    try:
        groups: Any = client.xinfo_groups("ikm.registered")
    finally:
        client.close()
    group = next((g for g in groups if g["name"] in (b"exhibitions", "exhibitions")), None)
    return group is not None and group["entries-read"] == count and group["pending"] == 0


def post(c: Cluster, path: str, **kw: Any) -> Any:
    return c.call("exhibitions", "POST", path, user="komang.panitia", **kw)


def test_registered_ikm_are_brought_into_a_new_fair_which_then_closes(cluster: Cluster) -> None:
    c = cluster
    c.start()
    people(c)
    ikms = [register(c, name=f"UD Perak {i}", products=1) for i in range(3)]
    food = register(c, name="UD Lawar", products=1, sector="kuliner")
    # The fair comes after exhibitions has applied the registrations: no event brings them into it.
    eventually(lambda: exhibitions_has_read(c, 4), what="exhibitions applied the four registrations")
    fair_id = open_fair(c, booths=11, regency_min_share=0.1, regency_max_share=0.3, newcomer_share=0.0,
                        sectors=["kriya"])
    r = c.call("exhibitions", "GET", f"/exhibitions/{fair_id}", user="komang.panitia")
    assert r.json()["effective"] == {"booths": 11, "regency_min": 2, "regency_max": 3, "newcomer_min": 0,
                                     "sentra_cap": 5}
    assert applications_of(c, fair_id) == {}

    path = f"/exhibitions/{fair_id}/applications"
    r = eventually(lambda: (r := post(c, path, json={"ikm_id": ikms[0]})).status_code == 201 and r,
                   what="exhibitions knows the IKM")
    assert r.json()["status"] == "allocated" and r.json()["booth_code"] == "A-01", r.text
    r = post(c, path, json={"ikm_id": ikms[0]})
    assert r.status_code == 200 and r.json()["booth_code"] == "A-01"  # idempotent
    r = eventually(lambda: (r := post(c, path, json={"ikm_id": food})).status_code == 422
                   and "sector" in r.json()["message_en"] and r, what="the kuliner IKM known and refused")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "ikm_id", r.text
    r = post(c, path, json={"ikm_id": "bukan-uuid"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "ikm_id"
    assert c.call("exhibitions", "POST", path, user="wayan.registrar", json={"ikm_id": ikms[1]}).status_code == 403

    eventually(lambda: post(c, path, json={"ikm_id": ikms[2]}).status_code in (200, 201), what="all known")
    r = post(c, f"/exhibitions/{fair_id}/invitations")
    assert r.status_code == 200 and r.json() == {"entered": 1, "already": 2, "not_eligible": 0}, r.text
    r = post(c, f"/exhibitions/{fair_id}/invitations")
    assert r.json() == {"entered": 0, "already": 3, "not_eligible": 0}
    apps = applications_of(c, fair_id)
    # A 30 % maximum of 11 booths is 3 (never 4): all three of the regency fit.
    assert sorted(a["status"] for a in apps.values()) == ["allocated"] * 3

    # Closing: no more applications, holds stay, and the fair leaves the open fairs.
    assert c.call("exhibitions", "POST", f"/exhibitions/{fair_id}/close", user="wayan.registrar").status_code == 403
    r = post(c, f"/exhibitions/{fair_id}/close")
    assert r.status_code == 200 and r.json()["status"] == "closed"
    assert post(c, f"/exhibitions/{fair_id}/close").status_code == 200
    listed = c.call("exhibitions", "GET", "/exhibitions", user="komang.panitia", params={"status": "open"}).json()
    assert fair_id not in {f["id"] for f in listed["items"]}
    listed = c.call("exhibitions", "GET", "/exhibitions", user="komang.panitia", params={"status": "closed"}).json()
    assert fair_id in {f["id"] for f in listed["items"]}
    late = register(c, name="UD Perak Terlambat", products=1)
    r = eventually(lambda: (r := post(c, path, json={"ikm_id": late})).status_code == 409 and r,
                   what="the late IKM refused by the closed fair")
    assert "no longer accepts" in r.json()["message_en"]
    assert post(c, f"/exhibitions/{fair_id}/invitations").status_code == 409
    assert {k: a["status"] for k, a in applications_of(c, fair_id).items()} == {i: "allocated" for i in ikms}


def test_the_fairness_report_of_a_run_and_of_the_published_fair(cluster: Cluster) -> None:
    c = cluster
    c.start()
    people(c)
    ikms = [register(c, name=f"UD Perak {i}", products=1) for i in range(3)]
    fair_id = open_fair(c, booths=2, newcomer_share=0.5, regency_max_share=1.0)
    eventually(lambda: post(c, f"/exhibitions/{fair_id}/invitations").json()["already"] == 3
               or None, what="every IKM known and invited")
    r = post(c, f"/exhibitions/{fair_id}/allocation-runs", json={"seed": 3})
    assert r.status_code == 201, r.text
    run_id = r.json()["id"]
    (waiting,) = [row for row in r.json()["results"] if row["status"] == "waitlisted"]
    # Three equals for two booths: the lottery decided, and the run says so, as words and as a code.
    assert waiting["rule"] == "lottery" and "lottery decided" in waiting["reason_en"], waiting
    assert "minimum" not in waiting["reason_en"]
    r = c.call("exhibitions", "GET", f"/exhibitions/{fair_id}/allocation-runs/{run_id}/fairness",
               user="komang.panitia")
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["source"] == "run" and report["booths"] == 2 and report["allocated"] == 2
    assert report["applicants"] == 3 and report["effective"]["newcomer_min"] == 1
    (regency,) = report["regencies"]
    assert regency == {"key": "5104", "count": 2, "share": 1.0, "applicants": 3, "applicant_share": 1.0,
                       "min": 0, "max": 2, "within": True}
    assert report["newcomers"]["count"] == 2 and report["newcomers"]["within"]
    assert c.call("exhibitions", "GET", f"/exhibitions/{fair_id}/allocation-runs/{run_id}/fairness",
                  user="wayan.registrar").status_code == 403
    assert post(c, f"/exhibitions/{fair_id}/allocation-runs/{run_id}/publish").status_code == 200
    published = c.call("exhibitions", "GET", f"/exhibitions/{fair_id}/fairness", user="komang.panitia").json()
    assert published["source"] == "published"
    assert published["regencies"] == report["regencies"] and published["newcomers"] == report["newcomers"]
    assert len(ikms) == published["applicants"]
