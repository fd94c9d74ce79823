from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, status

from registry import service
from registry.regions import bps_regions
from registry.schemas import RegionPublic, VillageCreate
from shared.auth import Principal, require_roles
from shared.errors import not_found
from shared.web import SessionDep, UnitOfWorkDep

router = APIRouter(prefix="/regions", tags=["regions"])

AnyRole = Annotated[Principal, Depends(require_roles("registrar", "curator", "organiser", "operator"))]


@router.get("/provinces", response_model=list[RegionPublic], summary="Provinces")
def provinces(_: AnyRole) -> list[RegionPublic]:
    index = bps_regions()
    return [RegionPublic(code=r.code, parent_code=None, name=r.name, level=r.level)
            for r in index.by_code.values() if r.level == "province"]


@router.get("/{code}", response_model=RegionPublic, summary="One region by BPS code")
def region(code: str, session: SessionDep, _: AnyRole) -> RegionPublic:
    found = service.find_regions(session, [code]).get(code)
    if found is None:
        raise not_found(f"Wilayah {code}", f"Region {code}")
    return RegionPublic(code=found.code, parent_code=found.parent_code, name=found.name, level=found.level,
                        added=bps_regions().get(code) is None)


@router.get("/{code}/children", response_model=list[RegionPublic],
            summary="Regions directly below one (regencies of a province, districts, villages)")
def children(code: str, session: SessionDep, _: AnyRole) -> list[RegionPublic]:
    if service.find_regions(session, [code]).get(code) is None:
        raise not_found(f"Wilayah {code}", f"Region {code}")
    return service.child_regions(session, code)


@router.post("/villages", status_code=status.HTTP_201_CREATED, response_model=RegionPublic,
             summary="Add a village missing from the BPS list (admin)")
def add_village(
    data: VillageCreate, uow: UnitOfWorkDep, principal: Annotated[Principal, Depends(require_roles("admin"))]
) -> RegionPublic:
    added = service.add_village(uow.session, data, principal)
    uow.commit()
    return added
