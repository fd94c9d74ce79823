from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, status

from curation import service
from curation.rubric import Rubric, rubric_to_data
from curation.schemas import RubricCreate, RubricPublic
from shared.auth import Principal, require_roles
from shared.web import SessionDep, UnitOfWorkDep

router = APIRouter(tags=["rubric"])

Reader = Annotated[Principal, Depends(require_roles("curator", "registrar", "organiser"))]
Admin = Annotated[Principal, Depends(require_roles("admin"))]


def _public(rubric: Rubric) -> RubricPublic:
    return RubricPublic.model_validate(rubric_to_data(rubric))


@router.get("/rubric", response_model=RubricPublic, summary="The rubric new cases are scored with")
def current_rubric(session: SessionDep, _: Reader) -> RubricPublic:
    return _public(service.current_rubric(session))


@router.get("/rubrics", response_model=list[RubricPublic], summary="Every rubric version, newest first")
def list_rubrics(session: SessionDep, _: Reader) -> list[RubricPublic]:
    return [_public(r) for r in service.list_rubrics(session)]


@router.get("/rubrics/{version}", response_model=RubricPublic, summary="One rubric version")
def get_rubric(version: str, session: SessionDep, _: Reader) -> RubricPublic:
    return _public(service.rubric_by_version(session, version))


@router.post("/rubrics", status_code=status.HTTP_201_CREATED, response_model=RubricPublic,
             summary="A new rubric version for a curation call (admin); open cases keep theirs")
def create_rubric(data: RubricCreate, uow: UnitOfWorkDep, principal: Admin) -> RubricPublic:
    rubric = service.create_rubric(uow.session, data, principal.username)
    uow.commit()
    return _public(rubric)
