from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, status

from curation import reading, service
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
from shared.bounds import Limit, Offset
from shared.errors import invalid
from shared.events import utcnow
from shared.web import SessionDep, UnitOfWorkDep

router = APIRouter(tags=["cases"])

# Curators read only the cases they are or were assigned to (reading.scope_of): the role lets them in,
# the data narrows with it.
Reader = Annotated[Principal, Depends(require_roles("curator", "registrar", "organiser"))]
CuratorUser = Annotated[Principal, Depends(require_roles("curator"))]
Registrar = Annotated[Principal, Depends(require_roles("registrar"))]
CaseStatus = Literal["open", "in_review", "panel", "decided", "appealed", "expired"]


@router.get("/cases", response_model=Page[CasePublic],
            summary="Curation cases (a curator: the cases they are or were on; their queue with curator_id=me)")
def list_cases(
    session: SessionDep,
    principal: Reader,
    ikm_id: uuid.UUID | None = None,
    product_id: uuid.UUID | None = None,
    status: CaseStatus | None = None,
    curator_id: Annotated[str | None, Query(description="a curator id, or `me`")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
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
    cases, total = reading.list_cases(session, scope=reading.scope_of(session, principal), ikm_id=ikm_id,
                                      product_id=product_id, status=status, curator_id=curator_uuid, limit=limit,
                                      offset=offset)
    return Page(items=reading.cases_public(session, cases, principal), total=total, limit=limit, offset=offset)


@router.get("/cases/{case_id}", response_model=CasePublic, summary="One case with its assignments and scores")
def get_case(case_id: uuid.UUID, session: SessionDep, principal: Reader) -> CasePublic:
    case = reading.visible_case(session, case_id, reading.scope_of(session, principal))
    return reading.case_public(session, case, principal)


@router.get("/cases/{case_id}/audit", response_model=Page[AuditPublic],
            summary="Every step of a case (a curator's view hides the sheets GET /cases/{id} hides)")
def case_audit(case_id: uuid.UUID, session: SessionDep, principal: Reader, limit: Limit = 200,
               offset: Offset = 0) -> Page[AuditPublic]:
    items, total = reading.case_audit(session, case_id, principal, limit, offset)
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.post("/cases/{case_id}/scores", status_code=status.HTTP_201_CREATED, response_model=CasePublic,
             summary="An assigned curator's gate results and rubric scores")
def submit_score(case_id: uuid.UUID, data: ScoreCreate, uow: UnitOfWorkDep, settings: Settings,
                 principal: CuratorUser) -> CasePublic:
    case = service.submit_score(uow.session, case_id, principal.username, data, settings)
    uow.commit()
    return reading.case_public(uow.session, case, principal)


@router.put("/cases/{case_id}/scores/mine", response_model=CasePublic,
            summary="Correct one's own scores (a new version; the earlier one is kept)")
def correct_score(case_id: uuid.UUID, data: ScoreCreate, uow: UnitOfWorkDep, settings: Settings,
                  principal: CuratorUser) -> CasePublic:
    case = service.correct_score(uow.session, case_id, principal.username, data, settings)
    uow.commit()
    return reading.case_public(uow.session, case, principal)


@router.post("/cases/{case_id}/conflicts", status_code=status.HTTP_201_CREATED, response_model=CasePublic,
             summary="An assigned curator declares a conflict of interest and is replaced")
def declare_conflict(case_id: uuid.UUID, data: ConflictCreate, uow: UnitOfWorkDep, settings: Settings,
                     principal: CuratorUser) -> CasePublic:
    case = service.declare_conflict(uow.session, case_id, principal.username, data, settings)
    uow.commit()
    return reading.case_public(uow.session, case, principal)


@router.post("/cases/{case_id}/decision", response_model=CasePublic,
             summary="The panel chair's decision where the scores disagree, or on appeal")
def decide(case_id: uuid.UUID, data: DecisionCreate, uow: UnitOfWorkDep, settings: Settings,
           principal: CuratorUser) -> CasePublic:
    case = service.decide_by_panel(uow.session, case_id, principal, data, settings)
    uow.commit()
    return reading.case_public(uow.session, case, principal)


@router.post("/cases/{case_id}/appeals", status_code=status.HTTP_201_CREATED, response_model=CasePublic,
             summary="Appeal a decision within the window; curators new to the case review it")
def appeal(case_id: uuid.UUID, data: AppealCreate, uow: UnitOfWorkDep, settings: Settings,
           principal: Registrar) -> CasePublic:
    case = service.file_appeal(uow.session, case_id, principal.username, data, settings, utcnow().date())
    uow.commit()
    return reading.case_public(uow.session, case, principal)
