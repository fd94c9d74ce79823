"""CSV formula injection (issue 19, point 4): what a user typed comes out of every export as text a
spreadsheet shows, never as a formula it runs; numbers stay numbers."""

from __future__ import annotations

import csv
import io

from tests.integration.test_exhibitions import people
from tests.integration.test_flow import applications_of, open_fair, register
from tests.support.cluster import Cluster, eventually
from tests.support.data import booth_body

FORMULA = '=HYPERLINK("http://x","y")'


def test_a_formula_typed_into_a_name_a_hall_or_a_zone_comes_out_as_text(cluster: Cluster) -> None:
    c = cluster
    c.start("registry", "exhibitions")
    people(c)
    fair_id = open_fair(c, booths=0, newcomer_share=0.0)
    booth = booth_body("A-01", hall="+cmd|' /C calc'!A0", zone="@SUM(1+1)")
    r = c.call("exhibitions", "POST", f"/exhibitions/{fair_id}/booths", user="komang.panitia", json=[booth])
    assert r.status_code == 201, r.text
    ikm_id = register(c, name=FORMULA, products=1, koperasi_name="-2+3")

    r = c.call("registry", "GET", "/ikms.csv", user="wayan.registrar")
    assert r.status_code == 200, r.text
    (row,) = csv.DictReader(io.StringIO(r.text))
    assert row["id"] == ikm_id
    assert row["name"] == "'" + FORMULA and row["koperasi_name"] == "'-2+3"
    assert row["workers"] == "6" and row["investment_idr"] == "150000000"  # numbers, unquoted
    assert row["owner_name"] == "Ni Made Sari" and row["sector"] == "kriya"  # plain text untouched
    assert f'"{FORMULA[0]}' not in r.text and "\n=" not in r.text and ",=" not in r.text

    eventually(lambda: applications_of(c, fair_id).get(ikm_id, {}).get("status") == "allocated",
               what="the booth held")
    r = c.call("exhibitions", "GET", f"/exhibitions/{fair_id}/exhibitors.csv", user="komang.panitia")
    assert r.status_code == 200, r.text
    (held,) = csv.DictReader(io.StringIO(r.content.decode("utf-8")))
    assert (held["hall"], held["zone"], held["ikm_name"]) == ("'+cmd|' /C calc'!A0", "'@SUM(1+1)", "'" + FORMULA)
    assert held["booth_code"] == "A-01" and held["ikm_id"] == ikm_id
