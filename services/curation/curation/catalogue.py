"""The curated catalogue, written: what curation keeps of IKM, products and photos from the
registry's events, and the entry each standing approval puts in the catalogue (issue 16).

A product is listed while its approval stands (`catalogue_rules.approval_stands`); every change of
that is published as `catalogue.changed`, which the registry folds into the IKM's timeline and uses
to make the product's photos public. Decisions and expiry call `case_changed` in their transaction,
so the catalogue follows them at once.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlmodel import Session, col, select

from curation.catalogue_rules import approval_stands, delist_reason, photo_changes, search_text
from curation.tables import Case, CatalogueEntry, CatalogueIkm, CatalogueProduct, ProductPhotoRef
from shared.db import insert_rows
from shared.events import (
    CatalogueChangedV1,
    Envelope,
    IkmRegisteredV1,
    IkmUpdatedV1,
    ProductInfo,
    ProductPhotosChangedV1,
    ProductSubmittedV1,
    ProductWithdrawnV1,
    new_event,
    utcnow,
)
from shared.outbox import add_event

_PRODUCT_FIELDS = ("name", "description", "category", "price_idr")


def _product_values(ikm_id: uuid.UUID, p: ProductInfo) -> dict[str, Any]:
    return {"product_id": p.product_id, "ikm_id": ikm_id, "name": p.name, "description": p.description,
            "category": p.category, "price_idr": p.price_idr}


def record_registrations(session: Session, events: Sequence[tuple[Envelope, IkmRegisteredV1]]) -> None:
    """`ikm.registered`, a batch at a time: the IKM and its products as the catalogue shows them.
    Two queries for what is known already (a photo event may have come first), one INSERT each."""
    ikm_ids = [p.ikm_id for _, p in events]
    product_ids = [product.product_id for _, p in events for product in p.products]
    known_ikms = set(session.exec(select(CatalogueIkm.ikm_id).where(col(CatalogueIkm.ikm_id).in_(ikm_ids))).all())
    known = {r.product_id: r for r in session.exec(
        select(CatalogueProduct).where(col(CatalogueProduct.product_id).in_(product_ids))).all()}
    ikms, products = [], []
    for envelope, p in events:
        if p.ikm_id not in known_ikms:
            known_ikms.add(p.ikm_id)
            ikms.append({"ikm_id": p.ikm_id, "name": p.name, "sector": p.sector, "regency_code": p.regency_code,
                         "regency_name": p.regency_name, "sentra_id": p.sentra_id, "sentra_name": p.sentra_name,
                         "changed_at": envelope.occurred_at})
        for product in p.products:
            row = known.get(product.product_id)
            if row is None:
                products.append({**_product_values(p.ikm_id, product), "withdrawn": False})
            else:
                _fill_product(session, row, product)
    insert_rows(session, CatalogueIkm, ikms)
    insert_rows(session, CatalogueProduct, products)


def _fill_product(session: Session, row: CatalogueProduct, product: ProductInfo) -> None:
    for name in _PRODUCT_FIELDS:
        setattr(row, name, getattr(product, name))
    session.add(row)


def record_product(session: Session, envelope: Envelope, payload: ProductSubmittedV1) -> None:
    """`product.submitted`: a new product, or one sent back to curation (which ends a withdrawal:
    a new approval lists it again)."""
    row = session.get(CatalogueProduct, payload.product.product_id)
    if row is None:
        session.add(CatalogueProduct(**_product_values(payload.ikm_id, payload.product)))
        return
    _fill_product(session, row, payload.product)
    row.withdrawn = False
    entry = session.get(CatalogueEntry, row.product_id)
    if entry is not None:
        _refresh_entry(session, entry, row, session.get(CatalogueIkm, row.ikm_id))


def record_ikm_update(session: Session, envelope: Envelope, payload: IkmUpdatedV1) -> None:
    """`ikm.updated`: the IKM's catalogue fields, and its entries with them. An update older than
    the one applied (a retried entry arriving late) is ignored."""
    ikm = session.get(CatalogueIkm, payload.ikm_id)
    if ikm is None:
        earlier = session.exec(select(Case.ikm_name).where(Case.ikm_id == payload.ikm_id).limit(1)).first()
        ikm = CatalogueIkm(ikm_id=payload.ikm_id, name=payload.name or earlier or "", sector=payload.sector,
                           regency_code=payload.regency_code, changed_at=envelope.occurred_at)
    elif ikm.changed_at >= envelope.occurred_at:
        return
    name = payload.name or payload.changed.get("name")
    if isinstance(name, str) and name:
        ikm.name = name
    if ikm.sentra_id != payload.sentra_id or payload.sentra_name:
        ikm.sentra_name = payload.sentra_name
    if ikm.regency_code != payload.regency_code or payload.regency_name:
        ikm.regency_name = payload.regency_name
    ikm.sector, ikm.regency_code, ikm.sentra_id = payload.sector, payload.regency_code, payload.sentra_id
    ikm.changed_at = envelope.occurred_at
    session.add(ikm)
    for entry in session.exec(select(CatalogueEntry).where(CatalogueEntry.ikm_id == payload.ikm_id)).all():
        _refresh_entry(session, entry, session.get(CatalogueProduct, entry.product_id), ikm)


def record_photos(session: Session, envelope: Envelope, payload: ProductPhotosChangedV1) -> None:
    """`product.photos_changed`: the product's photos by reference. Each new one is stamped with
    when it was published, so a case can tell the photos it opened with from those added since."""
    product = session.get(CatalogueProduct, payload.product_id)
    if product is None:  # the photos came before the registration: a placeholder the registration fills
        product = CatalogueProduct(product_id=payload.product_id, ikm_id=payload.ikm_id, name="")
    elif product.photos_changed_at is not None and product.photos_changed_at >= envelope.occurred_at:
        return
    product.photos_changed_at = envelope.occurred_at
    session.add(product)
    rows = {r.photo_id: r for r in session.exec(
        select(ProductPhotoRef).where(ProductPhotoRef.product_id == payload.product_id)).all()}
    incoming = {p.photo_id: p for p in payload.photos}
    added, updated, removed = photo_changes({i: (r.position, r.removed_at) for i, r in rows.items()},
                                            {i: p.position for i, p in incoming.items()})
    for photo_id in added:
        p = incoming[photo_id]
        session.add(ProductPhotoRef(photo_id=p.photo_id, product_id=payload.product_id, ikm_id=payload.ikm_id,
                                    hash=p.hash, position=p.position, sizes=[s.model_dump() for s in p.sizes],
                                    added_at=envelope.occurred_at))
    for photo_id in updated:
        rows[photo_id].position, rows[photo_id].removed_at = incoming[photo_id].position, None
        session.add(rows[photo_id])
    for photo_id in removed:
        rows[photo_id].removed_at = envelope.occurred_at
        session.add(rows[photo_id])


def withdraw(session: Session, envelope: Envelope, payload: ProductWithdrawnV1) -> None:
    """`product.withdrawn`: the product leaves the catalogue and stays out until it is submitted
    again and approved."""
    product = session.get(CatalogueProduct, payload.product_id)
    if product is None:
        product = CatalogueProduct(product_id=payload.product_id, ikm_id=payload.ikm_id, name="")
    product.withdrawn = True
    session.add(product)
    entry = session.get(CatalogueEntry, payload.product_id)
    if entry is not None:
        session.delete(entry)
        _publish(session, entry.ikm_id, entry.product_id, entry.product_name, False, "withdrawn", causation=envelope)


def case_changed(session: Session, case: Case) -> None:
    """After a decision or an expiry: list the product while its approval stands, otherwise take it
    out (publishing `catalogue.changed` either way it moves)."""
    product = session.get(CatalogueProduct, case.product_id)
    withdrawn = bool(product and product.withdrawn)
    entry = session.get(CatalogueEntry, case.product_id)
    if approval_stands(case.status, case.outcome, case.grade, case.valid_until, utcnow().date(), withdrawn):
        ikm = session.get(CatalogueIkm, case.ikm_id)
        if entry is None:
            entry = CatalogueEntry(product_id=case.product_id, ikm_id=case.ikm_id, case_id=case.id,
                                   product_name=case.product_name, ikm_name=case.ikm_name, sector=case.sector,
                                   regency_code=case.regency_code, grade=case.grade or "", search="",
                                   listed_at=utcnow())
        entry.case_id, entry.grade, entry.valid_until = case.id, case.grade or "", case.valid_until
        conditional = case.grade == "B"
        entry.conditions = case.reason if conditional else None
        entry.conditions_en = case.reason_en if conditional else None
        _refresh_entry(session, entry, product, ikm)
        _publish(session, case.ikm_id, case.product_id, entry.product_name, True, "approved", case=case)
    elif entry is not None:
        session.delete(entry)
        _publish(session, case.ikm_id, case.product_id, entry.product_name, False,
                 delist_reason(case.status, withdrawn), case=case)


def _refresh_entry(session: Session, entry: CatalogueEntry, product: CatalogueProduct | None,
                   ikm: CatalogueIkm | None) -> None:
    """Copy into the entry what curation knows of the product and the IKM (the case's own copy of
    names and region when an event with more has not arrived)."""
    if product is not None and product.name:
        entry.product_name, entry.description = product.name, product.description
        entry.category, entry.price_idr = product.category, product.price_idr
    if ikm is not None:
        entry.ikm_name = ikm.name or entry.ikm_name
        entry.sector, entry.regency_code, entry.regency_name = ikm.sector, ikm.regency_code, ikm.regency_name
        entry.sentra_id, entry.sentra_name = ikm.sentra_id, ikm.sentra_name
    entry.search = search_text(entry.product_name, entry.description, entry.category, entry.ikm_name,
                               entry.sentra_name, entry.regency_name)
    session.add(entry)


def _publish(session: Session, ikm_id: uuid.UUID, product_id: uuid.UUID, product_name: str, listed: bool,
             reason: str, *, case: Case | None = None, causation: Envelope | None = None) -> None:
    payload = CatalogueChangedV1.model_validate({
        "ikm_id": ikm_id, "product_id": product_id, "product_name": product_name, "listed": listed,
        "reason": reason, "grade": case.grade if case is not None and listed else None,
        "valid_until": case.valid_until if case is not None and listed else None})
    if causation is not None:
        add_event(session, new_event("catalogue.changed", payload, causation=causation))
    else:
        add_event(session, new_event("catalogue.changed", payload,
                                     correlation_id=case.correlation_id if case is not None else None))
