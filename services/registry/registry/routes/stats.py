"""The mapping dashboard's figures."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from registry import service
from registry.schemas import MappingStats
from shared.auth import Principal, require_roles
from shared.web import SessionDep

router = APIRouter(tags=["statistics"])

# Curators are left out like the register itself (docs/security.md).
Reader = Annotated[Principal, Depends(require_roles("registrar", "organiser"))]


@router.get("/stats/mapping", response_model=MappingStats,
            summary="IKM counts by regency × sector, district, village and sentra; workers; certification; growth")
def mapping(request: Request, session: SessionDep, _: Reader, regency_code: str | None = None) -> MappingStats:
    return service.mapping_stats(session, request.app.state.settings.competency_target, regency_code)
