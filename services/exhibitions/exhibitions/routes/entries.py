"""Entering registered IKM into a fair by hand, inviting every eligible one, and closing a fair."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Response, status
from sqlmodel import select

from exhibitions import entries, service
from exhibitions.schemas import ApplicationPublic, EntryRequest, ExhibitionPublic, InvitationsPublic
from exhibitions.tables import Application, Booth, IkmProfile
from shared.auth import Principal, require_roles
from shared.events import utcnow
from shared.web import UnitOfWorkDep

router = APIRouter(prefix="/exhibitions/{exhibition_id}", tags=["applications and booths"])

Organiser = Annotated[Principal, Depends(require_roles("organiser"))]


@router.post("/close", response_model=ExhibitionPublic,
             summary="Close the fair: no more applications, holds stay, it leaves the open fairs (idempotent)")
def close(exhibition_id: uuid.UUID, uow: UnitOfWorkDep, _: Organiser) -> ExhibitionPublic:
    fair = service.get_exhibition(uow.session, exhibition_id, lock=True)
    entries.close_fair(uow.session, fair)
    uow.commit()
    return service.exhibition_public(uow.session, fair)


@router.post("/applications", status_code=status.HTTP_201_CREATED, response_model=ApplicationPublic,
             responses={200: {"description": "The IKM had applied already: its application as it is"}},
             summary="Enter a registered IKM by id: placed or waitlisted at once, or held for curation (idempotent)")
def enter(exhibition_id: uuid.UUID, data: EntryRequest, uow: UnitOfWorkDep, response: Response,
          _: Organiser) -> ApplicationPublic:
    fair = service.get_exhibition(uow.session, exhibition_id, lock=True)
    application, new = entries.enter_ikm(uow.session, fair, data.ikm_id, utcnow().date())
    uow.commit()
    if not new:
        response.status_code = status.HTTP_200_OK
    row = uow.session.exec(select(Application).where(Application.id == application.id)).one()
    profile = uow.session.get(IkmProfile, row.ikm_id)
    booth = uow.session.get(Booth, row.booth_id) if row.booth_id is not None else None
    assert profile is not None
    return ApplicationPublic(ikm_id=row.ikm_id, ikm_name=profile.name, status=row.status,
                             booth_code=booth.code if booth else None, waitlist_rank=row.waitlist_rank,
                             reason=row.reason, reason_en=row.reason_en, updated_at=row.updated_at)


@router.post("/invitations", response_model=InvitationsPublic,
             summary="Enter every eligible IKM exhibitions knows (sector, regency, curation standing) (idempotent)")
def invite(exhibition_id: uuid.UUID, uow: UnitOfWorkDep, _: Organiser) -> InvitationsPublic:
    fair = service.get_exhibition(uow.session, exhibition_id, lock=True)
    result = entries.invite_eligible(uow.session, fair, utcnow().date())
    uow.commit()
    return InvitationsPublic(entered=result.entered, already=result.already, not_eligible=result.not_eligible)
