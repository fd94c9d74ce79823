from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, status
from sqlalchemy.exc import IntegrityError

from registry import service
from registry.schemas import Created, IkmCreate, IkmPublic, IkmSummary, Page, ProductCreate
from shared.auth import Principal, require_roles
from shared.errors import ApiError, FieldError
from shared.web import SessionDep, UnitOfWorkDep

router = APIRouter(tags=["IKM"])

Registrar = Annotated[Principal, Depends(require_roles("registrar"))]
# Curators and organisers read IKM too; they see personal data masked.
Reader = Annotated[Principal, Depends(require_roles("registrar", "curator", "organiser"))]


@router.post("/ikms", status_code=status.HTTP_201_CREATED, response_model=Created,
             summary="Register an IKM with its products")
def register_ikm(data: IkmCreate, uow: UnitOfWorkDep, principal: Registrar) -> Created:
    try:
        ikm = service.register_ikm(uow.session, data, principal)
        uow.commit()
    except IntegrityError as exc:
        if "nib" not in str(exc.orig).lower():
            raise
        # Two registrations of one NIB raced past the check: the unique index decided.
        raise ApiError(409, "conflict", "NIB sudah terdaftar.", "NIB is already registered.",
                       [FieldError(field="nib", message="NIB ini sudah terdaftar untuk IKM lain.",
                                   message_en="This NIB is already registered to another IKM.")]) from exc
    return Created(id=ikm.id)


@router.get("/ikms", response_model=Page[IkmSummary], summary="Search the register")
def list_ikms(
    session: SessionDep,
    _: Reader,
    regency_code: str | None = None,
    district_code: str | None = None,
    village_code: str | None = None,
    sector: str | None = None,
    sentra_id: uuid.UUID | None = None,
    q: Annotated[str | None, Query(max_length=100, description="name or NIB")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Page[IkmSummary]:
    items, total = service.list_ikms(session, regency_code=regency_code, district_code=district_code,
                                     village_code=village_code, sector=sector, sentra_id=sentra_id, q=q,
                                     limit=limit, offset=offset)
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.get("/ikms/{ikm_id}", response_model=IkmPublic, summary="One IKM with its status timeline")
def get_ikm(ikm_id: uuid.UUID, session: SessionDep, principal: Reader) -> IkmPublic:
    return service.ikm_public(session, ikm_id, principal)


@router.post("/ikms/{ikm_id}/products", status_code=status.HTTP_201_CREATED, response_model=Created,
             summary="Add a product (opens a curation case)")
def add_product(ikm_id: uuid.UUID, data: ProductCreate, uow: UnitOfWorkDep, _: Registrar) -> Created:
    product = service.add_product(uow.session, ikm_id, data)
    uow.commit()
    return Created(id=product.id)
