"""An office's workbook previewed and mapped before anything is written (issue 15), through the
running registry: POST /imports answers `preview`, GET /imports/{id}/preview shows the table, the
columns and what cannot be read, PUT /imports/{id}/mapping maps a commodity to its sector and saves
the mapping, POST /imports/{id}/start runs it, and the next file with the same columns gets the
saved mapping proposed."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.test_office_import import ACCEPTED, finished
from tests.support.cluster import Cluster, eventually
from tests.support.office import OFFICE_ROWS, office_csv, office_xlsx

SERVICE = next(row for row in OFFICE_ROWS if row.cells[9] == "Jasa Servis")


def post(c: Cluster, content: bytes, filename: str, **form: str) -> dict[str, Any]:
    r = c.call("registry", "POST", "/imports", user="wayan.registrar", files={"file": (filename, content)},
               data=form or None)
    assert r.status_code == 202, r.text
    body: dict[str, Any] = r.json()
    return body


def count_ikm(c: Cluster) -> int:
    total: int = c.call("registry", "GET", "/ikms", params={"limit": 1}).json()["total"]
    return total


@pytest.mark.postgres
def test_an_office_workbook_is_previewed_mapped_saved_and_started(any_db_cluster: Cluster) -> None:
    c = any_db_cluster
    c.start("registry")
    c.create_user("wayan.registrar", ["registrar"])
    rows = [*ACCEPTED, SERVICE]

    started = post(c, office_xlsx(rows), "dinas-gianyar.xlsx")
    assert (started["status"], started["sheet"], started["header_row"], started["profile"]) == \
        ("preview", "DATA IKM", 4, None)
    import_id = started["id"]
    r = c.call("registry", "GET", f"/imports/{import_id}/preview", user="wayan.registrar")
    assert r.status_code == 200, r.text
    preview = r.json()
    assert (preview["sheet"], preview["header_row"], preview["total"], preview["ready"]) == \
        ("DATA IKM", 4, len(rows), len(ACCEPTED))
    columns = {col["column"]: col for col in preview["columns"]}
    assert columns["NO. HP"]["field"] == "owner_phone" and 0 < columns["NO. HP"]["confidence"] <= 1
    assert columns["TENAGA KERJA / JML"]["field"] == "workers"
    assert columns["KOMODITI / PRODUK"]["unresolved"] == [{"value": "Jasa Servis", "rows": 1}]
    assert columns["KOMODITI / PRODUK"]["problems"] == 1
    assert [row["row"] for row in preview["rows"]] == list(range(7, 7 + len(rows)))
    assert preview["rows"][0]["ikm"]["name"] == ACCEPTED[0].cells[1]
    assert preview["rows"][-1]["ikm"] is None and preview["rows"][-1]["errors"][0]["field"] == "KOMODITI / PRODUK"
    assert count_ikm(c) == 0  # nothing written by a preview

    bad = c.call("registry", "PUT", f"/imports/{import_id}/mapping", user="wayan.registrar",
                 json={"values": [{"column": "KOMODITI / PRODUK", "value": "Jasa Servis", "to": "bengkel"}]})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "values.0.to", bad.text
    unknown = c.call("registry", "PUT", f"/imports/{import_id}/mapping", user="wayan.registrar",
                     json={"columns": [{"column": "EMAIL", "field": None}]})
    assert unknown.status_code == 422 and "EMAIL" in unknown.json()["errors"][0]["message"]
    r = c.call("registry", "PUT", f"/imports/{import_id}/mapping", user="wayan.registrar",
               json={"values": [{"column": "komoditi / produk", "value": "jasa servis", "to": "desain_produk"}],
                     "columns": [{"column": "KET", "field": None}], "save_as": "Disperindag Gianyar"})
    assert r.status_code == 200, r.text
    mapped = r.json()
    assert (mapped["ready"], mapped["profile"]) == (len(rows), "Disperindag Gianyar")
    assert {col["column"]: col["source"] for col in mapped["columns"]}["KET"] == "mapping"

    r = c.call("registry", "POST", f"/imports/{import_id}/start", user="wayan.registrar")
    assert r.status_code == 202 and r.json()["status"] == "queued", r.text
    report = finished(c, import_id)
    assert (report["status"], report["accepted"], report["rejected"]) == ("done", len(rows), 0), report
    r = c.call("registry", "GET", "/ikms", params={"q": SERVICE.cells[1]})
    assert [i["sector"] for i in r.json()["items"]] == ["desain_produk"]
    again = c.call("registry", "POST", f"/imports/{import_id}/start", user="wayan.registrar")
    assert again.status_code == 409 and again.json()["message_en"], again.text
    assert c.call("registry", "GET", f"/imports/{import_id}/preview", user="wayan.registrar").status_code == 409

    # The same columns in the office's CSV: the saved mapping is proposed, and the run adds nothing new.
    second = post(c, office_csv("cp1252", rows), "dinas-gianyar.csv")
    assert (second["status"], second["profile"]) == ("preview", "Disperindag Gianyar")
    r = c.call("registry", "GET", f"/imports/{second['id']}/preview", user="wayan.registrar")
    assert r.json()["ready"] == len(rows)
    assert c.call("registry", "POST", f"/imports/{second['id']}/start", user="wayan.registrar").status_code == 202
    report = finished(c, second["id"])
    assert (report["accepted"], report["duplicates"], report["rejected"]) == (0, len(rows), 0), report
    eventually(lambda: count_ikm(c) == len(rows), what="every row registered once")


def test_the_kabupaten_given_with_the_upload_and_a_column_mapped_by_hand(cluster: Cluster) -> None:
    c = cluster
    c.start("registry")
    c.create_user("wayan.registrar", ["registrar"])
    text = office_csv("utf-8-sig", ACCEPTED[:2]).decode("utf-8-sig").split("\r\n")
    # No title naming the kabupaten, and the phone under a name nothing proposes.
    content = "\r\n".join(text[3:]).replace("NO. HP", "KONTAK WA PEMILIK").encode("utf-8-sig")

    refused = c.call("registry", "POST", "/imports", user="wayan.registrar", data={"mapping": "proposed"},
                     files={"file": ("tanpa-judul.csv", content)})
    assert refused.status_code == 422 and "regency_code" in {e["field"] for e in refused.json()["errors"]}
    bad_regency = c.call("registry", "POST", "/imports", user="wayan.registrar", data={"regency_code": "9999"},
                         files={"file": ("tanpa-judul.csv", content)})
    assert bad_regency.status_code == 422 and bad_regency.json()["errors"][0]["field"] == "regency_code"

    started = post(c, content, "tanpa-judul.csv")
    assert started["status"] == "preview"
    preview = c.call("registry", "GET", f"/imports/{started['id']}/preview", user="wayan.registrar").json()
    assert "regency_code" in {p["field"] for p in preview["problems"]}
    assert {col["column"]: col["field"] for col in preview["columns"]}["KONTAK WA PEMILIK"] is None
    early = c.call("registry", "POST", f"/imports/{started['id']}/start", user="wayan.registrar")
    assert early.status_code == 422 and "regency_code" in {e["field"] for e in early.json()["errors"]}
    r = c.call("registry", "PUT", f"/imports/{started['id']}/mapping", user="wayan.registrar",
               json={"regency_code": "5104", "columns": [{"column": "KONTAK WA PEMILIK", "field": "owner_phone"}]})
    assert r.status_code == 200 and r.json()["problems"] == [] and r.json()["regency_code"] == "5104", r.text
    assert c.call("registry", "POST", f"/imports/{started['id']}/start", user="wayan.registrar").status_code == 202
    report = finished(c, started["id"])
    assert (report["accepted"], report["rejected"]) == (2, 0), report
    r = c.call("registry", "GET", "/ikms", params={"q": ACCEPTED[0].cells[1]})
    [summary] = r.json()["items"]
    ikm = c.call("registry", "GET", f"/ikms/{summary['id']}").json()
    assert (ikm["regency_code"], ikm["owner"]["phone"]) == ("5104", ACCEPTED[0].expect["phone"])

    # With the kabupaten on the form, the same file runs at once with the proposed mapping.
    direct = post(c, content.replace(b"KONTAK WA PEMILIK", b"NO. HP"), "tanpa-judul.csv", mapping="proposed",
                  regency_code="5104")
    assert direct["status"] == "queued"
    assert finished(c, direct["id"])["duplicates"] == 2
