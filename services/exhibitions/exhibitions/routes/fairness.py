"""The fairness report: of an allocation run, and of the fair as it stands (issue 18)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends

from exhibitions import fairness, service
from exhibitions.schemas import FairnessPublic
from shared.auth import Principal, require_roles
from shared.web import SessionDep

router = APIRouter(prefix="/exhibitions/{exhibition_id}", tags=["allocation runs"])

Organiser = Annotated[Principal, Depends(require_roles("organiser"))]


@router.get("/allocation-runs/{run_id}/fairness", response_model=FairnessPublic,
            summary="A run's fairness report: each regency, sector and sentra, newcomers and accessible booths, "
                    "against the rules' minimum and maximum and the applicant pool")
def run_fairness(exhibition_id: uuid.UUID, run_id: uuid.UUID, session: SessionDep, _: Organiser) -> FairnessPublic:
    fair = service.get_exhibition(session, exhibition_id)
    return fairness.for_run(session, fair, service.get_run(session, fair, run_id))


@router.get("/fairness", response_model=FairnessPublic,
            summary="The published fair's fairness report: who holds a booth now, as the run's report counts it")
def fair_fairness(exhibition_id: uuid.UUID, session: SessionDep, _: Organiser) -> FairnessPublic:
    return fairness.for_fair(session, service.get_exhibition(session, exhibition_id))
