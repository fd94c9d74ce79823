from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, status
from sqlalchemy import func
from sqlmodel import col, select

from registry import service
from registry.schemas import Page, SentraCreate, SentraPublic, SentraUpdate
from registry.tables import Sentra
from shared.auth import Principal, require_roles
from shared.bounds import Limit, Offset
from shared.errors import not_found
from shared.web import SessionDep, UnitOfWorkDep

router = APIRouter(prefix="/sentra", tags=["sentra"])

# Curators are left out like the register itself (docs/security.md).
Reader = Annotated[Principal, Depends(require_roles("registrar", "organiser"))]
Registrar = Annotated[Principal, Depends(require_roles("registrar"))]


@router.post("", status_code=status.HTTP_201_CREATED, response_model=SentraPublic, summary="Record a sentra")
def create_sentra(data: SentraCreate, uow: UnitOfWorkDep, _: Registrar) -> SentraPublic:
    sentra = service.create_sentra(uow.session, data)
    uow.commit()
    return service.sentra_public(uow.session, sentra)


@router.get("", response_model=Page[SentraPublic], summary="List sentra")
def list_sentra(
    session: SessionDep, _: Reader, regency_code: str | None = None,
    limit: Limit = 50, offset: Offset = 0,
) -> Page[SentraPublic]:
    where = [Sentra.regency_code == regency_code] if regency_code else []
    total = session.exec(select(func.count()).select_from(Sentra).where(*where)).one()
    rows = session.exec(select(Sentra).where(*where).order_by(col(Sentra.name)).offset(offset).limit(limit))
    return Page(items=[service.sentra_public(session, s) for s in rows], total=total, limit=limit, offset=offset)


@router.get("/{sentra_id}", response_model=SentraPublic, summary="One sentra")
def get_sentra(sentra_id: uuid.UUID, session: SessionDep, _: Reader) -> SentraPublic:
    sentra = session.get(Sentra, sentra_id)
    if sentra is None:
        raise not_found("Sentra", "Sentra")
    return service.sentra_public(session, sentra)


@router.patch("/{sentra_id}", response_model=SentraPublic,
              summary="Change a sentra (its decree, koperasi, problems, location...): only the fields sent")
def update_sentra(sentra_id: uuid.UUID, data: SentraUpdate, uow: UnitOfWorkDep, _: Registrar) -> SentraPublic:
    sentra = service.update_sentra(uow.session, sentra_id, data)
    uow.commit()
    return service.sentra_public(uow.session, sentra)
