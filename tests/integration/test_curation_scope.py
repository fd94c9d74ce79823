"""What a curator may read and change in curation (issue 19, points 3 and 8, and "curators are scoped to
their own cases"), through the running services."""

from __future__ import annotations

from typing import Any

from tests.integration.test_curation import add_curator, fields_of, one_case, score, sheet
from tests.integration.test_flow import register, setup_people
from tests.support.cluster import Cluster


def audit(c: Cluster, case_id: str, user: str) -> list[dict[str, Any]]:
    r = c.call("curation", "GET", f"/cases/{case_id}/audit", user=user)
    assert r.status_code == 200, r.text
    items: list[dict[str, Any]] = r.json()["items"]
    return items


def scored_steps(c: Cluster, case_id: str, user: str) -> dict[str, dict[str, Any]]:
    return {e["actor"]: e["details"] for e in audit(c, case_id, user) if e["action"] == "scored"}


def case_ids(c: Cluster, user: str, **params: Any) -> list[str]:
    r = c.call("curation", "GET", "/cases", user=user, params=params)
    assert r.status_code == 200, r.text
    assert r.json()["total"] == len(r.json()["items"])
    return [x["id"] for x in r.json()["items"]]


def test_a_curator_reads_only_their_cases_and_the_audit_hides_what_the_case_hides(cluster: Cluster) -> None:
    c = cluster
    c.start("registry", "curation")
    setup_people(c)  # kurator1-3, kriya: the panel of every kriya case
    add_curator(c, "kurator.fesyen", ["fesyen"])  # on no kriya case
    add_curator(c, "ketua", ["musik"], is_chair=True)
    c.create_user("bukan.kurator", ["curator"])  # the role, without a curator profile
    case_id = one_case(c, register(c, products=1))["id"]
    assert score(c, case_id, "kurator1", sheet(4)).status_code == 201

    # Point 3: the panel's other curators see that kurator1 scored, not the total or the failed gate,
    # exactly as GET /cases/{id} shows them no sheet but their own.
    assert [s["username"] for s in c.call("curation", "GET", f"/cases/{case_id}", user="kurator2").json()["scores"]] \
        == []
    hidden = scored_steps(c, case_id, "kurator2")["kurator1"]
    assert "total" not in hidden and "failed_gates" not in hidden and hidden["stage"] == 0
    assert scored_steps(c, case_id, "kurator1")["kurator1"]["failed_gates"] == []  # one's own step, whole
    assert scored_steps(c, case_id, "wayan.registrar")["kurator1"]["total"] > 0  # a registrar sees all
    assert "total" in scored_steps(c, case_id, "komang.panitia")["kurator1"]

    # Curators off the panel see nothing of the case: not in the list, 404 for it and its audit.
    for outsider in ("kurator.fesyen", "ketua", "bukan.kurator"):
        assert case_ids(c, outsider) == [], outsider
        for path in (f"/cases/{case_id}", f"/cases/{case_id}/audit"):
            assert c.call("curation", "GET", path, user=outsider).status_code == 404, (outsider, path)
    assert case_ids(c, "kurator2") == [case_id] == case_ids(c, "kurator2", curator_id="me")
    assert case_ids(c, "wayan.registrar") == [case_id]
    # Asking for another curator's queue does not widen what one sees.
    kurator2 = next(x for x in c.call("curation", "GET", "/curators", user="kurator1").json()
                    if x["username"] == "kurator2")
    assert case_ids(c, "kurator.fesyen", curator_id=kurator2["id"]) == []

    # At the panel every sheet is open to the panel, the audit with it, and the chair may now read
    # the case to decide it.
    assert score(c, case_id, "kurator2", sheet(4, quality=2)).status_code == 201
    assert score(c, case_id, "kurator3", sheet(4)).status_code == 201
    panel = c.call("curation", "GET", f"/cases/{case_id}", user="ketua")
    assert panel.status_code == 200 and panel.json()["status"] == "panel"
    assert case_ids(c, "ketua") == [case_id]
    assert scored_steps(c, case_id, "kurator2")["kurator1"]["total"] == 80
    sent = next(e for e in audit(c, case_id, "kurator3") if e["action"] == "sent_to_panel")
    assert "quality" in sent["details"]["disagreements"]
    assert case_ids(c, "kurator.fesyen") == []

    # A conflict takes the case back to review: the panel's total goes, and the audit hides again.
    r = c.call("curation", "POST", f"/cases/{case_id}/conflicts", user="kurator1", json={"reason": "family"})
    assert r.status_code == 201, r.text
    back = c.call("curation", "GET", f"/cases/{case_id}", user="kurator2").json()
    assert (back["status"], back["total"]) == ("in_review", None)
    assert [s["username"] for s in back["scores"]] == ["kurator2"]
    assert next(e for e in audit(c, case_id, "kurator2") if e["action"] == "sent_to_panel")["details"] == {}
    assert "total" not in scored_steps(c, case_id, "kurator2")["kurator3"]
    assert case_ids(c, "kurator1") == [case_id]  # stepped down, still a case they were on
    assert c.call("curation", "GET", f"/cases/{case_id}", user="ketua").status_code == 404  # no longer the panel's


def test_only_an_admin_raises_a_case_cap(cluster: Cluster) -> None:
    c = cluster
    c.start("registry", "curation")
    setup_people(c, curators=0)
    me = add_curator(c, "kurator1", ["kriya"])
    other = add_curator(c, "kurator2", ["kriya"])
    path = f"/curators/{me['id']}"
    assert me["max_open_cases"] == 40  # SENTRA_MAX_OPEN_CASES

    # The probe's request: a curator's own cap to 10,000. Refused by the schema's bound, and any raise
    # within it by the rule.
    r = c.call("curation", "PATCH", path, user="kurator1", json={"max_open_cases": 10_000})
    assert r.status_code == 422 and fields_of(r) == ["max_open_cases"]
    r = c.call("curation", "PATCH", path, user="kurator1", json={"max_open_cases": 41})
    assert r.status_code == 403 and fields_of(r) == ["max_open_cases"]
    r = c.call("curation", "PATCH", path, user="kurator1", json={"max_open_cases": 5})
    assert r.status_code == 200 and r.json()["max_open_cases"] == 5
    # Back to the default is a raise too, once lowered.
    assert c.call("curation", "PATCH", path, user="kurator1", json={"max_open_cases": None}).status_code == 403
    assert c.call("curation", "PATCH", f"/curators/{other['id']}", user="kurator1",
                  json={"max_open_cases": 1}).status_code == 403  # not one's own
    r = c.call("curation", "PATCH", path, json={"max_open_cases": 200})
    assert r.status_code == 200 and r.json()["max_open_cases"] == 200
    r = c.call("curation", "PATCH", path, json={"max_open_cases": 201})
    assert r.status_code == 422 and fields_of(r) == ["max_open_cases"]
