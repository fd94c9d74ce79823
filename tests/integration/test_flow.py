"""The flow Sentra exists for, end to end through real processes, Redis and databases (issue 2)."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
import redis

from shared import cli
from tests.support.cluster import Cluster, eventually
from tests.support.data import booth_body, fair_body, ikm_body


def setup_people(c: Cluster, curators: int = 3, sector: str = "kriya") -> None:
    c.create_user("wayan.registrar", ["registrar"])
    c.create_user("komang.panitia", ["organiser"])
    for i in range(curators):
        username = f"kurator{i + 1}"
        c.create_user(username, ["curator"])
        r = c.call("curation", "POST", "/curators", json={"username": username, "full_name": f"Kurator {i + 1}",
                                                         "sectors": [sector], "affiliation": "ISI Denpasar"})
        assert r.status_code == 201, r.text


def open_fair(c: Cluster, booths: int = 1, **overrides: Any) -> str:
    r = c.call("exhibitions", "POST", "/exhibitions", user="komang.panitia", json=fair_body(**overrides))
    assert r.status_code == 201, r.text
    fair_id: str = r.json()["id"]
    r = c.call("exhibitions", "POST", f"/exhibitions/{fair_id}/booths", user="komang.panitia",
               json=[booth_body(f"A-{i + 1:02d}") for i in range(booths)])
    assert r.status_code == 201, r.text
    return fair_id


def register(c: Cluster, **kw: Any) -> str:
    r = c.call("registry", "POST", "/ikms", user="wayan.registrar", json=ikm_body(**kw))
    assert r.status_code == 201, r.text
    ikm_id: str = r.json()["id"]
    return ikm_id


def cases_of(c: Cluster, ikm_id: str) -> list[dict[str, Any]]:
    r = c.call("curation", "GET", "/cases", params={"ikm_id": ikm_id})
    assert r.status_code == 200, r.text
    items: list[dict[str, Any]] = r.json()["items"]
    return items


def applications_of(c: Cluster, fair_id: str) -> dict[str, dict[str, Any]]:
    r = c.call("exhibitions", "GET", f"/exhibitions/{fair_id}/applications", user="komang.panitia")
    assert r.status_code == 200, r.text
    return {a["ikm_id"]: a for a in r.json()["items"]}


def timeline_of(c: Cluster, ikm_id: str) -> list[str]:
    r = c.call("registry", "GET", f"/ikms/{ikm_id}", user="wayan.registrar")
    assert r.status_code == 200, r.text
    return [entry["event_type"] for entry in r.json()["timeline"]]


def pending(redis_url: str, stream: str, group: str) -> int:
    client = redis.Redis.from_url(redis_url)
    try:
        return int(client.xpending(stream, group)["pending"])
    finally:
        client.close()


@pytest.mark.postgres
def test_registration_opens_cases_places_booths_and_fills_the_timeline(any_db_cluster: Cluster) -> None:
    c = any_db_cluster
    c.start()
    setup_people(c)
    fair_id = open_fair(c, booths=1)

    first = register(c, name="UD Perak Sari Singapadu", products=2)
    second = register(c, name="UD Perak Celuk Jaya", products=1)

    cases = eventually(lambda: (found := cases_of(c, first)) and len(found) == 2 and found, what="two cases")
    for case in cases:
        assert case["status"] == "open"
        assert sorted(a["username"] for a in case["assignments"]) == ["kurator1", "kurator2", "kurator3"]
    apps = eventually(lambda: (a := applications_of(c, fair_id)) and len(a) == 2 and a, what="two applications")
    assert apps[first]["status"] == "allocated" and apps[first]["booth_code"] == "A-01"
    assert apps[second]["status"] == "waitlisted" and apps[second]["waitlist_rank"] == 1
    assert apps[second]["reason"]  # told why, in words

    timeline = eventually(lambda: (t := timeline_of(c, first)) and len(t) == 4 and t, what="a full timeline")
    assert timeline.count("curation.case_opened") == 2
    assert timeline[0] == "ikm.registered" and "exhibition.booth_allocated" in timeline
    assert eventually(lambda: "exhibition.waitlisted" in timeline_of(c, second))

    # Releasing the booth moves the waitlist up, and both timelines say so.
    r = c.call("exhibitions", "DELETE", f"/exhibitions/{fair_id}/booths/A-01/assignment", user="komang.panitia")
    assert r.status_code == 204, r.text
    apps = applications_of(c, fair_id)
    assert apps[second]["status"] == "allocated" and apps[second]["booth_code"] == "A-01"
    assert apps[first]["status"] == "withdrawn"
    assert eventually(lambda: "exhibition.booth_released" in timeline_of(c, first))
    assert eventually(lambda: "exhibition.booth_allocated" in timeline_of(c, second))


def test_a_change_in_the_register_reaches_the_fair(cluster: Cluster) -> None:
    """PATCH /ikms publishes ikm.updated; exhibitions' copy follows, so the exhibitor list shows the
    new name and the booth stays with its holder."""
    c = cluster
    c.start()
    setup_people(c)
    fair_id = open_fair(c, booths=1)
    # A fair created without its own confirmation window takes SENTRA_CONFIRM_DAYS (14).
    assert c.call("exhibitions", "GET", f"/exhibitions/{fair_id}", user="komang.panitia").json()["confirm_days"] == 14
    ikm_id = register(c, name="UD Perak Sari Singapadu", products=1)
    eventually(lambda: applications_of(c, fair_id).get(ikm_id, {}).get("status") == "allocated", what="a booth")

    r = c.call("registry", "PATCH", f"/ikms/{ikm_id}", user="wayan.registrar",
               json={"name": "CV Perak Sari Singapadu", "workers": 12})
    assert r.status_code == 200, r.text

    def listed_name() -> str:
        rows = c.call("exhibitions", "GET", f"/exhibitions/{fair_id}/allocations", user="komang.panitia").json()
        return str(rows[0]["ikm_name"]) if rows else ""

    assert eventually(lambda: listed_name() == "CV Perak Sari Singapadu", what="the new name at the fair")
    assert applications_of(c, fair_id)[ikm_id]["booth_code"] == "A-01"


def test_events_written_before_a_consumer_first_starts_are_processed(cluster: Cluster) -> None:
    c = cluster
    c.start("registry")
    c.create_user("wayan.registrar", ["registrar"])
    ikm_id = register(c, products=2)
    client = redis.Redis.from_url(c.redis_url)
    assert eventually(lambda: client.xlen("ikm.registered") == 1, what="the event on the stream")

    c.start("curation", "exhibitions")  # their very first start: their groups do not exist yet
    assert eventually(lambda: len(cases_of(c, ikm_id)) == 2, what="cases from the earlier event")
    assert eventually(lambda: "curation.case_opened" in timeline_of(c, ikm_id))


def test_a_consumer_killed_mid_event_processes_it_once_after_restart(cluster: Cluster) -> None:
    c = cluster
    c.start("registry", "exhibitions")
    c["curation"].start(extra_env={"SENTRA_FAULT_EXIT_ON": "CRASH-MID-EVENT"})
    c.create_user("wayan.registrar", ["registrar"])
    ikm_id = register(c, name="UD CRASH-MID-EVENT", products=2)

    assert c["curation"].wait_exit() == 137  # died inside the transaction, before commit
    assert pending(c.redis_url, "ikm.registered", "curation") == 1

    c["curation"].start()  # same consumer name: the claimer takes the entry back after the idle time
    cases = eventually(lambda: (found := cases_of(c, ikm_id)) and len(found) == 2 and found, what="two cases")
    assert len({case["product_id"] for case in cases}) == 2
    assert eventually(lambda: pending(c.redis_url, "ikm.registered", "curation") == 0, what="nothing pending")
    assert len(cases_of(c, ikm_id)) == 2  # and not more


def test_a_poison_event_is_dead_lettered_and_the_stream_flows_on(cluster: Cluster,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    c = cluster
    c.start("registry", "exhibitions")
    c["curation"].start(extra_env={"SENTRA_FAULT_RAISE_ON": "POISON"})
    c.create_user("wayan.registrar", ["registrar"])
    client = redis.Redis.from_url(c.redis_url)
    # An entry that is not an event at all is dead-lettered at once, without retries.
    client.xadd("ikm.registered", {"garbage": "{not json"})
    poison = register(c, name="UD POISON", products=1)
    healthy = register(c, name="UD Sehat", products=1)

    assert eventually(lambda: len(cases_of(c, healthy)) == 1, what="the event behind the poison")
    def dead_letters(group: str) -> list[dict[str, str]]:
        entries = [{k.decode(): v.decode(errors="replace") for k, v in fields.items()}
                   for _, fields in client.xrange("ikm.registered.dlq")]
        return [e for e in entries if e["group"] == group]

    fields = eventually(lambda: (d := dead_letters("curation")) and len(d) == 2 and d, timeout=40,
                        what="two dead letters from curation")
    # Exhibitions reads the same stream in its own group: it dead-letters the garbage itself.
    assert eventually(lambda: len(dead_letters("exhibitions")) == 1)
    garbage, injected = sorted(fields, key=lambda f: int(f["delivery_count"]))
    assert garbage["error"].startswith("undecodable") and garbage["delivery_count"] == "1"
    assert garbage["garbage"] == "{not json"  # the original entry travels with the error
    assert "injected fault" in injected["error"] and injected["delivery_count"] == "3"
    assert injected["original_stream"] == "ikm.registered"
    assert cases_of(c, poison) == []
    assert eventually(lambda: pending(c.redis_url, "ikm.registered", "curation") == 0, what="nothing pending")

    # Once the cause is mended (here: the fault removed), an operator replays the dead letter.
    c["curation"].stop()
    c["curation"].start()
    entry_id = next(e for e in dead_letters_with_ids(client) if "injected fault" in e[1]["error"])[0]
    monkeypatch.setenv("REDIS_URL", c.redis_url)
    assert cli.main(["dlq", "replay", "ikm.registered", entry_id]) == 0
    assert eventually(lambda: len(cases_of(c, poison)) == 1, what="the replayed event applied")
    assert len(cases_of(c, healthy)) == 1  # replaying touched nothing else


def dead_letters_with_ids(client: redis.Redis) -> list[tuple[str, dict[str, str]]]:
    return [(i.decode(), {k.decode(): v.decode(errors="replace") for k, v in f.items()})
            for i, f in client.xrange("ikm.registered.dlq")]


def test_the_same_event_delivered_twice_has_one_effect(cluster: Cluster) -> None:
    c = cluster
    c.start("curation", "exhibitions", "registry")
    setup_people(c, curators=1)
    fair_id = open_fair(c, booths=2)
    ikm_id = register(c, products=2)
    assert eventually(lambda: len(cases_of(c, ikm_id)) == 2)
    assert eventually(lambda: len(applications_of(c, fair_id)) == 1)

    client = redis.Redis.from_url(c.redis_url)
    (_, original), = client.xrange("ikm.registered")
    client.xadd("ikm.registered", original)  # a redelivery: the very same event again
    client.xadd("ikm.registered", original)
    assert eventually(lambda: pending(c.redis_url, "ikm.registered", "curation") == 0
                      and int(client.xinfo_groups("ikm.registered")[0]["entries-read"] or 0) == 3)
    assert eventually(lambda: all(int(g["lag"] or 0) == 0 and int(g["pending"]) == 0
                                  for g in client.xinfo_groups("ikm.registered")), what="both groups caught up")
    assert len(cases_of(c, ikm_id)) == 2
    apps = applications_of(c, fair_id)
    assert len(apps) == 1 and apps[ikm_id]["booth_code"] == "A-01"
    assert timeline_of(c, ikm_id).count("curation.case_opened") == 2


def test_registration_answers_while_redis_is_down_and_flows_when_it_returns(tmp_path: Any) -> None:
    from tests.support.servers import controllable_redis

    server = controllable_redis(tmp_path / "own-redis")
    c = Cluster(tmp_path, server.url)
    try:
        c.start()
        c.create_user("wayan.registrar", ["registrar"])
        server.stop()
        r = c.call("registry", "POST", "/ikms", user="wayan.registrar", json=ikm_body(products=2))
        assert r.status_code == 201, r.text
        ikm_id = r.json()["id"]
        ready = c.call("registry", "GET", "/readyz")
        assert ready.status_code == 503 and ready.json()["redis"] is False
        server.start()
        assert eventually(lambda: len(cases_of(c, ikm_id)) == 2, timeout=60, what="cases after Redis returned")
        assert eventually(lambda: "curation.case_opened" in timeline_of(c, ikm_id), timeout=30)
    finally:
        c.stop()
        server.stop()


BAD_INPUTS = [
    ("unknown region", {"village_code": "5104010999"}, "village_code"),
    ("district outside regency", {"district_code": "5171010"}, "district_code"),
    ("NIB of 12 digits", {"nib": "912030123456"}, "nib"),
    ("negative workers", {"workers": -3}, "workers"),
    ("missing name", {"name": None}, "name"),
    ("NIK of 15 digits", {"owner": {"name": "Ni Made", "nik": "510401410180000"}}, "owner.nik"),
    ("unknown sector", {"sector": "perhiasan"}, "sector"),
]


def test_bad_input_gets_a_422_naming_the_field_and_writes_nothing(cluster: Cluster) -> None:
    c = cluster
    c.start("registry")
    c.create_user("wayan.registrar", ["registrar"])
    for label, change, field in BAD_INPUTS:
        body = ikm_body()
        body.update(change)
        if change.get("name", "") is None:
            del body["name"]
        r = c.call("registry", "POST", "/ikms", user="wayan.registrar", json=body)
        assert r.status_code == 422, (label, r.text)
        errors = r.json()["errors"]
        assert field in [e["field"] for e in errors], (label, errors)
        assert all(e["message"] and e["message_en"] for e in errors)
    r = c.call("registry", "POST", "/ikms", user="wayan.registrar", content=b"{not json",
               headers={"content-type": "application/json"})
    assert r.status_code == 422
    assert c.call("registry", "GET", "/ikms", user="wayan.registrar").json()["total"] == 0
    client = redis.Redis.from_url(c.redis_url)
    assert client.xlen("ikm.registered") == 0


def test_a_registered_nib_is_refused_with_409(cluster: Cluster) -> None:
    c = cluster
    c.start("registry")
    c.create_user("wayan.registrar", ["registrar"])
    body = ikm_body()
    assert c.call("registry", "POST", "/ikms", user="wayan.registrar", json=body).status_code == 201
    again = dict(body, owner={**body["owner"], "nik": "5104014101809999"})
    r = c.call("registry", "POST", "/ikms", user="wayan.registrar", json=again)
    assert r.status_code == 409 and r.json()["errors"][0]["field"] == "nib"


def test_roles_guard_every_route_and_personal_data_stays_masked(cluster: Cluster) -> None:
    c = cluster
    c.start("registry")
    c.create_user("wayan.registrar", ["registrar"])
    c.create_user("kurator1", ["curator"])
    c.create_user("komang.panitia", ["organiser"])
    ikm_id = register(c)
    import httpx

    assert httpx.post(f"{c['registry'].url}/ikms", json=ikm_body()).status_code == 401
    assert c.call("registry", "POST", "/ikms", user="kurator1", json=ikm_body()).status_code == 403
    assert c.call("registry", "POST", "/users", user="wayan.registrar",
                  json={"username": "x.y", "password": "long-enough-pw", "full_name": "X",
                        "roles": ["admin"]}).status_code == 403
    # A curator needs only the cases assigned to them, not the register (docs/security.md).
    assert c.call("registry", "GET", f"/ikms/{ikm_id}", user="kurator1").status_code == 403
    seen = c.call("registry", "GET", f"/ikms/{ikm_id}", user="komang.panitia").json()
    assert seen["owner"]["masked"] is True
    assert seen["owner"]["nik"].startswith("5104") and "*" in seen["owner"]["nik"]
    assert "0812" in seen["owner"]["phone"] and "*" in seen["owner"]["phone"]
    assert seen["address"] != "Jl. Raya Singapadu"
    full = c.call("registry", "GET", f"/ikms/{ikm_id}", user="wayan.registrar").json()
    assert full["owner"]["masked"] is False and "*" not in full["owner"]["nik"]
    # ...and personal data never enters an event.
    client = redis.Redis.from_url(c.redis_url)
    assert eventually(lambda: client.xlen("ikm.registered") == 1)
    (_, entry), = client.xrange("ikm.registered")
    raw = b"".join(entry.values())
    assert full["owner"]["nik"].encode() not in raw and b"081234567890" not in raw and b"Jl. Raya" not in raw


def test_services_publish_their_asyncapi_and_metrics(cluster: Cluster) -> None:
    import httpx

    c = cluster
    c.start()
    for name in ("registry", "curation", "exhibitions"):
        assert httpx.get(f"{c[name].url}/asyncapi").status_code == 401, name  # it names the Redis server
        doc = c.call(name, "GET", "/asyncapi").json()
        assert doc["asyncapi"].startswith("3."), name
        assert doc["channels"], name
        assert "sentra_" in httpx.get(f"{c[name].url}/metrics").text
    doc = json.dumps(c.call("curation", "GET", "/asyncapi").json())
    assert "curation.case_opened" in doc and "ikm.registered" in doc
    _ = uuid  # ids are UUIDs throughout
