"""The curated catalogue, read: filtered and sorted pages, one entry, and the feeds (CSV, schema.org
JSON-LD) marketplaces read. Public: what an entry holds was chosen to carry no personal data."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import ColumnElement, RowMapping
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, func, select

from curation.catalogue_rules import search_words
from curation.catalogue_schemas import CatalogueItem, CataloguePhoto
from curation.photo_links import photo_url
from curation.tables import CatalogueEntry, ProductPhotoRef
from shared.errors import not_found

Sort = Literal["name", "price", "-price", "newest", "grade"]
_ORDER: dict[str, list[Any]] = {
    "name": [col(CatalogueEntry.product_name)],
    "price": [col(CatalogueEntry.price_idr).asc().nulls_last()],
    "-price": [col(CatalogueEntry.price_idr).desc().nulls_last()],
    "newest": [col(CatalogueEntry.listed_at).desc()],
    "grade": [col(CatalogueEntry.grade), col(CatalogueEntry.product_name)],
}


@dataclass(frozen=True)
class CatalogueFilters:
    sector: str | None = None
    regency_code: str | None = None
    sentra_id: uuid.UUID | None = None
    grade: str | None = None
    price_min: int | None = None
    price_max: int | None = None
    q: str | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        found: list[ColumnElement[bool]] = []
        for column, value in ((CatalogueEntry.sector, self.sector), (CatalogueEntry.regency_code, self.regency_code),
                              (CatalogueEntry.sentra_id, self.sentra_id), (CatalogueEntry.grade, self.grade)):
            if value is not None:
                found.append(col(column) == value)
        if self.price_min is not None:
            found.append(col(CatalogueEntry.price_idr) >= self.price_min)
        if self.price_max is not None:
            found.append(col(CatalogueEntry.price_idr) <= self.price_max)
        for word in search_words(self.q or ""):
            escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            found.append(col(CatalogueEntry.search).like(f"%{escaped}%", escape="\\"))
        return found


# Read as plain rows, not ORM objects: a page of the public catalogue is the hottest read there is.
_ENTRY = CatalogueEntry.__table__  # type: ignore[attr-defined]
_PHOTO = ProductPhotoRef.__table__  # type: ignore[attr-defined]


def page(session: Session, filters: CatalogueFilters, sort: Sort, limit: int,
         offset: int) -> tuple[list[CatalogueItem], int]:
    conditions = filters.conditions()
    total = session.exec(select(func.count()).select_from(CatalogueEntry).where(*conditions)).one()
    rows = session.execute(sa_select(_ENTRY).where(*conditions).order_by(*_ORDER[sort], col(CatalogueEntry.product_id))
                           .offset(offset).limit(limit)).mappings().all()
    return items(session, list(rows)), total


def one(session: Session, product_id: uuid.UUID) -> CatalogueItem:
    row = session.execute(sa_select(_ENTRY).where(col(CatalogueEntry.product_id) == product_id)).mappings().first()
    if row is None:
        raise not_found("Produk di katalog", "Catalogue product")
    return items(session, [row])[0]


def items(session: Session, entries: list[RowMapping]) -> list[CatalogueItem]:
    """Entries as the API shows them, with their current photos (one query)."""
    photos: dict[uuid.UUID, list[tuple[uuid.UUID, int]]] = defaultdict(list)
    if entries:
        for product_id, photo_id, position in session.execute(
                sa_select(_PHOTO.c.product_id, _PHOTO.c.photo_id, _PHOTO.c.position)
                .where(_PHOTO.c.product_id.in_([e["product_id"] for e in entries]), _PHOTO.c.removed_at.is_(None))
                .order_by(_PHOTO.c.position)):
            photos[product_id].append((photo_id, position))
    return [CatalogueItem(
        product_id=e["product_id"], name=e["product_name"], description=e["description"], category=e["category"],
        price_idr=e["price_idr"], ikm_id=e["ikm_id"], ikm_name=e["ikm_name"], sector=e["sector"],
        regency_code=e["regency_code"], regency_name=e["regency_name"], sentra_id=e["sentra_id"],
        sentra_name=e["sentra_name"], grade=e["grade"], valid_until=e["valid_until"], conditions=e["conditions"],
        conditions_en=e["conditions_en"], listed_at=e["listed_at"],
        photos=[CataloguePhoto(position=position,
                               thumbnail_url=photo_url(e["ikm_id"], e["product_id"], photo_id, "thumbnail"),
                               display_url=photo_url(e["ikm_id"], e["product_id"], photo_id, "display"))
                for photo_id, position in photos[e["product_id"]]],
    ) for e in entries]


CSV_HEADER = ["product_id", "name", "description", "category", "price_idr", "ikm_name", "sector", "regency_code",
              "regency_name", "sentra_name", "grade", "valid_until", "conditions", "image_url", "image_urls"]


def csv_rows(catalogue: Iterable[CatalogueItem]) -> Iterable[list[Any]]:
    """One row per entry for `CsvWriter` (amounts as numbers; every photo's display URL, space apart)."""
    for item in catalogue:
        urls = [p.display_url for p in item.photos]
        yield [str(item.product_id), item.name, item.description or "", item.category or "", item.price_idr,
               item.ikm_name, item.sector, item.regency_code, item.regency_name or "", item.sentra_name or "",
               item.grade, item.valid_until.isoformat() if item.valid_until else "", item.conditions or "",
               urls[0] if urls else "", " ".join(urls)]


def jsonld(catalogue: list[CatalogueItem], total: int, offset: int) -> dict[str, Any]:
    """A page of the catalogue as a schema.org ItemList of Product items, each with its Offer."""
    return {"@context": "https://schema.org", "@type": "ItemList", "numberOfItems": total,
            "itemListElement": [{"@type": "ListItem", "position": offset + i + 1, "item": jsonld_product(item)}
                                for i, item in enumerate(catalogue)]}


def jsonld_product(item: CatalogueItem) -> dict[str, Any]:
    product: dict[str, Any] = {
        "@type": "Product", "productID": str(item.product_id), "name": item.name,
        "image": [p.display_url for p in item.photos],
        "manufacturer": {"@type": "Organization", "name": item.ikm_name,
                         "address": {"@type": "PostalAddress", "addressRegion": item.regency_name or item.regency_code,
                                     "addressCountry": "ID"}},
        "additionalProperty": [{"@type": "PropertyValue", "name": "curation_grade", "value": item.grade}],
    }
    if item.description:
        product["description"] = item.description
    if item.category:
        product["category"] = item.category
    if item.price_idr is not None:
        offer: dict[str, Any] = {"@type": "Offer", "price": item.price_idr, "priceCurrency": "IDR",
                                 "availability": "https://schema.org/InStock"}
        if item.valid_until is not None:
            offer["priceValidUntil"] = item.valid_until.isoformat()
        product["offers"] = offer
    return product
