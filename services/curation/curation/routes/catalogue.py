"""The curated catalogue (issue 16): public, without a token. Every product whose approval stands,
for buyers, hotels, tourism boards and marketplaces; no personal data."""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Response
from fastapi.responses import JSONResponse, StreamingResponse

from curation import catalogue_reading
from curation.catalogue_reading import CatalogueFilters, Sort
from curation.catalogue_schemas import CatalogueItem
from curation.schemas import Page
from shared.bounds import DB_INT_MAX, Limit, Offset
from shared.csvfile import CsvWriter
from shared.domain import Sector
from shared.errors import invalid
from shared.web import SessionDep

router = APIRouter(tags=["catalogue"])

Price = Annotated[int | None, Query(ge=0, le=DB_INT_MAX, description="rupiah")]
# The feeds are read in pages too: a whole province's catalogue is tens of thousands of entries.
FEED_MAX = 5000


def _filters(
    sector: Sector | None = None,
    regency_code: Annotated[str | None, Query(pattern=r"^\d{4}$", description="BPS kabupaten/kota code")] = None,
    sentra_id: uuid.UUID | None = None,
    grade: Literal["A", "B"] | None = None,
    price_min: Price = None,
    price_max: Price = None,
    q: Annotated[str | None, Query(max_length=100, description="words in the product's or IKM's name, "
                                                                "description or category")] = None,
) -> CatalogueFilters:
    if price_min is not None and price_max is not None and price_min > price_max:
        raise invalid("price_min", "Harga terendah lebih besar dari harga tertinggi.",
                      "The lowest price is above the highest price.")
    return CatalogueFilters(sector=sector, regency_code=regency_code, sentra_id=sentra_id, grade=grade,
                            price_min=price_min, price_max=price_max, q=q)


Filters = Annotated[CatalogueFilters, Depends(_filters)]
SortBy = Annotated[Sort, Query(description="name, price (low first), -price (high first), newest, grade")]


@router.get("/catalogue", response_model=Page[CatalogueItem], summary="The curated catalogue (public)")
def catalogue(session: SessionDep, filters: Filters, sort: SortBy = "name", limit: Limit = 50,
              offset: Offset = 0) -> Page[CatalogueItem]:
    items, total = catalogue_reading.page(session, filters, sort, limit, offset)
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.get("/catalogue.csv", response_class=StreamingResponse,
            summary="The curated catalogue as CSV, for marketplaces (public; pages of up to 5,000)")
def catalogue_csv(session: SessionDep, filters: Filters, sort: SortBy = "name",
                  limit: Annotated[int, Query(ge=1, le=FEED_MAX)] = FEED_MAX, offset: Offset = 0) -> StreamingResponse:
    items, _ = catalogue_reading.page(session, filters, sort, limit, offset)

    def lines() -> Iterator[str]:
        buffer = io.StringIO()
        writer = CsvWriter(buffer)
        writer.writerow(catalogue_reading.CSV_HEADER)
        for start in range(0, len(items), 500):
            writer.writerows(catalogue_reading.csv_rows(items[start:start + 500]))
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
        yield buffer.getvalue()

    return StreamingResponse(lines(), media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": 'attachment; filename="katalog.csv"'})


@router.get("/catalogue.jsonld", response_class=Response,
            summary="The curated catalogue as schema.org Product/Offer items (public; pages of up to 5,000)",
            responses={200: {"description": "A schema.org ItemList", "content": {"application/ld+json": {
                "schema": {"type": "object"}}}}})
def catalogue_jsonld(session: SessionDep, filters: Filters, sort: SortBy = "name",
                     limit: Annotated[int, Query(ge=1, le=FEED_MAX)] = 500, offset: Offset = 0) -> JSONResponse:
    items, total = catalogue_reading.page(session, filters, sort, limit, offset)
    return JSONResponse(catalogue_reading.jsonld(items, total, offset), media_type="application/ld+json")


@router.get("/catalogue/{product_id}", response_model=CatalogueItem, summary="One product of the catalogue (public)")
def catalogue_item(product_id: uuid.UUID, session: SessionDep) -> CatalogueItem:
    return catalogue_reading.one(session, product_id)
