"""What a fair produces for people: the floor plan as a picture, the exhibitor list, check-ins."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Response, status
from sqlalchemy.exc import IntegrityError

from exhibitions import service
from exhibitions.schemas import CheckinCreate, CheckinPublic, CheckinsPublic
from shared.auth import Principal, require_roles
from shared.errors import ApiError
from shared.events import utcnow
from shared.web import SessionDep, UnitOfWorkDep

router = APIRouter(prefix="/exhibitions/{exhibition_id}", tags=["floor plan, exhibitors and check-ins"])

Organiser = Annotated[Principal, Depends(require_roles("organiser"))]
Reader = Annotated[Principal, Depends(require_roles("organiser", "registrar"))]


@router.get("/floorplan.svg", response_class=Response, summary="The floor plan as an SVG picture",
            responses={200: {"content": {"image/svg+xml": {}}}})
def floorplan(exhibition_id: uuid.UUID, session: SessionDep, _: Reader) -> Response:
    fair = service.get_exhibition(session, exhibition_id)
    return Response(content=service.floorplan_svg(session, fair), media_type="image/svg+xml")


@router.get("/exhibitors.csv", response_class=Response, summary="Who holds which booth, as CSV (UTF-8)",
            responses={200: {"content": {"text/csv": {}}}})
def exhibitors(exhibition_id: uuid.UUID, session: SessionDep, _: Reader) -> Response:
    fair = service.get_exhibition(session, exhibition_id)
    return Response(content=service.exhibitors_csv(session, fair).encode("utf-8"),
                    media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="exhibitors-{fair.id}.csv"'})


@router.get("/exhibitors.pdf", response_class=Response,
            summary="The exhibitor list to print: A4 PDF, the same rows as exhibitors.csv (Indonesian first)",
            responses={200: {"content": {"application/pdf": {}}}})
def exhibitors_pdf(exhibition_id: uuid.UUID, session: SessionDep, _: Reader) -> Response:
    fair = service.get_exhibition(session, exhibition_id)
    return Response(content=service.exhibitors_pdf(session, fair, utcnow().date()), media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="exhibitors-{fair.id}.pdf"'})


@router.post("/checkins", status_code=status.HTTP_201_CREATED, response_model=CheckinPublic,
             summary="Record an exhibitor's arrival on a fair day (once per day)")
def check_in(exhibition_id: uuid.UUID, data: CheckinCreate, uow: UnitOfWorkDep, principal: Organiser) -> CheckinPublic:
    try:
        fair = service.get_exhibition(uow.session, exhibition_id, lock=True)
        row = service.check_in(uow.session, fair, data.ikm_id, data.day, principal)
        uow.commit()
    except IntegrityError as exc:  # a concurrent check-in of the same IKM and day won the race
        raise ApiError(409, "conflict", f"IKM ini sudah tercatat hadir pada {data.day}.",
                       f"This IKM has already checked in on {data.day}.") from exc
    return next(c for c in service.list_checkins(uow.session, fair).items
                if c.ikm_id == row.ikm_id and c.day == row.day)


@router.get("/checkins", response_model=CheckinsPublic, summary="Check-ins: a count per day and every row")
def list_checkins(exhibition_id: uuid.UUID, session: SessionDep, _: Reader) -> CheckinsPublic:
    return service.list_checkins(session, service.get_exhibition(session, exhibition_id))
