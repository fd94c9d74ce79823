from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Body, Depends, Header, Query, Response, status
from sqlalchemy import func
from sqlmodel import col, select

from exhibitions import floorplan_csv, service
from exhibitions.routes import SettingsDep
from exhibitions.schemas import (
    MAX_BOOTHS,
    BoothCreate,
    BoothPublic,
    CombineRequest,
    ExhibitionCreate,
    ExhibitionPublic,
    Page,
    SplitRequest,
)
from exhibitions.tables import Exhibition
from shared.auth import Principal, require_roles
from shared.bounds import Limit, Offset
from shared.errors import ApiError
from shared.limits import UPLOAD, items_at_most
from shared.web import SessionDep, UnitOfWorkDep

router = APIRouter(prefix="/exhibitions", tags=["fairs and floor plans"])

Organiser = Annotated[Principal, Depends(require_roles("organiser"))]
# Curators need only their cases, not the fairs (docs/security.md).
Reader = Annotated[Principal, Depends(require_roles("organiser", "registrar"))]
# What browsers, spreadsheets and curl send a .csv file as.
CSV_TYPES = ("text/csv", "application/csv", "text/plain", "application/vnd.ms-excel", "application/octet-stream")


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ExhibitionPublic, summary="Set up a fair")
def create_exhibition(data: ExhibitionCreate, uow: UnitOfWorkDep, settings: SettingsDep,
                      principal: Organiser) -> ExhibitionPublic:
    if data.confirm_days is None:
        data = data.model_copy(update={"confirm_days": settings.confirm_days})
    fair = service.create_exhibition(uow.session, data, principal)
    uow.commit()
    return service.exhibition_public(uow.session, fair)


@router.get("", response_model=Page[ExhibitionPublic], summary="Fairs")
def list_exhibitions(
    session: SessionDep, _: Reader,
    limit: Limit = 50, offset: Offset = 0,
    status: Annotated[Literal["open", "closed"] | None,
                      Query(description="open: the fairs taking applications; closed: those closed")] = None,
) -> Page[ExhibitionPublic]:
    where = [Exhibition.status == status] if status else []
    total = session.exec(select(func.count()).select_from(Exhibition).where(*where)).one()
    rows = session.exec(select(Exhibition).where(*where).order_by(col(Exhibition.starts_on)).offset(offset)
                        .limit(limit))
    return Page(items=[service.exhibition_public(session, f) for f in rows], total=total, limit=limit,
                offset=offset)


# Before `/{exhibition_id}`, which would otherwise take the file name for a fair's id.
@router.get("/floorplan-template.csv", response_class=Response,
            summary="The floor plan CSV template: the columns of POST /exhibitions/{id}/booths.csv, two examples",
            responses={200: {"content": {"text/csv": {}}}})
def floorplan_template(_: Organiser) -> Response:
    return Response(content=floorplan_csv.template().encode("utf-8"), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="floorplan-template.csv"'})


@router.get("/{exhibition_id}", response_model=ExhibitionPublic, summary="One fair")
def get_exhibition(exhibition_id: uuid.UUID, session: SessionDep, _: Reader) -> ExhibitionPublic:
    return service.exhibition_public(session, service.get_exhibition(session, exhibition_id))


@router.post("/{exhibition_id}/booths", status_code=status.HTTP_201_CREATED, response_model=list[BoothPublic],
             summary="Add booths to the floor plan (bulk)")
def add_booths(exhibition_id: uuid.UUID,
               booths: Annotated[list[BoothCreate], items_at_most(MAX_BOOTHS), Body(max_length=MAX_BOOTHS)],
               uow: UnitOfWorkDep, _: Organiser) -> list[BoothPublic]:
    rows = service.add_booths(uow.session, exhibition_id, booths)
    uow.commit()
    return [service.booth_public(uow.session, b) for b in rows]


@router.post("/{exhibition_id}/booths.csv", status_code=status.HTTP_201_CREATED, response_model=list[BoothPublic],
             summary="Add booths from a CSV file (the body is the file; see GET /exhibitions/floorplan-template.csv): "
                     "every row or none", openapi_extra=UPLOAD)
def add_booths_csv(exhibition_id: uuid.UUID, content: Annotated[bytes, Body(media_type="text/csv")],
                   uow: UnitOfWorkDep, _: Organiser,
                   content_type: Annotated[str, Header()] = "") -> list[BoothPublic]:
    if content_type.split(";")[0].strip().lower() not in CSV_TYPES:
        raise ApiError(415, "unsupported_media_type",
                       "Kirim isi berkas CSV sebagai badan permintaan dengan Content-Type: text/csv.",
                       "Send the CSV file as the request body with Content-Type: text/csv.")
    lines, booths = floorplan_csv.read_floorplan_csv(content)
    rows = service.add_booths(uow.session, exhibition_id, booths, lines)
    uow.commit()
    return [service.booth_public(uow.session, b) for b in rows]


@router.get("/{exhibition_id}/booths", response_model=list[BoothPublic], summary="The floor plan")
def list_booths(
    exhibition_id: uuid.UUID, session: SessionDep, _: Reader,
    include_inactive: Annotated[bool, Query(description="Also the booths replaced by combining or splitting")] = False,
) -> list[BoothPublic]:
    return service.list_booths(session, service.get_exhibition(session, exhibition_id), include_inactive)


@router.post("/{exhibition_id}/booths/combine", status_code=status.HTTP_201_CREATED, response_model=BoothPublic,
             summary="Combine free booths side by side in one hall and zone into one booth (409 when one is held)")
def combine_booths(exhibition_id: uuid.UUID, data: CombineRequest, uow: UnitOfWorkDep,
                   _: Organiser) -> BoothPublic:
    fair = service.get_exhibition(uow.session, exhibition_id, lock=True)
    booth = service.combine_booths(uow.session, fair, data.codes, data.code)
    uow.commit()
    return service.booth_public(uow.session, booth)


@router.post("/{exhibition_id}/booths/{code:path}/split", status_code=status.HTTP_201_CREATED,
             response_model=list[BoothPublic],
             summary="Split a free booth: back into the booths it was combined from, or into equal parts")
def split_booth(exhibition_id: uuid.UUID, code: str, uow: UnitOfWorkDep, _: Organiser,
                data: SplitRequest | None = None) -> list[BoothPublic]:
    fair = service.get_exhibition(uow.session, exhibition_id, lock=True)
    parts = service.split_booth(uow.session, fair, code, data.parts if data else None, data.codes if data else None)
    uow.commit()
    return [service.booth_public(uow.session, b) for b in parts]
