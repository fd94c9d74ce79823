"""Combining and splitting booths, manual holds' confirmation deadline, and the printed list, on the
service and a real SQLite file (no HTTP, no Redis)."""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any, TypeVar

import pytest
from pypdf import PdfReader
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from exhibitions import service
from exhibitions.schemas import BoothCreate, ExhibitionCreate
from exhibitions.tables import Application, Booth
from shared.auth import Principal
from shared.db import session_scope
from shared.errors import ApiError
from shared.events import IkmRegisteredV1, new_event, utcnow

ORGANISER = Principal(username="komang", roles=frozenset({"organiser"}))
T = TypeVar("T")

# Row A: three kriya booths side by side, A-01 a corner at the left end; a kuliner booth in its own zone.
PLAN = [
    BoothCreate(code="A-01", hall="Ksirarnawa", zone="Kriya", sectors=["kriya"], x=0, kind="corner", power_w=900,
                price_idr=300_000),
    BoothCreate(code="A-02", hall="Ksirarnawa", zone="Kriya", sectors=["kriya"], x=3, accessible=True),
    BoothCreate(code="A-03", hall="Ksirarnawa", zone="Kriya", sectors=["kriya", "fesyen"], x=6, price_idr=100_000),
    BoothCreate(code="K-01", hall="Ksirarnawa", zone="Kuliner", sectors=["kuliner"], x=9),
]


def fair_with(engine: Engine, booths: list[BoothCreate], **rules: Any) -> uuid.UUID:
    with session_scope(engine) as session:
        fair = service.create_exhibition(session, ExhibitionCreate(
            name="Pameran IKM Bali Bangkit", venue="Taman Budaya Bali", starts_on=date(2099, 3, 1),
            ends_on=date(2099, 3, 7), application_deadline=date(2099, 2, 1), **rules), ORGANISER)
        service.add_booths(session, fair.id, booths)
        return fair.id


def register(engine: Engine, name: str, sector: str = "kriya") -> uuid.UUID:
    payload = IkmRegisteredV1(ikm_id=uuid.uuid4(), nib=None, name=name, sector=sector, regency_code="5104",
                              district_code="5104010", village_code="5104010007", workers=4, products=[])
    with session_scope(engine) as session:
        service.on_ikm_registered(session, new_event("ikm.registered", payload), payload, today=date(2099, 1, 1))
    return payload.ikm_id


def act(engine: Engine, fair_id: uuid.UUID, fn: Callable[..., T], *args: Any) -> T:
    """Run one service operation on the fair in its own transaction, as a route does."""
    with session_scope(engine) as session:
        return fn(session, service.get_exhibition(session, fair_id, lock=True), *args)


def refused(engine: Engine, fair_id: uuid.UUID, fn: Callable[..., object], *args: Any) -> ApiError:
    with pytest.raises(ApiError) as caught:
        act(engine, fair_id, fn, *args)
    return caught.value


def booths(engine: Engine) -> dict[str, Booth]:
    with Session(engine) as session:
        return {b.code: b for b in session.exec(select(Booth)).all()}


def holder_booths(engine: Engine) -> dict[uuid.UUID, str | None]:
    with Session(engine) as session:
        code_of = {b.id: b.code for b in session.exec(select(Booth)).all()}
        return {a.ikm_id: code_of.get(a.booth_id) for a in session.exec(select(Application)).all()}


def test_free_booths_side_by_side_combine_into_one_and_split_back(engine: Engine) -> None:
    fair_id = fair_with(engine, PLAN)
    whole = act(engine, fair_id, service.combine_booths, ["A-02", "A-03"], "A-02/03")
    assert (whole.x, whole.y, whole.width_m, whole.depth_m) == (3, 0, 6, 3)
    assert whole.sectors == ["fesyen", "kriya"] and whole.accessible and whole.price_idr == 100_000
    assert whole.power_w == 900 and whole.kind == "standard" and whole.active
    rows = booths(engine)
    assert not rows["A-02"].active and not rows["A-03"].active
    assert rows["A-02"].part_of_id == rows["A-03"].part_of_id == whole.id

    with Session(engine) as session:
        fair = service.get_exhibition(session, fair_id)
        assert [b.code for b in service.list_booths(session, fair, False)] == ["A-01", "A-02/03", "K-01"]
        listed = {b.code: b for b in service.list_booths(session, fair, True)}
        assert listed["A-02"].part_of == "A-02/03" and not listed["A-02"].active and listed["A-02/03"].active
        assert service.exhibition_public(session, fair).booths == 3
        svg = service.floorplan_svg(session, fair)
    assert "A-02/03" in svg and "<title>A-02</title>" not in svg

    parts = act(engine, fair_id, service.split_booth, "A-02/03", None, None)
    assert [p.code for p in parts] == ["A-02", "A-03"]
    rows = booths(engine)
    assert rows["A-02"].active and rows["A-03"].active and not rows["A-02/03"].active
    assert rows["A-02"].width_m == 3 and rows["A-03"].sectors == ["kriya", "fesyen"]  # exactly as they were

    again = act(engine, fair_id, service.combine_booths, ["A-03", "A-02"], "A-02/03")
    assert again.id == whole.id and again.active  # the same booth comes back, not a copy


def test_combining_refuses_held_booths_other_zones_gaps_and_codes_in_use(engine: Engine) -> None:
    fair_id = fair_with(engine, PLAN)
    silver = register(engine, "UD Perak")
    assert holder_booths(engine)[silver] == "A-01"

    err = refused(engine, fair_id, service.combine_booths, ["A-01", "A-02"], "A-01/02")
    assert err.status == 409 and [e.field for e in err.body.errors] == ["codes.0"]
    err = refused(engine, fair_id, service.combine_booths, ["A-03", "K-01"], "X-1")
    assert err.status == 422 and err.body.errors[0].field == "codes" and "zona" in err.body.errors[0].message
    act(engine, fair_id, service.release_booth, "A-01", None, "Dilepas.", "Released.")
    err = refused(engine, fair_id, service.combine_booths, ["A-01", "A-03"], "X-1")
    assert err.status == 422 and "not adjacent" in err.body.errors[0].message_en
    err = refused(engine, fair_id, service.combine_booths, ["A-01", "A-02"], "K-01")
    assert err.status == 409 and err.body.errors[0].field == "code"
    err = refused(engine, fair_id, service.combine_booths, ["A-01", "A-02"], "A-01")
    assert err.status == 422 and err.body.errors[0].field == "code"
    err = refused(engine, fair_id, service.combine_booths, ["A-01", "Z-99"], "X-1")
    assert err.status == 422 and err.body.errors[0].field == "codes.1"
    assert all(b.active for b in booths(engine).values())  # nothing changed


def test_a_booth_splits_into_equal_parts_and_they_combine_back_into_it(engine: Engine) -> None:
    fair_id = fair_with(engine, PLAN)
    parts = act(engine, fair_id, service.split_booth, "A-01", 3, None)
    assert [(p.code, p.x, p.width_m, p.kind, p.power_w, p.price_idr) for p in parts] == [
        ("A-01a", 0, 1, "corner", 300, 100_000),     # the open left end keeps the corner
        ("A-01b", 1, 1, "standard", 300, 100_000),
        ("A-01c", 2, 1, "standard", 300, 100_000),   # A-02 stands against its right end
    ]
    assert all(p.part_of_id == booths(engine)["A-01"].id and p.sectors == ["kriya"] for p in parts)
    assert not booths(engine)["A-01"].active

    err = refused(engine, fair_id, service.assign_booth, "A-01", register(engine, "UD Dapur", "kuliner"), 14)
    assert err.status == 409 and err.body.code == "booth_inactive" and "dipecah" in err.body.message

    restored = act(engine, fair_id, service.combine_booths, ["A-01a", "A-01b", "A-01c"], "A-01")
    assert restored.id == booths(engine)["A-01"].id and restored.kind == "corner" and restored.width_m == 3

    named = act(engine, fair_id, service.split_booth, "A-03", None, ["A-03 kiri", "A-03 kanan"])
    assert [(p.code, p.x, p.width_m) for p in named] == [("A-03 kiri", 6, 1.5), ("A-03 kanan", 7.5, 1.5)]


def test_splitting_refuses_held_narrow_and_replaced_booths_and_taken_codes(engine: Engine) -> None:
    fair_id = fair_with(engine, PLAN)
    register(engine, "UD Perak")  # takes A-01
    err = refused(engine, fair_id, service.split_booth, "A-01", 2, None)
    assert err.status == 409 and "ditempati" in err.body.message
    err = refused(engine, fair_id, service.split_booth, "A-02", 4, None)
    assert err.status == 422 and err.body.errors[0].field == "parts" and "too narrow" in err.body.errors[0].message_en
    err = refused(engine, fair_id, service.split_booth, "A-02", None, None)
    assert err.status == 422 and "not made by combining" in err.body.errors[0].message_en
    err = refused(engine, fair_id, service.split_booth, "A-02", None, ["K-01", "A-02x"])
    assert err.status == 409 and [e.field for e in err.body.errors] == ["codes.0"]
    act(engine, fair_id, service.combine_booths, ["A-02", "A-03"], "A-02/03")
    err = refused(engine, fair_id, service.split_booth, "A-02", 2, None)
    assert err.status == 409 and "digabung menjadi stan A-02/03" in err.body.message
    err = refused(engine, fair_id, service.split_booth, "Z-99", 2, None)
    assert err.status == 404


def test_a_combined_booth_split_another_way_forgets_the_old_parts(engine: Engine) -> None:
    fair_id = fair_with(engine, PLAN)
    act(engine, fair_id, service.combine_booths, ["A-02", "A-03"], "A-02/03")
    parts = act(engine, fair_id, service.split_booth, "A-02/03", 3, None)
    assert [(p.code, p.width_m) for p in parts] == [("A-02/03a", 2), ("A-02/03b", 2), ("A-02/03c", 2)]
    rows = booths(engine)
    assert not rows["A-02"].active and rows["A-02"].part_of_id is None  # no longer a part of anything current
    assert [p.kind for p in parts] == ["standard"] * 3


def test_placement_and_runs_see_only_active_booths(engine: Engine) -> None:
    fair_id = fair_with(engine, PLAN)
    act(engine, fair_id, service.combine_booths, ["A-01", "A-02"], "A-01/02")
    first, second, third = (register(engine, f"UD Perak {i}") for i in range(3))
    placed = holder_booths(engine)
    assert {placed[first], placed[second]} == {"A-01/02", "A-03"} and placed[third] is None
    with Session(engine) as session:
        assert session.exec(select(Application.status).where(Application.ikm_id == third)).one() == "waitlisted"

    # A run offers only active booths; a run computed before the floor plan changed is stale.
    run = act(engine, fair_id, service.create_run, 7, ORGANISER, 10.0)
    with Session(engine) as session:
        public = service.run_public(session, run)
    assert {r.booth_code for r in public.results} == {"A-01/02", "A-03", None}
    assert public.allocated == 2 and public.waitlisted == 1
    act(engine, fair_id, service.split_booth, "K-01", 2, None)
    err = refused(engine, fair_id, service.publish_run, run, 14)
    assert err.status == 409 and err.body.code == "stale_run"


def test_manual_assignment_and_moves_get_a_confirmation_deadline_like_a_published_run(engine: Engine) -> None:
    fair_id = fair_with(engine, PLAN, newcomer_share=0.0)
    a, b = register(engine, "UD Perak"), register(engine, "UD Tenun")
    assert holder_booths(engine) == {a: "A-01", b: "A-03"}  # the accessible A-02 is kept for who needs it
    act(engine, fair_id, service.release_booth, "A-01", None, "Dilepas.", "Released.")
    before = utcnow()
    held = act(engine, fair_id, service.assign_booth, "A-01", a, 14)
    assert held.confirm_by is not None and held.confirmed_at is None
    assert before + timedelta(days=14) <= held.confirm_by <= utcnow() + timedelta(days=14)

    confirmed = act(engine, fair_id, service.confirm_hold, a)
    assert confirmed.confirmed_at is not None
    moved = act(engine, fair_id, service.move_booth, "A-01", "A-02", 7)
    assert moved.confirmed_at is None and moved.confirm_by is not None  # a new booth is a new hold
    assert timedelta(days=6) < moved.confirm_by - utcnow() <= timedelta(days=7)

    x, y = act(engine, fair_id, service.swap_booths, "A-02", "A-03", 3)
    assert {x.ikm_id, y.ikm_id} == {a, b}
    assert all(app.confirm_by is not None and timedelta(days=2) < app.confirm_by - utcnow() <= timedelta(days=3)
               for app in (x, y))

    act(engine, fair_id, service.release_booth, "A-03", None, "Dilepas.", "Released.")
    never = act(engine, fair_id, service.assign_booth, "A-01", a, 0)  # 0 days: holds never expire
    assert never.confirm_by is None


def test_the_printed_list_holds_every_exhibitor_over_several_pages_and_no_ids(engine: Engine) -> None:
    plan = [BoothCreate(code=f"B-{i:03d}", hall="Ksirarnawa", zone="Kriya", x=3 * i) for i in range(70)]
    fair_id = fair_with(engine, plan)
    ikms = [register(engine, f"UD Perak Celuk {i}") for i in range(70)]
    act(engine, fair_id, service.confirm_hold, ikms[0])
    pdf = act(engine, fair_id, service.exhibitors_pdf, date(2099, 1, 2))
    assert pdf.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) > 1
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert all(f"B-{i:03d}" in text and f"UD Perak Celuk {i}" in text for i in range(70))
    assert "Pameran IKM Bali Bangkit" in text and "Dikonfirmasi" in text
    assert not any(str(ikm_id) in text for ikm_id in ikms)
    with Session(engine) as session:
        held = session.exec(select(Application).where(col(Application.booth_id).is_not(None))).all()
    assert len(held) == 70
