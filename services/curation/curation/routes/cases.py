from __future__ import annotations

import uuid
from dataclasses import asdict
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query

from curation import service
from curation.rubric import DEFAULT_RUBRIC
from curation.schemas import CasePublic, Page, RubricPublic
from shared.auth import Principal, require_roles
from shared.errors import invalid
from shared.web import SessionDep

router = APIRouter(tags=["cases"])

Reader = Annotated[Principal, Depends(require_roles("curator", "registrar", "organiser"))]
CaseStatus = Literal["open", "in_review", "decided", "appealed"]


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
    return Page(items=[service.case_public(session, c) for c in cases], total=total, limit=limit, offset=offset)


@router.get("/cases/{case_id}", response_model=CasePublic, summary="One case")
def get_case(case_id: uuid.UUID, session: SessionDep, _: Reader) -> CasePublic:
    return service.case_public(session, service.get_case(session, case_id))


@router.get("/rubric", response_model=RubricPublic, summary="The rubric new cases are scored with")
def rubric(_: Reader) -> RubricPublic:
    r = DEFAULT_RUBRIC
    return RubricPublic.model_validate({
        "version": r.version,
        "gates": [asdict(g) for g in r.gates],
        "criteria": [asdict(c) for c in r.criteria],
        "thresholds": {"approved": r.approved_min, "approved_with_conditions": r.conditional_min,
                       "needs_improvement": r.improvement_min, "disagreement_points": r.disagreement_points},
    })
