"""An office's own workbook through the running registry (issue 15): XLSX with a title block, merged
two-row header, numbering row, totals and signature, a recap sheet first; the same sheet as Excel's
`;` CSV in Windows-1252 and in UTF-8 with BOM. Counts, values read back, messages, and a second
import of the same file adds nothing."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.test_registry import finished
from tests.support.cluster import Cluster, eventually
from tests.support.office import OFFICE_ROWS, office_csv, office_xlsx

ACCEPTED = [row for row in OFFICE_ROWS if row.expect["outcome"] == "accepted"]
REJECTED = {7 + i: row.expect for i, row in enumerate(OFFICE_ROWS) if row.expect["outcome"] == "rejected"}
FILES = {"xlsx": ("dinas-gianyar.xlsx", office_xlsx), "csv-cp1252": ("dinas-gianyar.csv", lambda: office_csv("cp1252")),
         "csv-utf8-bom": ("dinas-gianyar.csv", lambda: office_csv("utf-8-sig"))}


def upload(c: Cluster, content: bytes, filename: str) -> dict[str, Any]:
    """At once with the proposed mapping (the preview is test_import_preview's)."""
    r = c.call("registry", "POST", "/imports", user="wayan.registrar", files={"file": (filename, content)},
               data={"mapping": "proposed"})
    assert r.status_code == 202, r.text
    body: dict[str, Any] = r.json()
    return body


def ikm_named(c: Cluster, name: str) -> dict[str, Any]:
    r = c.call("registry", "GET", "/ikms", params={"q": name})
    assert r.status_code == 200, r.text
    [summary] = r.json()["items"]
    r = c.call("registry", "GET", f"/ikms/{summary['id']}")  # as admin: the NIK unmasked
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def check_stored(c: Cluster) -> None:
    for row in ACCEPTED:
        ikm, expect = ikm_named(c, row.cells[1]), row.expect
        assert (ikm["regency_code"], ikm["village_code"], ikm["sector"], ikm["workers"]) == \
            ("5104", expect["village_code"], expect["sector"], expect["workers"]), ikm["name"]
        for name in ("nib", "district_code", "kbli", "investment_idr", "business_form", "address"):
            if name in expect:
                assert ikm[name] == expect[name], (ikm["name"], name)
        for name in ("nik", "phone", "gender"):
            if name in expect:
                assert ikm["owner"][name] == expect[name], (ikm["name"], name)
        assert ikm["owner"]["masked"] is False
        if "capacity" in expect:
            assert ikm["products"][0]["monthly_capacity"] == expect["capacity"]
        if expect.get("cert"):
            assert [(x["kind"], x["valid_until"]) for x in ikm["certifications"]] == [expect["cert"]]


@pytest.mark.parametrize("kind", list(FILES))
def test_an_office_workbook_goes_in_as_the_office_keeps_it(cluster: Cluster, kind: str) -> None:
    c = cluster
    c.start("registry")
    c.create_user("wayan.registrar", ["registrar"])
    # An admin added a namesake of Kemenuh in Ubud: "Kemenuh" without kecamatan is now ambiguous.
    r = c.call("registry", "POST", "/regions/villages",
               json={"code": "5104050099", "district_code": "5104050", "name": "Kemenuh"})
    assert r.status_code == 201, r.text
    filename, make = FILES[kind]
    content = make()

    started = upload(c, content, filename)
    assert started["header_row"] == 4
    assert started["sheet"] == ("DATA IKM" if kind == "xlsx" else None)
    assert {w["field"] for w in started["warnings"]} == {"TAHUN BERDIRI", "TGL TERBIT NIB", "KET"}
    report = finished(c, started["id"])
    assert report["status"] == "done", report
    assert (report["total"], report["accepted"], report["duplicates"], report["rejected"]) == \
        (len(OFFICE_ROWS), len(ACCEPTED), 0, len(REJECTED))
    reasons = {row["row"]: row["errors"] for row in report["rejected_rows"]}
    assert set(reasons) == set(REJECTED)
    for line, expect in REJECTED.items():
        match = [e for e in reasons[line] if e["field"] == expect["column"] and expect["message"] in e["message"]]
        assert match, reasons[line]
        assert match[0]["message_en"] and match[0]["message_en"] != match[0]["message"]
    ambiguous = next(e for line, errors in reasons.items() for e in errors if "lebih dari satu" in e["message"])
    assert "Sukawati" in ambiguous["message"] and "Ubud" in ambiguous["message"]
    check_stored(c)

    again = finished(c, upload(c, content, filename)["id"])
    assert (again["accepted"], again["duplicates"], again["rejected"]) == (0, len(ACCEPTED), len(REJECTED))
    r = c.call("registry", "GET", "/ikms", params={"limit": 1})
    assert r.json()["total"] == len(ACCEPTED)


@pytest.mark.postgres
def test_a_nul_in_one_row_rejects_that_row_and_not_the_import(any_db_cluster: Cluster) -> None:
    c = any_db_cluster
    c.start("registry")
    c.create_user("wayan.registrar", ["registrar"])
    lines = office_csv("utf-8-sig", ACCEPTED).decode("utf-8-sig").split("\r\n")
    # The NUL lies past the first 4 KB (a file with one there is refused whole as binary).
    first_row = 6  # title, blank, header, sub-header, numbering: data starts on the 7th line
    while len("\r\n".join(lines[:first_row + 1]).encode()) < 4096:
        lines[1] += " " * 200  # a wide second title line, as a long office name would make it
    lines[first_row + 1] = lines[first_row + 1].replace("Br. Ketewel", "Br. Ket\x00ewel")
    report = finished(c, upload(c, ("\r\n".join(lines)).encode("utf-8-sig"), "nul.csv")["id"])
    assert report["status"] == "done", report
    assert (report["accepted"], report["rejected"]) == (len(ACCEPTED) - 1, 1)
    [row] = report["rejected_rows"]
    assert row["row"] == 8 and row["errors"][0]["field"] == "ALAMAT"
    assert "karakter tersembunyi" in row["errors"][0]["message"]
    eventually(lambda: c.call("registry", "GET", "/ikms", params={"limit": 1}).json()["total"] == len(ACCEPTED) - 1,
               what="the other rows registered")
