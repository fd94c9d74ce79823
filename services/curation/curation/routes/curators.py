from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, status
from sqlmodel import col, select

from curation import service
from curation.schemas import CuratorCreate, CuratorPublic
from curation.tables import Curator
from shared.auth import Principal, require_roles
from shared.web import SessionDep, UnitOfWorkDep

router = APIRouter(prefix="/curators", tags=["curators"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=CuratorPublic,
             summary="Register a curator profile for a user (admin)")
def register_curator(
    data: CuratorCreate, uow: UnitOfWorkDep, _: Annotated[Principal, Depends(require_roles("admin"))]
) -> CuratorPublic:
    curator = service.register_curator(uow.session, data)
    uow.commit()
    return service.curator_public(uow.session, curator)


@router.get("", response_model=list[CuratorPublic], summary="Curators with their open-case load")
def list_curators(
    session: SessionDep, _: Annotated[Principal, Depends(require_roles("curator", "registrar"))]
) -> list[CuratorPublic]:
    curators = session.exec(select(Curator).order_by(col(Curator.username))).all()
    return [service.curator_public(session, c) for c in curators]
