from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, status
from sqlmodel import col, select

from curation import service
from curation.routes import Settings
from curation.schemas import CuratorCreate, CuratorPublic, CuratorUpdate
from curation.tables import Curator
from shared.auth import Principal, require_roles
from shared.web import SessionDep, UnitOfWorkDep

router = APIRouter(prefix="/curators", tags=["curators"])

Admin = Annotated[Principal, Depends(require_roles("admin"))]
Curators = Annotated[Principal, Depends(require_roles("curator"))]
Reader = Annotated[Principal, Depends(require_roles("curator", "registrar"))]


@router.post("", status_code=status.HTTP_201_CREATED, response_model=CuratorPublic,
             summary="Register a curator profile for a user (admin)")
def register_curator(data: CuratorCreate, uow: UnitOfWorkDep, settings: Settings, _: Admin) -> CuratorPublic:
    curator = service.register_curator(uow.session, data, settings.max_open_cases)
    uow.commit()
    return service.curators_public(uow.session, [curator], settings.max_open_cases)[0]


@router.get("", response_model=list[CuratorPublic], summary="Curators with their open-case load")
def list_curators(session: SessionDep, settings: Settings, _: Reader) -> list[CuratorPublic]:
    curators = session.exec(select(Curator).order_by(col(Curator.username))).all()
    return service.curators_public(session, list(curators), settings.max_open_cases)


@router.patch("/{curator_id}", response_model=CuratorPublic,
              summary="Availability (the curator or an admin) and profile (admin)")
def update_curator(curator_id: uuid.UUID, data: CuratorUpdate, uow: UnitOfWorkDep, settings: Settings,
                   principal: Curators) -> CuratorPublic:
    curator = service.update_curator(uow.session, curator_id, data, principal, settings.max_open_cases)
    uow.commit()
    return service.curators_public(uow.session, [curator], settings.max_open_cases)[0]
