"""Floor plans through real processes: a CSV upload, combining and splitting booths, the printed
exhibitor list, and the confirmation deadline of a hold assigned by hand."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from pypdf import PdfReader

from tests.integration.test_exhibitions import people
from tests.integration.test_exhibitions_outputs import SVG, holders
from tests.integration.test_flow import applications_of, open_fair, register
from tests.support.cluster import Cluster, eventually
from tests.support.data import booth_body

CSV = {"Content-Type": "text/csv"}


def booths_of(c: Cluster, fair_id: str, **params: Any) -> dict[str, dict[str, Any]]:
    r = c.call("exhibitions", "GET", f"/exhibitions/{fair_id}/booths", user="wayan.registrar", params=params)
    assert r.status_code == 200, r.text
    return {b["code"]: b for b in r.json()}


def test_a_floor_plan_uploads_as_csv_whole_or_not_at_all(cluster: Cluster) -> None:
    c = cluster
    c.start("registry", "exhibitions")
    people(c)
    fair_id = open_fair(c, booths=0)
    url = f"/exhibitions/{fair_id}/booths.csv"

    r = c.call("exhibitions", "GET", "/exhibitions/floorplan-template.csv", user="komang.panitia")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv"), r.text
    template = r.content
    r = c.call("exhibitions", "POST", url, user="komang.panitia", content=template, headers=CSV)
    assert r.status_code == 201, r.text
    assert [b["code"] for b in r.json()] == ["A-01", "A-02", "K-01"]
    assert booths_of(c, fair_id)["A-02"]["sectors"] == ["kriya", "fesyen"]

    # A bad row, then a duplicate code: nothing of the file is saved, each problem is named by row and column.
    bad = (b"kode;gedung;zona;sektor;lebar_m\n"
           b"B-01;Ksirarnawa;Kriya;kriya;2,5\n"
           b"B-02;Ksirarnawa;Kriya;batik;tiga\n")
    r = c.call("exhibitions", "POST", url, user="komang.panitia", content=bad, headers=CSV)
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["code"] == "bad_floorplan_file" and body["message"].startswith("Denah tidak dapat dimuat")
    assert [e["field"] for e in body["errors"]] == ["3.sectors", "3.width_m"]
    assert body["errors"][1]["message"].startswith("Baris 3, kolom width_m")
    assert body["errors"][1]["message_en"].startswith("Row 3, column width_m")
    duplicate = b"code,hall,zone\nB-01,Ksirarnawa,Kriya\nA-01,Ksirarnawa,Kriya\n"
    r = c.call("exhibitions", "POST", url, user="komang.panitia", content=duplicate, headers=CSV)
    assert r.status_code == 409 and r.json()["errors"][0]["field"] == "3.code", r.text
    assert r.json()["errors"][0]["message"].startswith("Baris 3: Kode stan A-01 sudah ada")
    assert set(booths_of(c, fair_id)) == {"A-01", "A-02", "K-01"}

    r = c.call("exhibitions", "POST", url, user="komang.panitia", files={"file": ("denah.csv", duplicate)})
    assert r.status_code == 415 and "text/csv" in r.json()["message_en"], r.text
    r = c.call("exhibitions", "POST", url, user="wayan.registrar", content=template, headers=CSV)
    assert r.status_code == 403
    r = c.call("exhibitions", "GET", "/exhibitions/floorplan-template.csv", user="wayan.registrar")
    assert r.status_code == 403
    r = c.call("exhibitions", "POST", "/exhibitions/00000000-0000-0000-0000-000000000001/booths.csv",
               user="komang.panitia", content=b"code,hall,zone\nC-01,H,Z\n", headers=CSV)
    assert r.status_code == 404, r.text


@pytest.mark.postgres
def test_organisers_combine_and_split_free_booths_and_the_plan_follows(any_db_cluster: Cluster) -> None:
    c = any_db_cluster
    c.start("registry", "exhibitions")
    people(c)
    fair_id = open_fair(c, booths=0, newcomer_share=0.0)
    plan = [booth_body(f"A-0{i}", x=3 * (i - 1)) for i in range(1, 5)]
    plan.append(booth_body("K-01", sectors=["kuliner"], zone="Kuliner", x=12))
    r = c.call("exhibitions", "POST", f"/exhibitions/{fair_id}/booths", user="komang.panitia", json=plan)
    assert r.status_code == 201, r.text
    silver = register(c, name="UD Perak Sari", products=1)
    eventually(lambda: holders(c, fair_id).get("A-01") == silver, what="A-01 held")
    base = f"/exhibitions/{fair_id}/booths"

    r = c.call("exhibitions", "POST", f"{base}/combine", user="komang.panitia",
               json={"codes": ["A-01", "A-02"], "code": "A-01/02"})
    assert r.status_code == 409 and r.json()["errors"][0]["field"] == "codes.0", r.text
    r = c.call("exhibitions", "POST", f"{base}/combine", user="komang.panitia",
               json={"codes": ["A-04", "K-01"], "code": "X-1"})
    assert r.status_code == 422 and "zone" in r.json()["errors"][0]["message_en"], r.text
    r = c.call("exhibitions", "POST", f"{base}/combine", user="komang.panitia",
               json={"codes": ["A-02", "A-04"], "code": "X-1"})
    assert r.status_code == 422 and "not adjacent" in r.json()["errors"][0]["message_en"], r.text
    r = c.call("exhibitions", "POST", f"{base}/combine", user="komang.panitia", json={"codes": ["A-02"], "code": "X"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "codes", r.text
    r = c.call("exhibitions", "POST", f"{base}/combine", user="wayan.registrar",
               json={"codes": ["A-02", "A-03"], "code": "A-02/03"})
    assert r.status_code == 403

    r = c.call("exhibitions", "POST", f"{base}/combine", user="komang.panitia",
               json={"codes": ["A-02", "A-03"], "code": "A-02/03"})
    assert r.status_code == 201, r.text
    assert {k: r.json()[k] for k in ("code", "x", "width_m", "active")} == \
        {"code": "A-02/03", "x": 3, "width_m": 6, "active": True}
    assert set(booths_of(c, fair_id)) == {"A-01", "A-02/03", "A-04", "K-01"}
    replaced = booths_of(c, fair_id, include_inactive="true")
    assert replaced["A-02"]["active"] is False and replaced["A-02"]["part_of"] == "A-02/03"
    r = c.call("exhibitions", "GET", f"/exhibitions/{fair_id}", user="wayan.registrar")
    assert r.json()["booths"] == 4
    r = c.call("exhibitions", "GET", f"/exhibitions/{fair_id}/floorplan.svg", user="komang.panitia")
    titles = {t.text for t in ET.fromstring(r.content).iter(f"{SVG}title")}
    assert titles == {"A-01", "A-02/03", "A-04", "K-01"}

    # A replaced booth cannot be assigned or moved to; the combined one can, slash in its code and all.
    r = c.call("exhibitions", "PUT", f"{base}/A-02/assignment", user="komang.panitia", json={"ikm_id": silver})
    assert r.status_code == 409 and r.json()["code"] == "booth_inactive" and "A-02/03" in r.json()["message"]
    r = c.call("exhibitions", "POST", f"{base}/A-01/move", user="komang.panitia", json={"to": "A-03"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "to", r.text
    r = c.call("exhibitions", "POST", f"{base}/A-01/move", user="komang.panitia", json={"to": "A-02/03"})
    assert r.status_code == 200 and r.json()["booth_code"] == "A-02/03", r.text
    r = c.call("exhibitions", "POST", f"{base}/A-02/03/split", user="komang.panitia")
    assert r.status_code == 409 and "ditempati" in r.json()["message"], r.text
    r = c.call("exhibitions", "POST", f"{base}/A-02%2F03/move", user="komang.panitia", json={"to": "A-01"})
    assert r.status_code == 200 and holders(c, fair_id) == {"A-01": silver}, r.text

    # Split back: the old booths return as they were; then a plain booth into equal parts.
    r = c.call("exhibitions", "POST", f"{base}/A-02/03/split", user="komang.panitia")
    assert r.status_code == 201 and [b["code"] for b in r.json()] == ["A-02", "A-03"], r.text
    r = c.call("exhibitions", "POST", f"{base}/A-04/split", user="komang.panitia", json={"parts": 2})
    assert r.status_code == 201, r.text
    assert [(b["code"], b["x"], b["width_m"], b["part_of"]) for b in r.json()] == \
        [("A-04a", 9, 1.5, "A-04"), ("A-04b", 10.5, 1.5, "A-04")]
    r = c.call("exhibitions", "POST", f"{base}/A-01/split", user="komang.panitia", json={"parts": 2})
    assert r.status_code == 409, r.text  # held
    r = c.call("exhibitions", "POST", f"{base}/A-02/split", user="komang.panitia", json={"parts": 2, "codes": ["x"]})
    assert r.status_code == 422, r.text
    assert set(booths_of(c, fair_id)) == {"A-01", "A-02", "A-03", "A-04a", "A-04b", "K-01"}

    # New IKM are placed on the booths that exist now, never on a replaced one.
    for i in range(4):
        register(c, name=f"UD Perak {i}", products=1)
    eventually(lambda: set(holders(c, fair_id)) == {"A-01", "A-02", "A-03", "A-04a", "A-04b"}, what="five held")


def test_the_printed_exhibitor_list_and_a_hand_assigned_holds_deadline(cluster: Cluster) -> None:
    c = cluster
    c.start("registry", "exhibitions")
    people(c)
    c.create_user("made.kurator", ["curator"])
    fair_id = open_fair(c, booths=0, newcomer_share=0.0)
    plan = [booth_body("A-01", x=0), booth_body("A-02", x=3), booth_body("K-01", sectors=["kuliner"], x=6)]
    r = c.call("exhibitions", "POST", f"/exhibitions/{fair_id}/booths", user="komang.panitia", json=plan)
    assert r.status_code == 201, r.text
    silver = register(c, name="UD Perak & Emas <Sari>", products=1)
    food = register(c, name="CV Dapur Bali", products=1, sector="kuliner")
    eventually(lambda: len(holders(c, fair_id)) == 2, what="two booths held")

    base = f"/exhibitions/{fair_id}"
    r = c.call("exhibitions", "DELETE", f"{base}/booths/A-01/assignment", user="komang.panitia")
    assert r.status_code == 204, r.text
    r = c.call("exhibitions", "PUT", f"{base}/booths/A-02/assignment", user="komang.panitia", json={"ikm_id": silver})
    assert r.status_code == 200, r.text
    r = c.call("exhibitions", "POST", f"{base}/applications/{silver}/confirm", user="komang.panitia")
    assert r.status_code == 200 and r.json()["confirm_by"] and r.json()["confirmed_at"], r.text
    assert r.json()["confirm_by"] > r.json()["confirmed_at"]  # SENTRA_CONFIRM_DAYS (14) ahead
    assert applications_of(c, fair_id)[silver]["booth_code"] == "A-02"

    r = c.call("exhibitions", "GET", f"{base}/exhibitors.pdf", user="wayan.registrar")
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf", r.text
    assert r.content.startswith(b"%PDF") and "exhibitors-" in r.headers["content-disposition"]
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(r.content)).pages)
    for words in ("Daftar Peserta Pameran", "Pameran IKM Bali Bangkit 2027 Tahap I", "Taman Budaya Bali",
                  "1 Maret 2099 s.d. 31 Mei 2099", "A-02", "UD Perak & Emas <Sari>", "K-01", "CV Dapur Bali",
                  "kuliner", "5104", "Dikonfirmasi", "Halaman 1 dari 1"):
        assert words in text, words
    assert text.index("A-02") < text.index("K-01") and "A-01" not in text
    for personal in ("Ni Made Sari", "081234567890", "Jl. Raya Singapadu", silver, food):
        assert personal not in text  # no personal data, and no more than the CSV shows
    r = c.call("exhibitions", "GET", f"{base}/exhibitors.pdf", user="made.kurator")
    assert r.status_code == 403
    r = c.call("exhibitions", "GET", f"{base}/exhibitors.pdf", user="komang.panitia",
               headers={"Authorization": "Bearer nonsense"})
    assert r.status_code == 401
    r = c.call("exhibitions", "GET", "/exhibitions/00000000-0000-0000-0000-000000000001/exhibitors.pdf",
               user="komang.panitia")
    assert r.status_code == 404
