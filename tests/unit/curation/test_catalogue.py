"""The curated catalogue (issue 16): its rules, pure, and its rows on a real SQLite file: what lists a
product, what takes it out and says why, the photos a case shows, filters and the feeds."""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from curation import catalogue, catalogue_reading
from curation.app import MIGRATIONS
from curation.catalogue_reading import CatalogueFilters
from curation.catalogue_rules import (
    PhotoSeen,
    approval_stands,
    case_photos,
    delist_reason,
    photo_changes,
    search_text,
    search_words,
)
from curation.tables import Case, CatalogueEntry, OutboxEvent, ProductPhotoRef
from shared.csvfile import CsvWriter
from shared.db import make_engine, migrate
from shared.events import (
    IkmRegisteredV1,
    IkmUpdatedV1,
    PhotoRef,
    PhotoSize,
    ProductInfo,
    ProductPhotosChangedV1,
    ProductSubmittedV1,
    ProductWithdrawnV1,
    new_event,
    utcnow,
)

TODAY = date(2026, 12, 4)
T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


# --- rules -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("status", "outcome", "grade", "valid_until", "withdrawn", "stands"), [
    ("decided", "approved", "A", TODAY + timedelta(days=1), False, True),
    ("decided", "approved_with_conditions", "B", None, False, True),
    ("appealed", "approved", "A", TODAY + timedelta(days=1), False, True),  # stands until the appeal is decided
    ("decided", "approved", "A", TODAY, False, False),  # lapses on its valid_until day
    ("expired", "approved", "A", TODAY - timedelta(days=1), False, False),
    ("decided", "approved", "A", None, True, False),
    ("decided", "needs_improvement", "C", None, False, False),
    ("decided", "rejected", "D", None, False, False),
    ("in_review", None, None, None, False, False),
])
def test_an_approval_stands_while_graded_a_or_b_valid_and_not_withdrawn(
        status: str, outcome: str | None, grade: str | None, valid_until: date | None, withdrawn: bool,
        stands: bool) -> None:
    assert approval_stands(status, outcome, grade, valid_until, TODAY, withdrawn) is stands


def test_why_a_product_leaves() -> None:
    assert delist_reason("expired", False) == "expired"
    assert delist_reason("decided", True) == "withdrawn"
    assert delist_reason("decided", False) == "not_approved"


def seen(position: int, added: datetime, removed: datetime | None = None) -> PhotoSeen:
    return PhotoSeen(photo_id=uuid.uuid4(), position=position, hash="h" * 64, sizes=[], added_at=added,
                     removed_at=removed)


def test_a_case_shows_the_photos_it_opened_with_then_those_added_since() -> None:
    opened = T0 + timedelta(hours=1)
    later, much_later = opened + timedelta(1), opened + timedelta(2)
    kept, gone_later, added_later = seen(2, T0), seen(1, T0, opened + timedelta(minutes=5)), seen(3, later)
    gone_before, added_and_gone = seen(4, T0, T0 + timedelta(minutes=1)), seen(5, later, much_later)
    shown = case_photos([added_later, kept, gone_before, added_and_gone, gone_later], opened)
    assert [(s.photo, s.added_since_opening, s.removed_since_opening) for s in shown] == [
        (gone_later, False, True), (kept, False, False), (added_later, True, False)]


def test_photo_changes_from_a_full_list() -> None:
    a, b, c = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    known = {a: (1, None), b: (2, None), c: (3, T0)}
    assert photo_changes(known, {b: 1, c: 2, (d := uuid.uuid4()): 3}) == ({d}, {b, c}, {a})


def test_search_words() -> None:
    assert search_text("Kain  Tenun", None, "UD Ikat") == "kain tenun ud ikat"
    assert search_words("  Tenun IKAT ") == ["tenun", "ikat"]


# --- rows ------------------------------------------------------------------------------------------


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'curation.db'}")
    migrate(engine, MIGRATIONS)
    yield engine
    engine.dispose()


IKM = uuid.uuid4()
SENTRA = uuid.uuid4()
TENUN, SONGKET = uuid.uuid4(), uuid.uuid4()


def registered() -> IkmRegisteredV1:
    return IkmRegisteredV1(
        ikm_id=IKM, nib=None, name="UD Tenun Ikat Sidemen", sector="fesyen", regency_code="5107",
        district_code="5107010", village_code="5107010001", workers=4, sentra_id=SENTRA,
        regency_name="Kabupaten Karangasem", sentra_name="Sentra Tenun Sidemen",
        products=[ProductInfo(product_id=TENUN, name="Kain tenun ikat", category="kain", price_idr=750_000,
                              description="Tenun ikat pewarna alam, 2 x 1 m."),
                  ProductInfo(product_id=SONGKET, name="Songket", category="kain", price_idr=2_500_000)])


def decided(session: Session, product_id: uuid.UUID, grade: str = "A", status: str = "decided",
            valid_until: date | None = None) -> Case:
    outcome = {"A": "approved", "B": "approved_with_conditions", "C": "needs_improvement", "D": "rejected"}[grade]
    case = session.exec(select(Case).where(Case.product_id == product_id)).first() or Case(
        ikm_id=IKM, ikm_name="UD Tenun Ikat Sidemen", product_id=product_id, product_name="?", sector="fesyen",
        regency_code="5107", rubric_version="v", panel_size=3, correlation_id=uuid.uuid4(), opened_at=T0)
    case.status, case.outcome, case.grade = status, outcome, grade
    case.valid_until = valid_until or utcnow().date() + timedelta(days=700)
    case.reason, case.reason_en = ("Perbaiki kemasan.", "Improve the packaging.") if grade == "B" else ("Lolos.", "OK")
    session.add(case)
    session.flush()
    catalogue.case_changed(session, case)
    session.flush()
    return case


def changes(session: Session) -> list[tuple[str, bool, str]]:
    rows = session.exec(select(OutboxEvent).order_by(OutboxEvent.id)).all()  # type: ignore[arg-type]
    data = [json.loads(r.envelope)["data"] for r in rows if r.stream == "catalogue.changed"]
    return [(d["product_name"], d["listed"], d["reason"]) for d in data]


def test_approval_lists_expiry_withdrawal_and_rejection_delist_each_told(engine: Engine) -> None:
    with Session(engine) as session:
        event = new_event("ikm.registered", registered())
        catalogue.record_registrations(session, [(event, registered())])
        decided(session, TENUN, "A")
        decided(session, SONGKET, "B")
        items, total = catalogue_reading.page(session, CatalogueFilters(), "price", 50, 0)
        assert total == 2 and [i.name for i in items] == ["Kain tenun ikat", "Songket"]
        tenun, songket = items
        assert (tenun.description, tenun.regency_name, tenun.sentra_name, tenun.grade) == (
            "Tenun ikat pewarna alam, 2 x 1 m.", "Kabupaten Karangasem", "Sentra Tenun Sidemen", "A")
        assert tenun.conditions is None and songket.conditions == "Perbaiki kemasan."

        # Expiry, withdrawal and a rejection after re-curation each take a product out and say why.
        decided(session, TENUN, "A", status="expired", valid_until=TODAY - timedelta(days=1))
        decided(session, SONGKET, "A")
        withdrawal = ProductWithdrawnV1(ikm_id=IKM, product_id=SONGKET)
        catalogue.withdraw(session, new_event("product.withdrawn", withdrawal), withdrawal)
        session.flush()
        decided(session, SONGKET, "A")  # a withdrawn product stays out, approval or not
        assert catalogue_reading.page(session, CatalogueFilters(), "name", 50, 0)[1] == 0
        resubmitted = ProductSubmittedV1(ikm_id=IKM, sector="fesyen", product=registered().products[1])
        catalogue.record_product(session, new_event("product.submitted", resubmitted), resubmitted)
        decided(session, SONGKET, "A")  # sent back to curation and approved: listed again
        decided(session, SONGKET, "D")
        session.commit()
        assert changes(session) == [
            ("Kain tenun ikat", True, "approved"), ("Songket", True, "approved"), ("Kain tenun ikat", False, "expired"),
            ("Songket", True, "approved"), ("Songket", False, "withdrawn"), ("Songket", True, "approved"),
            ("Songket", False, "not_approved")]


def test_filters_search_sort_and_the_feeds(engine: Engine) -> None:
    with Session(engine) as session:
        catalogue.record_registrations(session, [(new_event("ikm.registered", registered()), registered())])
        decided(session, TENUN, "A")
        decided(session, SONGKET, "B")

        def names(**kw: object) -> list[str]:
            return [i.name for i in catalogue_reading.page(session, CatalogueFilters(**kw), "-price", 50, 0)[0]]  # type: ignore[arg-type]

        assert names() == ["Songket", "Kain tenun ikat"]
        assert names(grade="B") == ["Songket"] and names(price_max=1_000_000) == ["Kain tenun ikat"]
        assert names(q="PEWARNA alam") == ["Kain tenun ikat"] and names(q="sidemen") == ["Songket", "Kain tenun ikat"]
        assert names(q="50%_") == [] and names(sector="kriya") == [] and names(regency_code="5107", sentra_id=SENTRA)

        items = catalogue_reading.page(session, CatalogueFilters(), "name", 50, 0)[0]
        ld = catalogue_reading.jsonld(items, 2, 0)
        product = ld["itemListElement"][0]["item"]
        assert ld["@context"] == "https://schema.org" and product["@type"] == "Product"
        assert items[0].valid_until is not None
        assert product["offers"] == {"@type": "Offer", "price": 750_000, "priceCurrency": "IDR",
                                     "availability": "https://schema.org/InStock",
                                     "priceValidUntil": items[0].valid_until.isoformat()}
        out = io.StringIO()
        CsvWriter(out).writerows([catalogue_reading.CSV_HEADER, *catalogue_reading.csv_rows(items)])
        rows = list(csv.reader(io.StringIO(out.getvalue())))
        assert rows[0][:2] == ["product_id", "name"] and rows[1][1] == "Kain tenun ikat" and rows[1][4] == "750000"
        # Nothing personal in any field of an entry, whatever its name.
        fields = set(json.loads(items[0].model_dump_json()))
        assert not {f for f in fields if {"owner", "nik", "phone", "address"} & set(f.split("_"))}


def test_ikm_changes_reach_entries_and_late_photo_events_are_ignored(engine: Engine) -> None:
    with Session(engine) as session:
        catalogue.record_registrations(session, [(new_event("ikm.registered", registered()), registered())])
        decided(session, TENUN, "A")
        update = IkmUpdatedV1(ikm_id=IKM, changed={"name": "UD Ikat Sidemen Lestari"}, sector="fesyen",
                              regency_code="5107", sentra_id=None, name="UD Ikat Sidemen Lestari")
        catalogue.record_ikm_update(session, new_event("ikm.updated", update), update)
        session.flush()
        entry = session.get(CatalogueEntry, TENUN)
        assert entry is not None and (entry.ikm_name, entry.sentra_id, entry.sentra_name) == (
            "UD Ikat Sidemen Lestari", None, None)

        def photos(*ids: uuid.UUID) -> ProductPhotosChangedV1:
            return ProductPhotosChangedV1(ikm_id=IKM, product_id=TENUN, photos=[
                PhotoRef(photo_id=i, hash="a" * 64, position=n, sizes=[PhotoSize(name="display", width=1, height=1)])
                for n, i in enumerate(ids, start=1)])

        first, second = uuid.uuid4(), uuid.uuid4()
        newer = new_event("product.photos_changed", photos(second, first))
        older = new_event("product.photos_changed", photos(first)).model_copy(
            update={"occurred_at": newer.occurred_at - timedelta(seconds=5)})
        catalogue.record_photos(session, newer, photos(second, first))
        session.flush()
        catalogue.record_photos(session, older, photos(first))  # arrives late: changes nothing
        session.flush()
        refs = session.exec(select(ProductPhotoRef).order_by(ProductPhotoRef.position)).all()  # type: ignore[arg-type]
        assert [(r.photo_id, r.removed_at) for r in refs] == [(second, None), (first, None)]
        shown = catalogue_reading.one(session, TENUN).photos
        assert [p.position for p in shown] == [1, 2] and shown[0].display_url.endswith(f"/photos/{second}/display")
