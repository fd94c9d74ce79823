from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from sqlalchemy.exc import IntegrityError

from exhibitions import service
from exhibitions.routes import SettingsDep
from exhibitions.schemas import (
    AllocationPublic,
    ApplicationPublic,
    AssignmentRequest,
    MoveRequest,
    Page,
    PreferenceRequest,
    SwapRequest,
)
from shared.auth import Principal, require_roles
from shared.bounds import Offset
from shared.errors import ApiError
from shared.web import SessionDep, UnitOfWorkDep

router = APIRouter(prefix="/exhibitions/{exhibition_id}", tags=["applications and booths"])
# Booth codes are matched as paths: a combined booth's code may hold a slash (A-01/02).

Organiser = Annotated[Principal, Depends(require_roles("organiser"))]
Reader = Annotated[Principal, Depends(require_roles("organiser", "registrar"))]
Status = Literal["pending_curation", "allocated", "waitlisted", "declined", "withdrawn"]


@router.get("/applications", response_model=Page[ApplicationPublic], summary="Applications with their reasons")
def list_applications(
    exhibition_id: uuid.UUID, session: SessionDep, _: Reader, status: Status | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100, offset: Offset = 0,
) -> Page[ApplicationPublic]:
    fair = service.get_exhibition(session, exhibition_id)
    items, total = service.list_applications(session, fair, status, limit, offset)
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.get("/allocations", response_model=list[AllocationPublic], summary="Who holds which booth")
def list_allocations(exhibition_id: uuid.UUID, session: SessionDep, _: Reader) -> list[AllocationPublic]:
    return service.list_allocations(session, service.get_exhibition(session, exhibition_id))


@router.put("/booths/{code:path}/assignment", response_model=AllocationPublic,
            summary="Assign a booth by hand (409 when taken)")
def assign(exhibition_id: uuid.UUID, code: str, data: AssignmentRequest, uow: UnitOfWorkDep, settings: SettingsDep,
           _: Organiser) -> AllocationPublic:
    try:
        fair = service.get_exhibition(uow.session, exhibition_id, lock=True)
        application = service.assign_booth(uow.session, fair, code, data.ikm_id, settings.confirm_days)
        uow.commit()
    except IntegrityError as exc:
        # A concurrent assignment of the same booth won the race: the unique index decided.
        raise ApiError(409, "conflict", f"Stan {code} sudah ditempati IKM lain.",
                       f"Booth {code} is already taken.") from exc
    name = next(a.ikm_name for a in service.list_allocations(uow.session, fair) if a.booth_code == code)
    return AllocationPublic(booth_code=code, ikm_id=application.ikm_id, ikm_name=name, status=application.status)


@router.delete("/booths/{code:path}/assignment", status_code=204, summary="Release a booth (the waitlist moves up)")
def release(exhibition_id: uuid.UUID, code: str, uow: UnitOfWorkDep, _: Organiser) -> None:
    fair = service.get_exhibition(uow.session, exhibition_id, lock=True)
    service.release_booth(uow.session, fair, code, None, "Dilepas oleh panitia.", "Released by the organisers.")
    uow.commit()


@router.post("/preferences", summary="Record the zones an exhibitor asked for (at most three, first choice first)")
def set_preferences(exhibition_id: uuid.UUID, data: PreferenceRequest, uow: UnitOfWorkDep,
                    _: Organiser) -> dict[str, object]:
    fair = service.get_exhibition(uow.session, exhibition_id, lock=True)
    application = service.set_preferences(uow.session, fair, data)
    uow.commit()
    return {"ikm_id": str(application.ikm_id), "zones": application.preferred_zones or []}


@router.post("/applications/{ikm_id}/unlock", summary="Unlock a published assignment so later runs may change it")
def unlock(exhibition_id: uuid.UUID, ikm_id: uuid.UUID, uow: UnitOfWorkDep, _: Organiser) -> dict[str, object]:
    fair = service.get_exhibition(uow.session, exhibition_id, lock=True)
    application = service.unlock(uow.session, fair, ikm_id)
    uow.commit()
    return {"ikm_id": str(application.ikm_id), "locked": application.locked}


@router.post("/booths/{code:path}/move", response_model=AllocationPublic,
             summary="Move a booth's holder to a free booth that takes its sector (409 when taken)")
def move(exhibition_id: uuid.UUID, code: str, data: MoveRequest, uow: UnitOfWorkDep, settings: SettingsDep,
         _: Organiser) -> AllocationPublic:
    try:
        fair = service.get_exhibition(uow.session, exhibition_id, lock=True)
        service.move_booth(uow.session, fair, code, data.to, settings.confirm_days)
        uow.commit()
    except IntegrityError as exc:
        raise ApiError(409, "conflict", f"Stan {data.to} sudah ditempati IKM lain.",
                       f"Booth {data.to} is already taken.") from exc
    return next(a for a in service.list_allocations(uow.session, fair) if a.booth_code == data.to)


@router.post("/swaps", response_model=list[AllocationPublic],
             summary="Two holders exchange booths (each booth must take the other's sector)")
def swap(exhibition_id: uuid.UUID, data: SwapRequest, uow: UnitOfWorkDep, settings: SettingsDep,
         _: Organiser) -> list[AllocationPublic]:
    try:
        fair = service.get_exhibition(uow.session, exhibition_id, lock=True)
        service.swap_booths(uow.session, fair, data.a, data.b, settings.confirm_days)
        uow.commit()
    except IntegrityError as exc:
        raise ApiError(409, "conflict", "Stan berubah saat ditukar; coba lagi.",
                       "The booths changed during the swap; try again.") from exc
    return [a for a in service.list_allocations(uow.session, fair) if a.booth_code in (data.a, data.b)]


@router.post("/applications/{ikm_id}/confirm", summary="Confirm a booth hold so it does not expire at its deadline")
def confirm(exhibition_id: uuid.UUID, ikm_id: uuid.UUID, uow: UnitOfWorkDep, _: Organiser) -> dict[str, object]:
    fair = service.get_exhibition(uow.session, exhibition_id, lock=True)
    application = service.confirm_hold(uow.session, fair, ikm_id)
    uow.commit()
    return {"ikm_id": str(application.ikm_id), "confirm_by": application.confirm_by,
            "confirmed_at": application.confirmed_at}
