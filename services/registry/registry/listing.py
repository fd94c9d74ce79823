"""The registry's side of the curated catalogue (issue 16): what curation's `catalogue.changed`
says (a listed product's photos are public; the IKM's timeline tells the change) and a registrar's
withdrawal of a product, which curation turns into a delisting."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlmodel import Session, col, select

from registry.photo_service import product_of
from registry.tables import CatalogueListing, Product, TimelineEntry
from shared.db import insert_rows
from shared.events import CatalogueChangedV1, Envelope, ProductWithdrawnV1, new_event
from shared.outbox import add_event

_REASONS = {
    "approved": ("Produk {name} masuk katalog produk terkurasi (nilai {grade}, berlaku sampai {until}).",
                 "Product {name} listed in the curated catalogue (grade {grade}, valid until {until})."),
    "expired": ("Produk {name} dikeluarkan dari katalog: masa berlaku kurasinya habis.",
                "Product {name} delisted from the catalogue: its curation approval expired."),
    "withdrawn": ("Produk {name} dikeluarkan dari katalog: ditarik oleh pendaftar.",
                  "Product {name} delisted from the catalogue: withdrawn by the registrar."),
    "not_approved": ("Produk {name} dikeluarkan dari katalog: hasil kurasi ulang tidak meloloskannya.",
                     "Product {name} delisted from the catalogue: re-curation did not approve it."),
}


def describe_change(payload: CatalogueChangedV1) -> tuple[str, str]:
    """The timeline's sentence for a catalogue change, in Bahasa Indonesia and English."""
    id_text, en_text = _REASONS[payload.reason if not payload.listed else "approved"]
    until = payload.valid_until.isoformat() if payload.valid_until else "-"
    words = {"name": payload.product_name, "grade": payload.grade or "-", "until": until}
    return id_text.format(**words), en_text.format(**words)


def apply_catalogue_changes(session: Session, events: Sequence[tuple[Envelope, CatalogueChangedV1]]) -> None:
    """`catalogue.changed`, a batch at a time: each product's listing as the newest event says (an
    older one arriving late is ignored) and a timeline line each."""
    product_ids = list({p.product_id for _, p in events})
    known = set(session.exec(select(Product.id).where(col(Product.id).in_(product_ids))).all())
    listings = {r.product_id: r for r in session.exec(
        select(CatalogueListing).where(col(CatalogueListing.product_id).in_(product_ids))).all()}
    timeline = []
    for envelope, payload in events:
        if payload.product_id not in known:
            continue  # another deployment's product
        listing = listings.get(payload.product_id)
        if listing is None:
            listing = listings[payload.product_id] = CatalogueListing(
                product_id=payload.product_id, listed=payload.listed, changed_at=envelope.occurred_at)
        elif listing.changed_at < envelope.occurred_at:
            listing.listed, listing.changed_at = payload.listed, envelope.occurred_at
        session.add(listing)
        summary, summary_en = describe_change(payload)
        timeline.append({"ikm_id": payload.ikm_id, "event_id": envelope.event_id, "event_type": envelope.event_type,
                         "occurred_at": envelope.occurred_at, "summary": summary, "summary_en": summary_en,
                         "details": envelope.data})
    insert_rows(session, TimelineEntry, timeline)


def withdraw_product(session: Session, ikm_id: uuid.UUID, product_id: uuid.UUID) -> Product:
    """A registrar takes a product out of the catalogue: `product.withdrawn`; curation delists it and
    its `catalogue.changed` tells the timeline. Sending the product back to curation ends it."""
    product = product_of(session, ikm_id, product_id)
    add_event(session, new_event("product.withdrawn", ProductWithdrawnV1(ikm_id=ikm_id, product_id=product_id)))
    return product
