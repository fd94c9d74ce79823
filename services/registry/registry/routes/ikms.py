from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, status
from fastapi.responses import StreamingResponse
from sqlalchemy.exc import IntegrityError

from registry import service
from registry.schemas import (
    CertificationKind,
    Created,
    IkmCreate,
    IkmPublic,
    IkmStatus,
    IkmSummary,
    IkmUpdate,
    Need,
    Page,
    ProductCreate,
)
from registry.service import IkmFilters, Registering
from shared.auth import Principal, require_roles
from shared.bounds import Limit, Offset
from shared.csvfile import CsvWriter
from shared.domain import Sector
from shared.groupcommit import GroupCommit
from shared.web import SessionDep, UnitOfWorkDep

router = APIRouter(tags=["IKM"])

Registrar = Annotated[Principal, Depends(require_roles("registrar"))]
# Organisers read IKM too, with personal data masked. Curators do not: they need only the cases assigned
# to them, which curation shows (docs/security.md).
Reader = Annotated[Principal, Depends(require_roles("registrar", "organiser"))]

_NIB_TAKEN = service.nib_taken(None)


def _filters(
    regency_code: str | None = None,
    district_code: str | None = None,
    village_code: str | None = None,
    sector: Sector | None = None,
    sentra_id: uuid.UUID | None = None,
    q: Annotated[str | None, Query(max_length=100, description="name or NIB")] = None,
    status: IkmStatus | None = None,
    certification: Annotated[CertificationKind | None, Query(description="holds a certificate of this kind")] = None,
    need: Annotated[Need | None, Query(description="names this need")] = None,
    industry_class: Annotated[str | None, Query(pattern="^(kecil|menengah|besar)$")] = None,
    umkm_scale: Annotated[str | None, Query(pattern="^(mikro|kecil|menengah|besar)$")] = None,
) -> IkmFilters:
    return IkmFilters(regency_code=regency_code, district_code=district_code, village_code=village_code,
                      sector=sector, sentra_id=sentra_id, q=q, status=status, certification=certification, need=need,
                      industry_class=industry_class, umkm_scale=umkm_scale)


Filters = Annotated[IkmFilters, Depends(_filters)]


@router.post("/ikms", status_code=status.HTTP_201_CREATED, response_model=Created,
             summary="Register an IKM with its products")
async def register_ikm(data: IkmCreate, request: Request, principal: Registrar) -> Created:
    # Written by the registrations writer together with the requests that arrive beside it
    # (group commit, ADR 0015): the same checks and rows as one transaction per request.
    registrations: GroupCommit[Registering, uuid.UUID] = request.app.state.registrations
    try:
        ikm_id = await registrations.submit((data, principal))
    except IntegrityError as exc:
        if "nib" not in str(exc.orig).lower():
            raise
        # Two registrations of one NIB raced past the check: the unique index decided.
        raise _NIB_TAKEN from exc
    return Created(id=ikm_id)


@router.get("/ikms", response_model=Page[IkmSummary], summary="Search the register")
def list_ikms(
    session: SessionDep, _: Reader, filters: Filters,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[IkmSummary]:
    items, total = service.list_ikms(session, filters, limit, offset)
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.get("/ikms.csv", response_class=StreamingResponse,
            summary="The filtered register as CSV (personal data masked unless registrar or admin)")
def export_ikms(session: SessionDep, principal: Reader, filters: Filters) -> StreamingResponse:
    rows = list(service.export_ikms(session, filters, principal))  # read inside the request's session

    def lines() -> Iterator[str]:
        buffer = io.StringIO()
        writer = CsvWriter(buffer)
        for start in range(0, len(rows), 500):
            writer.writerows(rows[start:start + 500])
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()

    return StreamingResponse(lines(), media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": 'attachment; filename="ikm.csv"'})


@router.get("/ikms/{ikm_id}", response_model=IkmPublic, summary="One IKM with its status timeline")
def get_ikm(ikm_id: uuid.UUID, session: SessionDep, principal: Reader) -> IkmPublic:
    return service.ikm_public(session, ikm_id, principal)


@router.patch("/ikms/{ikm_id}", response_model=IkmPublic,
              summary="Change fields of an IKM (publishes ikm.updated without personal data)")
def update_ikm(ikm_id: uuid.UUID, data: IkmUpdate, uow: UnitOfWorkDep, principal: Registrar) -> IkmPublic:
    try:
        service.update_ikm(uow.session, ikm_id, data)
        uow.commit()
    except IntegrityError as exc:
        if "nib" not in str(exc.orig).lower():
            raise
        raise _NIB_TAKEN from exc
    return service.ikm_public(uow.session, ikm_id, principal)


@router.post("/ikms/{ikm_id}/products", status_code=status.HTTP_201_CREATED, response_model=Created,
             summary="Add a product (opens a curation case)")
def add_product(ikm_id: uuid.UUID, data: ProductCreate, uow: UnitOfWorkDep, _: Registrar) -> Created:
    product = service.add_product(uow.session, ikm_id, data)
    uow.commit()
    return Created(id=product.id)


@router.post("/ikms/{ikm_id}/products/{product_id}/resubmissions", status_code=status.HTTP_202_ACCEPTED,
             response_model=Created, summary="Send a product back to curation (re-curation)")
def resubmit_product(ikm_id: uuid.UUID, product_id: uuid.UUID, uow: UnitOfWorkDep, _: Registrar) -> Created:
    product = service.resubmit_product(uow.session, ikm_id, product_id)
    uow.commit()
    return Created(id=product.id)
