"""Curation through real processes (issue 4): scoring, decisions, panels, conflicts, rubric versions,
appeals, expiry and the audit trail, with the decision reaching the registry's timeline."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import pytest

from tests.integration.test_flow import cases_of, open_fair, register, setup_people
from tests.support.cluster import Cluster, eventually

GATES = ("maker", "legal", "domicile", "food_permit", "original")
CRITERIA = ("quality", "design", "packaging", "price", "capacity", "legality")


def sheet(score: int = 4, failed: tuple[str, ...] = (), **scores: int) -> dict[str, Any]:
    return {"gates": {g: g not in failed for g in GATES},
            "scores": {c: scores.get(c, score) for c in CRITERIA},
            "comment": "Label belum mencantumkan berat nett."}


def one_case(c: Cluster, ikm_id: str, curators: int = 3) -> dict[str, Any]:
    def ready() -> dict[str, Any] | None:
        found = cases_of(c, ikm_id)
        return found[0] if found and len(found[0]["assignments"]) == curators else None
    case: dict[str, Any] = eventually(ready, what=f"a case with {curators} curators")
    return case


def score(c: Cluster, case_id: str, user: str, body: dict[str, Any]) -> Any:
    return c.call("curation", "POST", f"/cases/{case_id}/scores", user=user, json=body)


def case(c: Cluster, case_id: str, user: str = "admin") -> dict[str, Any]:
    r = c.call("curation", "GET", f"/cases/{case_id}", user=user)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def timeline(c: Cluster, ikm_id: str) -> list[dict[str, Any]]:
    r = c.call("registry", "GET", f"/ikms/{ikm_id}", user="wayan.registrar")
    assert r.status_code == 200, r.text
    entries: list[dict[str, Any]] = r.json()["timeline"]
    return entries


def decided_entries(c: Cluster, ikm_id: str) -> list[dict[str, Any]]:
    return [e for e in timeline(c, ikm_id) if e["event_type"] == "curation.decided"]


def audit_actions(c: Cluster, case_id: str) -> list[str]:
    r = c.call("curation", "GET", f"/cases/{case_id}/audit", user="wayan.registrar")
    assert r.status_code == 200, r.text
    return [e["action"] for e in r.json()["items"]]


@pytest.mark.postgres
def test_three_curators_score_and_the_decision_reaches_the_timeline_and_the_fair(any_db_cluster: Cluster) -> None:
    c = any_db_cluster
    c.start()
    setup_people(c)
    fair_id = open_fair(c, booths=1, requires_curation=True)
    ikm_id = register(c, products=1)
    opened = one_case(c, ikm_id)
    assert opened["status"] == "open" and opened["rubric_version"] == "default-2026.1"
    case_id = opened["id"]

    r = score(c, case_id, "kurator1", sheet(4))
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "in_review"
    assert score(c, case_id, "kurator2", sheet(4, quality=5)).status_code == 201
    # Until the panel is complete, a curator sees only their own sheet.
    assert [s["username"] for s in case(c, case_id, "kurator2")["scores"]] == ["kurator2"]
    r = score(c, case_id, "kurator3", sheet(4, design=5))
    assert r.status_code == 201, r.text

    decided = case(c, case_id)
    assert decided["status"] == "decided"
    assert (decided["outcome"], decided["grade"]) == ("approved", "A")
    assert decided["total"] == pytest.approx((80 + 85 + 84) / 3, abs=0.01)
    assert date.fromisoformat(decided["valid_until"]) >= date.today() + timedelta(days=729)
    assert all(a["scored"] for a in decided["assignments"]) and len(decided["scores"]) == 3

    entry = eventually(lambda: (d := decided_entries(c, ikm_id)) and d[0], what="the decision in the timeline")
    assert "lolos" in entry["summary"] and entry["details"]["outcome"] == "approved"
    apps = eventually(lambda: (a := c.call("exhibitions", "GET", f"/exhibitions/{fair_id}/applications",
                                           user="komang.panitia").json()["items"])
                      and a[0]["status"] == "allocated" and a, what="the held application placed")
    assert apps[0]["booth_code"] == "A-01"
    assert audit_actions(c, case_id) == ["opened", "assigned", "assigned", "assigned", "scored", "scored",
                                         "scored", "decided"]


def add_curator(c: Cluster, username: str, sectors: list[str], **extra: Any) -> dict[str, Any]:
    c.create_user(username, ["curator"])
    r = c.call("curation", "POST", "/curators", json={"username": username, "full_name": username.title(),
                                                     "sectors": sectors, **extra})
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


def fields_of(r: Any) -> list[str]:
    body = r.json()
    assert all(e["message"] and e["message_en"] for e in body["errors"]), body
    return [e["field"] for e in body["errors"]]


SMALL_RUBRIC = {
    "version": "bali-2027.1",
    "gates": [{"code": "maker", "label": "Dibuat sendiri", "label_en": "Made by the applicant"},
              {"code": "original", "label": "Desain asli", "label_en": "Original design"}],
    "criteria": [
        {"code": code, "label": label, "label_en": label, "weight": weight,
         "anchors": {str(i): f"uraian {i}" for i in range(1, 6)}}
        for code, label, weight in (("quality", "Mutu", 50), ("design", "Desain", 30), ("packaging", "Kemasan", 20))
    ],
    "thresholds": {"approved": 85, "approved_with_conditions": 70, "needs_improvement": 50,
                   "disagreement_points": 1.5},
}


def test_scoring_rules_the_panel_and_rubric_versions(cluster: Cluster) -> None:
    c = cluster
    c.start("registry", "curation")
    setup_people(c)
    add_curator(c, "ketua", ["musik"], is_chair=True)
    add_curator(c, "kurator9", ["fesyen"])
    ikm_id = register(c, products=1)
    case_id = one_case(c, ikm_id)["id"]

    assert score(c, case_id, "wayan.registrar", sheet()).status_code == 403  # not a curator
    assert score(c, case_id, "kurator9", sheet()).status_code == 403  # not assigned
    r = score(c, case_id, "kurator1", sheet(quality=6))
    assert r.status_code == 422 and fields_of(r) == ["scores.quality"]
    body = sheet()
    del body["gates"]["maker"]
    body["scores"]["taste"] = 3
    r = score(c, case_id, "kurator1", body)
    assert r.status_code == 422 and sorted(fields_of(r)) == ["gates.maker", "scores.taste"]
    r = c.call("curation", "POST", f"/cases/{case_id}/scores", user="kurator1", content=b"{not json",
               headers={"content-type": "application/json"})
    assert r.status_code == 422
    r = c.call("curation", "PUT", f"/cases/{case_id}/scores/mine", user="kurator1", json=sheet())
    assert r.status_code == 409  # nothing to correct yet

    assert score(c, case_id, "kurator1", sheet(4)).status_code == 201
    r = score(c, case_id, "kurator1", sheet(4))
    assert r.status_code == 409 and "scores/mine" in r.json()["message_en"]
    r = c.call("curation", "PUT", f"/cases/{case_id}/scores/mine", user="kurator1", json=sheet(4, quality=2))
    assert r.status_code == 200, r.text
    assert [(s["version"], s["scores"]["quality"]) for s in r.json()["scores"]] == [(2, 2)]
    assert score(c, case_id, "kurator2", sheet(4)).status_code == 201
    assert score(c, case_id, "kurator3", sheet(4)).status_code == 201

    # 2 against 4 on quality: more than 1.5 points apart, so the panel decides.
    panel = case(c, case_id, "kurator2")
    assert panel["status"] == "panel" and panel["outcome"] is None
    assert len(panel["scores"]) == 3  # the panel sees every sheet
    decision = {"outcome": "approved_with_conditions", "grade": "B", "reason": "Mutu cukup; perbaiki finishing."}
    r = c.call("curation", "POST", f"/cases/{case_id}/decision", user="kurator2", json=decision)
    assert r.status_code == 403
    r = c.call("curation", "POST", f"/cases/{case_id}/decision", user="ketua", json={**decision, "grade": "A"})
    assert r.status_code == 422 and fields_of(r) == ["grade"]
    r = c.call("curation", "POST", f"/cases/{case_id}/decision", user="ketua", json=decision)
    assert r.status_code == 200, r.text
    decided = r.json()
    assert (decided["status"], decided["outcome"], decided["grade"]) == ("decided", "approved_with_conditions", "B")
    assert decided["decided_by"] == "ketua" and decided["valid_until"]
    assert c.call("curation", "POST", f"/cases/{case_id}/decision", user="ketua", json=decision).status_code == 409
    r = c.call("curation", "PUT", f"/cases/{case_id}/scores/mine", user="kurator1", json=sheet(4))
    assert r.status_code == 409
    assert audit_actions(c, case_id)[-6:] == ["scored", "corrected", "scored", "scored", "sent_to_panel", "decided"]
    assert eventually(lambda: len(decided_entries(c, ikm_id)) == 1, what="the panel's decision in the timeline")

    # A new rubric version for the next curation call: new cases take it, the decided case keeps its own.
    assert c.call("curation", "POST", "/rubrics", user="kurator1", json=SMALL_RUBRIC).status_code == 403
    bad = {**SMALL_RUBRIC, "criteria": SMALL_RUBRIC["criteria"][:2]}
    r = c.call("curation", "POST", "/rubrics", json=bad)
    assert r.status_code == 422 and fields_of(r) == ["criteria"]
    r = c.call("curation", "POST", "/rubrics", json=SMALL_RUBRIC)
    assert r.status_code == 201, r.text
    assert c.call("curation", "POST", "/rubrics", json=SMALL_RUBRIC).status_code == 409
    current = c.call("curation", "GET", "/rubric", user="kurator1").json()
    assert current["version"] == "bali-2027.1" and current["thresholds"]["approved"] == 85
    versions = [v["version"] for v in c.call("curation", "GET", "/rubrics", user="kurator1").json()]
    assert versions == ["bali-2027.1", "default-2026.1"]

    second = register(c, name="UD Perak Celuk Jaya", products=1)
    new_case = one_case(c, second)
    assert new_case["rubric_version"] == "bali-2027.1"
    assert case(c, case_id)["rubric_version"] == "default-2026.1"
    r = score(c, new_case["id"], "kurator1", sheet(4))
    assert r.status_code == 422 and "scores.price" in fields_of(r) and "gates.legal" in fields_of(r)
    small = {"gates": {"maker": True, "original": True}, "scores": {"quality": 5, "design": 4, "packaging": 4}}
    for name in ("kurator1", "kurator2", "kurator3"):
        assert score(c, new_case["id"], name, small).status_code == 201
    # 50 + 24 + 16 = 90 ≥ 85 under this rubric.
    assert (case(c, new_case["id"])["outcome"], case(c, new_case["id"])["total"]) == ("approved", 90)


def test_a_conflict_replaces_the_curator_on_every_case_of_that_ikm(cluster: Cluster) -> None:
    c = cluster
    c.start("registry", "curation")
    setup_people(c)
    ikm_id = register(c, products=2)
    first = one_case(c, ikm_id)
    cases = eventually(lambda: (f := cases_of(c, ikm_id)) and len(f) == 2 and f)
    other = next(x for x in cases if x["id"] != first["id"])
    assert score(c, other["id"], "kurator1", sheet(4)).status_code == 201

    r = c.call("curation", "POST", f"/cases/{first['id']}/conflicts", user="kurator1", json={"reason": "cousin"})
    assert r.status_code == 422 and fields_of(r) == ["reason"]
    r = c.call("curation", "POST", f"/cases/{first['id']}/conflicts", user="kurator1",
               json={"reason": "family", "note": "Pemilik adalah sepupu saya."})
    assert r.status_code == 201, r.text
    # No other kriya curator yet: both cases of the IKM wait with two curators.
    for x in (first, other):
        assert sorted(a["username"] for a in case(c, x["id"])["assignments"]) == ["kurator2", "kurator3"]
    assert score(c, first["id"], "kurator1", sheet()).status_code == 403
    assert c.call("curation", "POST", f"/cases/{first['id']}/conflicts", user="kurator1",
                  json={"reason": "family"}).status_code == 403

    add_curator(c, "kurator4", ["kriya"])  # the waiting cases are assigned at once
    for x in (first, other):
        replaced = case(c, x["id"])
        assert sorted(a["username"] for a in replaced["assignments"]) == ["kurator2", "kurator3", "kurator4"]
        assert replaced["scores"] == []  # the recused curator's sheet no longer counts
    assert audit_actions(c, first["id"])[-3:] == ["conflict", "replaced", "assigned"]

    # The conflict holds for that IKM only; an unavailable curator gets nothing new; a cap is respected.
    curators = {x["username"]: x for x in c.call("curation", "GET", "/curators", user="kurator1").json()}
    r = c.call("curation", "PATCH", f"/curators/{curators['kurator3']['id']}", user="kurator3",
               json={"is_chair": True})
    assert r.status_code == 403
    r = c.call("curation", "PATCH", f"/curators/{curators['kurator3']['id']}", user="kurator3",
               json={"active": False})
    assert r.status_code == 200 and r.json()["active"] is False
    r = c.call("curation", "PATCH", f"/curators/{curators['kurator4']['id']}", json={"max_open_cases": 2})
    assert r.status_code == 200 and r.json()["open_cases"] == 2
    newcomer = register(c, name="UD Perak Celuk Jaya", products=1)
    assigned = sorted(a["username"] for a in eventually(lambda: cases_of(c, newcomer))[0]["assignments"])
    assert assigned == ["kurator1", "kurator2"]  # kurator3 away, kurator4 full: the case waits for a third
    r = c.call("curation", "PATCH", f"/curators/{curators['kurator3']['id']}", user="kurator3",
               json={"active": True})
    assert r.status_code == 200
    assigned = sorted(a["username"] for a in cases_of(c, newcomer)[0]["assignments"])
    assert assigned == ["kurator1", "kurator2", "kurator3"]


def test_an_appeal_is_reviewed_by_curators_who_did_not_score(cluster: Cluster) -> None:
    c = cluster
    c.start("registry")
    c["curation"].start(extra_env={"SENTRA_PANEL_SIZE": "1"})
    setup_people(c, curators=2)
    ikm_id = register(c, products=1)
    first = one_case(c, ikm_id, curators=1)
    scorer = first["assignments"][0]["username"]
    reviewer = "kurator2" if scorer == "kurator1" else "kurator1"
    case_id = first["id"]

    appeal = {"reason": "Pemohon membawa bukti produksi sendiri."}
    r = c.call("curation", "POST", f"/cases/{case_id}/appeals", user="wayan.registrar", json=appeal)
    assert r.status_code == 409  # nothing decided yet
    assert score(c, case_id, scorer, sheet(5, failed=("maker",))).status_code == 201
    rejected = case(c, case_id)
    assert (rejected["outcome"], rejected["grade"]) == ("rejected", "D")
    assert "penjual ulang" in rejected["reason"] and "reseller" in rejected["reason_en"]

    assert c.call("curation", "POST", f"/cases/{case_id}/appeals", user=scorer, json=appeal).status_code == 403
    r = c.call("curation", "POST", f"/cases/{case_id}/appeals", user="wayan.registrar", json={"reason": "x"})
    assert r.status_code == 422 and fields_of(r) == ["reason"]
    r = c.call("curation", "POST", f"/cases/{case_id}/appeals", user="wayan.registrar", json=appeal)
    assert r.status_code == 201, r.text
    appealed = r.json()
    assert appealed["status"] == "appealed" and appealed["stage"] == 1
    assert [a["username"] for a in appealed["assignments"]] == [reviewer]
    r = c.call("curation", "POST", f"/cases/{case_id}/appeals", user="wayan.registrar", json=appeal)
    assert r.status_code == 409  # one appeal per case

    assert score(c, case_id, scorer, sheet(5)).status_code == 403  # stepped down
    assert score(c, case_id, reviewer, sheet(4)).status_code == 201
    anew = case(c, case_id)
    assert (anew["status"], anew["outcome"], anew["grade"], anew["stage"]) == ("decided", "approved", "A", 1)
    assert [s["stage"] for s in anew["scores"]] == [0, 1]  # the first sheet is kept
    entries = eventually(lambda: (d := decided_entries(c, ikm_id)) and len(d) == 2 and d, what="two decisions")
    assert [e["details"]["outcome"] for e in entries] == ["rejected", "approved"]
    assert "appealed" in audit_actions(c, case_id)


def test_an_approval_expires_and_the_product_can_be_curated_again(cluster: Cluster) -> None:
    c = cluster
    c.start("registry")
    c["curation"].start(extra_env={"SENTRA_PANEL_SIZE": "1", "SENTRA_APPROVAL_VALID_DAYS": "0",
                                   "SENTRA_EXPIRY_INTERVAL_S": "0.5"})
    setup_people(c, curators=1)
    ikm_id = register(c, products=1)
    first = one_case(c, ikm_id, curators=1)
    assert score(c, first["id"], "kurator1", sheet(5)).status_code == 201

    expired = eventually(lambda: (x := case(c, first["id"]))["status"] == "expired" and x, what="the expiry")
    assert expired["outcome"] == "approved" and expired["expired_at"]
    entries = eventually(lambda: (d := decided_entries(c, ikm_id)) and len(d) == 2 and d, what="two decisions")
    assert entries[1]["details"]["expired"] is True
    assert audit_actions(c, first["id"])[-2:] == ["decided", "expired"]
    r = c.call("curation", "POST", f"/cases/{first['id']}/appeals", user="wayan.registrar",
               json={"reason": "Masa berlaku terlalu pendek."})
    assert r.status_code == 409
    assert "habis" in entries[1]["summary"] and "expired" in entries[1]["summary_en"]

    # The registrar sends the product back to curation: the next round opens for it.
    r = c.call("registry", "POST", f"/ikms/{ikm_id}/products/{first['product_id']}/resubmissions",
               user="wayan.registrar")
    assert r.status_code == 202, r.text
    second = eventually(lambda: (f := [x for x in cases_of(c, ikm_id) if x["round"] == 2]) and f[0],
                        what="the second round")
    assert second["product_id"] == first["product_id"] and second["status"] == "open"
    r = c.call("registry", "POST", f"/ikms/{ikm_id}/products/{uuid.uuid4()}/resubmissions", user="wayan.registrar")
    assert r.status_code == 404
