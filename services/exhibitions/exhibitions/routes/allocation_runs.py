"""Allocation runs: solve a fair's allocation as a draft, read it with its reasons, publish it, unlock it."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, status

from exhibitions import service
from exhibitions.routes import SettingsDep
from exhibitions.schemas import AllocationRunCreate, AllocationRunPublic
from shared.auth import Principal, require_roles
from shared.web import SessionDep, UnitOfWorkDep

router = APIRouter(prefix="/exhibitions/{exhibition_id}/allocation-runs", tags=["allocation runs"])

Organiser = Annotated[Principal, Depends(require_roles("organiser"))]
Reader = Annotated[Principal, Depends(require_roles("organiser", "registrar"))]


@router.post("", status_code=status.HTTP_201_CREATED, response_model=AllocationRunPublic,
             summary="Compute an optimal allocation as a draft (status `infeasible` names the rules it cannot meet)")
def create_run(exhibition_id: uuid.UUID, settings: SettingsDep, uow: UnitOfWorkDep, principal: Organiser,
               data: AllocationRunCreate | None = None) -> AllocationRunPublic:
    fair = service.get_exhibition(uow.session, exhibition_id, lock=True)
    run = service.create_run(uow.session, fair, data.seed if data else None, principal,
                             settings.allocation_time_limit_s)
    uow.commit()
    return service.run_public(uow.session, run)


@router.get("/{run_id}", response_model=AllocationRunPublic, summary="A run with every IKM's result and reason")
def get_run(exhibition_id: uuid.UUID, run_id: uuid.UUID, session: SessionDep, _: Reader) -> AllocationRunPublic:
    fair = service.get_exhibition(session, exhibition_id)
    return service.run_public(session, service.get_run(session, fair, run_id))


@router.post("/{run_id}/publish", response_model=AllocationRunPublic,
             summary="Publish a draft: booths and waitlist ranks take effect and are locked (409 when stale)")
def publish_run(exhibition_id: uuid.UUID, run_id: uuid.UUID, settings: SettingsDep, uow: UnitOfWorkDep,
                _: Organiser) -> AllocationRunPublic:
    fair = service.get_exhibition(uow.session, exhibition_id, lock=True)
    run = service.publish_run(uow.session, fair, service.get_run(uow.session, fair, run_id),
                              settings.confirm_days)
    uow.commit()
    return service.run_public(uow.session, run)


@router.post("/{run_id}/unlock", summary="Unlock every assignment this run published, for the next run")
def unlock_run(exhibition_id: uuid.UUID, run_id: uuid.UUID, uow: UnitOfWorkDep, _: Organiser) -> dict[str, int]:
    fair = service.get_exhibition(uow.session, exhibition_id, lock=True)
    count = service.unlock_run(uow.session, fair, service.get_run(uow.session, fair, run_id))
    uow.commit()
    return {"unlocked": count}
