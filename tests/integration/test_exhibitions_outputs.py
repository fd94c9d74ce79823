"""Exhibitions outputs through real processes: floor plan, exhibitor list, check-ins, move and swap."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET

from tests.integration.test_exhibitions import people
from tests.integration.test_flow import applications_of, open_fair, register
from tests.support.cluster import Cluster, eventually
from tests.support.data import booth_body

SVG = "{http://www.w3.org/2000/svg}"


def test_floorplan_exhibitor_list_and_checkins(cluster: Cluster) -> None:
    c = cluster
    c.start()
    people(c)
    fair_id = open_fair(c, booths=0, newcomer_share=0.0)
    booths = [booth_body("A-01", x=0), booth_body("A-02", x=3), booth_body("K-01", sectors=["kuliner"], x=0, y=4)]
    r = c.call("exhibitions", "POST", f"/exhibitions/{fair_id}/booths", user="komang.panitia", json=booths)
    assert r.status_code == 201, r.text
    silver = register(c, name="UD Perak & Emas <Sari>", products=1)
    food = register(c, name="CV Dapur Bali", products=1, sector="kuliner")
    eventually(lambda: sum(a["status"] == "allocated" for a in applications_of(c, fair_id).values()) == 2,
               what="two booths held")

    r = c.call("exhibitions", "GET", f"/exhibitions/{fair_id}/floorplan.svg", user="wayan.registrar")
    assert r.status_code == 200 and r.headers["content-type"].startswith("image/svg+xml"), r.text
    root = ET.fromstring(r.content)
    booth_group = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "booths")
    assert len(list(booth_group.iter(f"{SVG}rect"))) == 3
    assert "UD Perak &amp; Emas &lt;Sari&gt;" in r.text
    r = c.call("exhibitions", "GET", f"/exhibitions/{fair_id}/floorplan.svg", user="komang.panitia",
               headers={"Authorization": "Bearer nonsense"})
    assert r.status_code == 401

    r = c.call("exhibitions", "GET", f"/exhibitions/{fair_id}/exhibitors.csv", user="komang.panitia")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv"), r.text
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8"))))
    assert [row["booth_code"] for row in rows] == ["A-01", "K-01"]
    assert rows[0]["ikm_name"] == "UD Perak & Emas <Sari>" and rows[0]["ikm_id"] == silver
    assert rows[1]["sector"] == "kuliner" and rows[1]["regency_code"] == "5104" and rows[1]["status"] == "allocated"
    assert set(rows[0]) == {"booth_code", "hall", "zone", "ikm_id", "ikm_name", "sector", "regency_code", "status"}

    url = f"/exhibitions/{fair_id}/checkins"
    r = c.call("exhibitions", "POST", url, user="komang.panitia", json={"ikm_id": silver, "day": "2099-03-01"})
    assert r.status_code == 201 and r.json()["ikm_name"] == "UD Perak & Emas <Sari>", r.text
    r = c.call("exhibitions", "POST", url, user="komang.panitia", json={"ikm_id": silver, "day": "2099-03-01"})
    assert r.status_code == 409, r.text
    r = c.call("exhibitions", "POST", url, user="komang.panitia", json={"ikm_id": silver, "day": "2099-06-01"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "day", r.text
    r = c.call("exhibitions", "POST", url, user="komang.panitia", json={"ikm_id": silver, "day": "besok"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "day", r.text
    stranger = "00000000-0000-0000-0000-000000000001"
    r = c.call("exhibitions", "POST", url, user="komang.panitia", json={"ikm_id": stranger, "day": "2099-03-01"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "ikm_id", r.text
    r = c.call("exhibitions", "POST", url, user="wayan.registrar", json={"ikm_id": food, "day": "2099-03-01"})
    assert r.status_code == 403
    for day in ("2099-03-01", "2099-03-02"):
        r = c.call("exhibitions", "POST", url, user="komang.panitia", json={"ikm_id": food, "day": day})
        assert r.status_code == 201, r.text
    r = c.call("exhibitions", "GET", url, user="wayan.registrar")
    assert r.status_code == 200, r.text
    assert r.json()["per_day"] == [{"day": "2099-03-01", "count": 2}, {"day": "2099-03-02", "count": 1}]
    assert len(r.json()["items"]) == 3


def holders(c: Cluster, fair_id: str) -> dict[str, str]:
    r = c.call("exhibitions", "GET", f"/exhibitions/{fair_id}/allocations", user="komang.panitia")
    assert r.status_code == 200, r.text
    return {row["booth_code"]: row["ikm_id"] for row in r.json()}


def test_move_and_swap_keep_one_holder_per_booth_and_tell_the_registry(cluster: Cluster) -> None:
    c = cluster
    c.start()
    people(c)
    fair_id = open_fair(c, booths=0, newcomer_share=0.0)
    booths = [booth_body(f"A-0{i}", x=3 * i) for i in range(1, 5)]
    booths.append(booth_body("K-01", sectors=["kuliner"], y=4))
    r = c.call("exhibitions", "POST", f"/exhibitions/{fair_id}/booths", user="komang.panitia", json=booths)
    assert r.status_code == 201, r.text
    for i in range(3):
        register(c, name=f"UD Perak {i}", products=1)
    register(c, name="CV Dapur Bali", products=1, sector="kuliner")
    eventually(lambda: len(holders(c, fair_id)) == 4, what="four booths held")
    before = holders(c, fair_id)
    free = next(b["code"] for b in booths if b["code"] not in before)
    mover, taken = sorted(code for code in before if code.startswith("A-"))[:2]  # three kriya holders

    base = f"/exhibitions/{fair_id}"
    r = c.call("exhibitions", "POST", f"{base}/booths/{mover}/move", user="komang.panitia", json={"to": taken})
    assert r.status_code == 409 and r.json()["errors"][0]["field"] == "to", r.text
    r = c.call("exhibitions", "POST", f"{base}/booths/{mover}/move", user="komang.panitia", json={"to": "K-01"})
    assert r.status_code in (409, 422), r.text  # K-01 is held, and takes only kuliner
    r = c.call("exhibitions", "POST", f"{base}/booths/{mover}/move", user="komang.panitia", json={"to": "Z-99"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "to", r.text
    r = c.call("exhibitions", "POST", f"{base}/booths/{mover}/move", user="komang.panitia", json={})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "to", r.text
    r = c.call("exhibitions", "POST", f"{base}/booths/{mover}/move", user="wayan.registrar", json={"to": free})
    assert r.status_code == 403
    r = c.call("exhibitions", "POST", f"{base}/booths/{mover}/move", user="komang.panitia", json={"to": free})
    assert r.status_code == 200 and r.json()["booth_code"] == free, r.text
    after = holders(c, fair_id)
    assert after[free] == before[mover] and mover not in after
    moved = before[mover]
    assert "dipindah" in applications_of(c, fair_id)[moved]["reason"].lower()

    # Swap: both kriya holders exchange; a kriya holder may not take the kuliner booth.
    r = c.call("exhibitions", "POST", f"{base}/swaps", user="komang.panitia", json={"a": free, "b": "K-01"})
    assert r.status_code == 422 and {e["field"] for e in r.json()["errors"]} == {"a", "b"}, r.text
    r = c.call("exhibitions", "POST", f"{base}/swaps", user="komang.panitia", json={"a": free, "b": mover})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "b", r.text  # mover is free now
    r = c.call("exhibitions", "POST", f"{base}/swaps", user="komang.panitia", json={"a": free, "b": free})
    assert r.status_code == 422, r.text
    r = c.call("exhibitions", "POST", f"{base}/swaps", user="komang.panitia", json={"a": free, "b": taken})
    assert r.status_code == 200 and len(r.json()) == 2, r.text
    swapped = holders(c, fair_id)
    assert swapped[free] == before[taken] and swapped[taken] == moved
    assert len(set(swapped.values())) == len(swapped) == 4

    def told(ikm_id: str) -> bool:
        r = c.call("registry", "GET", f"/ikms/{ikm_id}", user="wayan.registrar")
        kinds = [entry["event_type"] for entry in r.json()["timeline"]]
        return kinds.count("exhibition.booth_allocated") >= 2 and "exhibition.booth_released" in kinds

    eventually(lambda: told(moved) and told(before[taken]), what="registry timelines show the moves")

    # Confirming a hold: organisers only; only a holder; the second confirmation keeps the first time.
    r = c.call("exhibitions", "POST", f"{base}/applications/{moved}/confirm", user="wayan.registrar")
    assert r.status_code == 403
    r = c.call("exhibitions", "POST", f"{base}/applications/{moved}/confirm", user="komang.panitia")
    assert r.status_code == 200 and r.json()["confirmed_at"], r.text
    again = c.call("exhibitions", "POST", f"{base}/applications/{moved}/confirm", user="komang.panitia")
    assert again.status_code == 200 and again.json()["confirmed_at"] == r.json()["confirmed_at"]
    r = c.call("exhibitions", "DELETE", f"{base}/booths/{taken}/assignment", user="komang.panitia")
    assert r.status_code == 204, r.text
    r = c.call("exhibitions", "POST", f"{base}/applications/{moved}/confirm", user="komang.panitia")
    assert r.status_code == 409, r.text
    r = c.call("exhibitions", "POST", f"{base}/applications/00000000-0000-0000-0000-000000000001/confirm",
               user="komang.panitia")
    assert r.status_code == 404, r.text
