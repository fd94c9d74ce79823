"""Issue 16 end to end on real Redis: photos uploaded to the registry reach the case, three approving
scores list the product in the public catalogue with its photos reachable without a token, and
expiry and a withdrawal delist it, each told on the IKM's timeline; an unlisted product's photos
stay behind a token."""

from __future__ import annotations

import csv
import io
import sqlite3
from typing import Any

import httpx

from tests.integration.test_curation import score, sheet
from tests.integration.test_flow import cases_of, setup_people
from tests.integration.test_photos import upload
from tests.support.cluster import Cluster, eventually
from tests.support.data import ikm_body
from tests.support.images import photo_with_gps, png_bytes


def catalogue(c: Cluster, **params: Any) -> dict[str, Any]:
    r = httpx.get(f"{c['curation'].url}/catalogue", params=params)  # no token
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def timeline_lines(c: Cluster, ikm_id: str) -> list[str]:
    r = c.call("registry", "GET", f"/ikms/{ikm_id}", user="wayan.registrar")
    return [e["summary_en"] for e in r.json()["timeline"] if e["event_type"] == "catalogue.changed"]


def approve(c: Cluster, ikm_id: str, product_id: str) -> str:
    case = eventually(lambda: next((x for x in cases_of(c, ikm_id) if x["product_id"] == product_id
                                    and len(x["assignments"]) == 3), None), what="the product's case")
    for curator in ("kurator1", "kurator2", "kurator3"):
        r = score(c, case["id"], curator, sheet(5))
        assert r.status_code == 201, r.text
    case_id: str = case["id"]
    return case_id


def test_photos_reach_the_case_and_the_catalogue_lists_then_delists(cluster: Cluster) -> None:
    c = cluster
    registry_url = c["registry"].url
    c.start("registry")
    c["curation"].start(extra_env={"SENTRA_EXPIRY_INTERVAL_S": "0.5", "SENTRA_REGISTRY_PUBLIC_URL": registry_url})
    setup_people(c)
    products = [{"name": "Cincin perak motif jawan", "category": "perhiasan", "price_idr": 450_000,
                 "description": "Perak 925, dikerjakan tangan di Celuk."},
                {"name": "Gelang perak ukir", "category": "perhiasan", "price_idr": 650_000}]
    ikm_id = c.call("registry", "POST", "/ikms", user="wayan.registrar",
                    json=ikm_body(products=2) | {"products": products}).json()["id"]
    ring, bangle = [p["id"] for p in c.call("registry", "GET", f"/ikms/{ikm_id}").json()["products"]]

    # 1. Two photos uploaded to the registry...
    first = upload(c, ikm_id, ring, photo_with_gps()).json()
    second = upload(c, ikm_id, ring, png_bytes()).json()
    photo_url = f"{registry_url}/ikms/{ikm_id}/products/{ring}/photos/{first['id']}/display"
    # 2. ...show in the case, marked as added since it opened (the case opened at registration).
    case_id = eventually(lambda: next((x["id"] for x in cases_of(c, ikm_id) if x["product_id"] == ring), None),
                         what="the ring's case")
    case = eventually(lambda: (x := c.call("curation", "GET", f"/cases/{case_id}").json()) and len(x["photos"]) == 2
                      and x, what="the case's photos")
    assert [p["photo_id"] for p in case["photos"]] == [first["id"], second["id"]]
    assert all(p["added_since_opening"] for p in case["photos"]) and case["photos"][0]["display_url"] == photo_url
    # Not listed yet: the photos are behind a token.
    assert httpx.get(photo_url).status_code == 401

    # 3. Three approving scores list it: the catalogue and its photos need no token.
    approve(c, ikm_id, ring)
    listed = eventually(lambda: (x := catalogue(c))["total"] == 1 and x, what="the listing")
    item = listed["items"][0]
    assert (item["product_id"], item["name"], item["description"], item["price_idr"], item["grade"]) == (
        ring, "Cincin perak motif jawan", "Perak 925, dikerjakan tangan di Celuk.", 450_000, "A")
    assert (item["ikm_name"], item["sector"], item["regency_code"], item["regency_name"]) == (
        "UD Perak Sari Singapadu", "kriya", "5104", "Kabupaten Gianyar")
    assert item["valid_until"] and item["conditions"] is None
    assert "Ni Made Sari" not in str(listed) and "081234567890" not in str(listed)
    assert len(item["photos"]) == 2 and item["photos"][0]["display_url"] == photo_url
    public = eventually(lambda: (r := httpx.get(photo_url)).status_code == 200 and r, what="the public photo")
    assert public.headers["content-type"] == "image/jpeg" and b"SuiteCam" not in public.content
    assert httpx.get(item["photos"][1]["thumbnail_url"]).status_code == 200
    assert httpx.get(f"{c['curation'].url}/catalogue/{ring}").json()["name"] == "Cincin perak motif jawan"
    rows = list(csv.reader(io.StringIO(httpx.get(f"{c['curation'].url}/catalogue.csv").text)))
    assert rows[1][1] == "Cincin perak motif jawan" and rows[1][13] == photo_url
    ld = httpx.get(f"{c['curation'].url}/catalogue.jsonld", params={"q": "perak"}).json()
    assert ld["itemListElement"][0]["item"]["offers"]["price"] == 450_000
    assert catalogue(c, sector="fesyen")["total"] == 0 and catalogue(c, price_min=500_000)["total"] == 0
    assert eventually(lambda: timeline_lines(c, ikm_id), what="the timeline")[0].startswith(
        "Product Cincin perak motif jawan listed")

    # 4a. A withdrawal delists the second product once listed.
    approve(c, ikm_id, bangle)
    eventually(lambda: catalogue(c)["total"] == 2, what="the second listing")
    r = c.call("registry", "POST", f"/ikms/{ikm_id}/products/{bangle}/withdrawal", user="wayan.registrar")
    assert r.status_code == 202, r.text
    eventually(lambda: [i["product_id"] for i in catalogue(c)["items"]] == [ring], what="the withdrawal")
    assert eventually(lambda: any("withdrawn by the registrar" in line for line in timeline_lines(c, ikm_id)),
                      what="the withdrawal on the timeline")

    # 4b. Expiry delists the first: its approval is made to lapse yesterday, the expiry pass finds it.
    with sqlite3.connect(c.root / "data" / "curation.db", timeout=30) as db:
        db.execute("UPDATE curation_case SET valid_until = '2020-01-01' WHERE product_id = ?",
                   (ring.replace("-", ""),))
    eventually(lambda: catalogue(c)["total"] == 0, what="the expiry")
    assert eventually(lambda: any("approval expired" in line for line in timeline_lines(c, ikm_id)),
                      what="the expiry on the timeline")
    assert httpx.get(f"{c['curation'].url}/catalogue/{ring}").status_code == 404
    # 5. Unlisted again: the photos are back behind a token.
    assert eventually(lambda: httpx.get(photo_url).status_code == 401, what="the photo behind a token")
    assert c.call("registry", "GET", f"/ikms/{ikm_id}/products/{ring}/photos/{first['id']}/display",
                  user="kurator1").status_code == 200
