from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, status

from curation import service
from curation.routes import Settings
from curation.schemas import (
    AppealCreate,
    AuditPublic,
    CasePublic,
    ConflictCreate,
    DecisionCreate,
    Page,
    ScoreCreate,
)
from shared.auth import Principal, require_roles
from shared.errors import invalid
from shared.events import utcnow
from shared.web import SessionDep, UnitOfWorkDep

router = APIRouter(tags=["cases"])

Reader = Annotated[Principal, Depends(require_roles("curator", "registrar", "organiser"))]
CuratorUser = Annotated[Principal, Depends(require_roles("curator"))]
Registrar = Annotated[Principal, Depends(require_roles("registrar"))]
CaseStatus = Literal["open", "in_review", "panel", "decided", "appealed", "expired"]


@router.get("/cases", response_model=Page[CasePublic], summary="Curation cases (a curator's queue with curator_id=me)")
def list_cases(
    session: SessionDep,
    principal: Reader,
    ikm_id: uuid.UUID | None = None,
    product_id: uuid.UUID | None = None,
    status: CaseStatus | None = None,
    curator_id: Annotated[str | None, Query(description="a curator id, or `me`")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Page[CasePublic]:
    curator_uuid: uuid.UUID | None = None
    if curator_id == "me":
        me = service.curator_by_username(session, principal.username)
        if me is None:
            raise invalid("curator_id", "Anda belum terdaftar sebagai kurator.", "You are not registered as a curator.")
        curator_uuid = me.id
    elif curator_id is not None:
        try:
            curator_uuid = uuid.UUID(curator_id)
        except ValueError as exc:
            raise invalid("curator_id", "Pengenal kurator tidak valid (gunakan ID atau `me`).",
                          "Invalid curator id (use an id or `me`).") from exc
    cases, total = service.list_cases(session, ikm_id=ikm_id, product_id=product_id, status=status,
                                      curator_id=curator_uuid, limit=limit, offset=offset)
    return Page(items=service.cases_public(session, cases, principal), total=total, limit=limit, offset=offset)


@router.get("/cases/{case_id}", response_model=CasePublic, summary="One case with its assignments and scores")
def get_case(case_id: uuid.UUID, session: SessionDep, principal: Reader) -> CasePublic:
    return service.case_public(session, service.get_case(session, case_id), principal)


@router.get("/cases/{case_id}/audit", response_model=Page[AuditPublic], summary="Every step of a case")
def case_audit(case_id: uuid.UUID, session: SessionDep, _: Reader,
               limit: Annotated[int, Query(ge=1, le=500)] = 200,
               offset: Annotated[int, Query(ge=0)] = 0) -> Page[AuditPublic]:
    items, total = service.case_audit(session, case_id, limit, offset)
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.post("/cases/{case_id}/scores", status_code=status.HTTP_201_CREATED, response_model=CasePublic,
             summary="An assigned curator's gate results and rubric scores")
def submit_score(case_id: uuid.UUID, data: ScoreCreate, uow: UnitOfWorkDep, settings: Settings,
                 principal: CuratorUser) -> CasePublic:
    case = service.submit_score(uow.session, case_id, principal.username, data, settings)
    uow.commit()
    return service.case_public(uow.session, case, principal)


@router.put("/cases/{case_id}/scores/mine", response_model=CasePublic,
            summary="Correct one's own scores (a new version; the earlier one is kept)")
def correct_score(case_id: uuid.UUID, data: ScoreCreate, uow: UnitOfWorkDep, settings: Settings,
                  principal: CuratorUser) -> CasePublic:
    case = service.correct_score(uow.session, case_id, principal.username, data, settings)
    uow.commit()
    return service.case_public(uow.session, case, principal)


@router.post("/cases/{case_id}/conflicts", status_code=status.HTTP_201_CREATED, response_model=CasePublic,
             summary="An assigned curator declares a conflict of interest and is replaced")
def declare_conflict(case_id: uuid.UUID, data: ConflictCreate, uow: UnitOfWorkDep, settings: Settings,
                     principal: CuratorUser) -> CasePublic:
    case = service.declare_conflict(uow.session, case_id, principal.username, data, settings)
    uow.commit()
    return service.case_public(uow.session, case, principal)


@router.post("/cases/{case_id}/decision", response_model=CasePublic,
             summary="The panel chair's decision where the scores disagree, or on appeal")
def decide(case_id: uuid.UUID, data: DecisionCreate, uow: UnitOfWorkDep, settings: Settings,
           principal: CuratorUser) -> CasePublic:
    case = service.decide_by_panel(uow.session, case_id, principal, data, settings)
    uow.commit()
    return service.case_public(uow.session, case, principal)


@router.post("/cases/{case_id}/appeals", status_code=status.HTTP_201_CREATED, response_model=CasePublic,
             summary="Appeal a decision within the window; curators new to the case review it")
def appeal(case_id: uuid.UUID, data: AppealCreate, uow: UnitOfWorkDep, settings: Settings,
           principal: Registrar) -> CasePublic:
    case = service.file_appeal(uow.session, case_id, principal.username, data, settings, utcnow().date())
    uow.commit()
    return service.case_public(uow.session, case, principal)
