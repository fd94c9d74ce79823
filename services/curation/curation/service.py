"""Curation service logic: opening cases from registry events and assigning curators."""

from __future__ import annotations

import uuid
from collections import Counter

from sqlalchemy import func
from sqlmodel import Session, col, select

from curation.rubric import DEFAULT_RUBRIC
from curation.rules import CuratorLoad, pick_curators
from curation.schemas import AssignmentPublic, CasePublic, CuratorCreate, CuratorPublic
from curation.tables import Assignment, Case, Curator
from shared.errors import ApiError, FieldError, not_found
from shared.events import (
    CaseOpenedV1,
    Envelope,
    IkmRegisteredV1,
    ProductInfo,
    ProductSubmittedV1,
    new_event,
    utcnow,
)
from shared.outbox import add_event

OPEN_STATUSES = ("open", "in_review")


def open_cases_for_registration(session: Session, envelope: Envelope, payload: IkmRegisteredV1,
                                panel_size: int) -> list[Case]:
    """`ikm.registered`: one case per product, curators assigned, `curation.case_opened` each."""
    return [_open_case(session, envelope, payload.ikm_id, payload.name, payload.sector, payload.regency_code,
                       product, panel_size) for product in payload.products]


def open_case_for_product(session: Session, envelope: Envelope, payload: ProductSubmittedV1,
                          panel_size: int) -> Case:
    """`product.submitted`: a case for the new product (IKM name and region from earlier cases)."""
    earlier = session.exec(select(Case).where(Case.ikm_id == payload.ikm_id).limit(1)).first()
    return _open_case(session, envelope, payload.ikm_id, earlier.ikm_name if earlier else "",
                      payload.sector, earlier.regency_code if earlier else "", payload.product, panel_size)


def _open_case(session: Session, envelope: Envelope, ikm_id: uuid.UUID, ikm_name: str, sector: str,
               regency_code: str, product: ProductInfo, panel_size: int) -> Case:
    case = Case(ikm_id=ikm_id, ikm_name=ikm_name, product_id=product.product_id, product_name=product.name,
                sector=sector, regency_code=regency_code, rubric_version=DEFAULT_RUBRIC.version,
                panel_size=panel_size, correlation_id=envelope.correlation_id, opened_at=utcnow())
    session.add(case)
    session.flush()
    chosen = assign_curators(session, case)
    add_event(session, new_event("curation.case_opened", CaseOpenedV1(
        case_id=case.id, ikm_id=ikm_id, product_id=product.product_id, product_name=product.name,
        sector=sector, status="open", curators=[c.username for c in chosen],
    ), causation=envelope))
    return case


def curator_loads(session: Session) -> list[CuratorLoad]:
    """Every active curator with the number of open cases assigned to them."""
    counts: Counter[uuid.UUID] = Counter()
    rows = session.exec(
        select(Assignment.curator_id, func.count())
        .join(Case, col(Case.id) == col(Assignment.case_id))
        .where(col(Assignment.active).is_(True), col(Case.status).in_(OPEN_STATUSES))
        .group_by(col(Assignment.curator_id))
    )
    for curator_id, n in rows:
        counts[curator_id] = n
    curators = session.exec(select(Curator).where(col(Curator.active).is_(True)))
    return [CuratorLoad(curator_id=c.id, username=c.username, sectors=frozenset(c.sectors),
                        open_cases=counts[c.id]) for c in curators]


def assign_curators(session: Session, case: Case) -> list[CuratorLoad]:
    """Fill the case's panel with the least-loaded curators of its sector; returns those added."""
    current = session.exec(select(Assignment).where(Assignment.case_id == case.id)).all()
    active = [a for a in current if a.active]
    needed = case.panel_size - len(active)
    if needed <= 0:
        return []
    excluded = frozenset(a.curator_id for a in current)
    chosen = pick_curators(curator_loads(session), case.sector, needed, excluded)
    for c in chosen:
        session.add(Assignment(case_id=case.id, curator_id=c.curator_id, assigned_at=utcnow()))
    session.flush()
    return chosen


def register_curator(session: Session, data: CuratorCreate) -> Curator:
    """A curator profile for a user; cases waiting for curators of their sectors are assigned now."""
    if session.exec(select(Curator).where(Curator.username == data.username)).first():
        raise ApiError(409, "conflict", f"Kurator {data.username!r} sudah terdaftar.",
                       f"Curator {data.username!r} is already registered.",
                       [FieldError(field="username", message="Sudah terdaftar.", message_en="Already registered.")])
    curator = Curator(username=data.username, full_name=data.full_name, sectors=sorted(set(data.sectors)),
                      affiliation=data.affiliation, created_at=utcnow())
    session.add(curator)
    session.flush()
    waiting = session.exec(
        select(Case).where(col(Case.status).in_(OPEN_STATUSES), col(Case.sector).in_(curator.sectors))
        .order_by(col(Case.opened_at))
    ).all()
    for case in waiting:
        assign_curators(session, case)
    return curator


def curator_public(session: Session, curator: Curator) -> CuratorPublic:
    loads = {c.curator_id: c.open_cases for c in curator_loads(session)}
    return CuratorPublic(id=curator.id, username=curator.username, full_name=curator.full_name,
                         sectors=list(curator.sectors), affiliation=curator.affiliation,
                         open_cases=loads.get(curator.id, 0))


def case_public(session: Session, case: Case) -> CasePublic:
    rows = session.exec(
        select(Assignment, Curator).join(Curator, col(Curator.id) == col(Assignment.curator_id))
        .where(Assignment.case_id == case.id, col(Assignment.active).is_(True))
        .order_by(col(Assignment.id))
    ).all()
    return CasePublic(
        id=case.id, ikm_id=case.ikm_id, ikm_name=case.ikm_name, product_id=case.product_id,
        product_name=case.product_name, sector=case.sector, round=case.round,
        rubric_version=case.rubric_version, panel_size=case.panel_size, status=case.status,
        outcome=case.outcome, grade=case.grade, total=case.total, opened_at=case.opened_at,
        assignments=[AssignmentPublic(curator_id=a.curator_id, username=c.username, scored=a.scored,
                                      assigned_at=a.assigned_at) for a, c in rows],
    )


def get_case(session: Session, case_id: uuid.UUID) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise not_found("Kasus kurasi", "Curation case")
    return case


def list_cases(session: Session, *, ikm_id: uuid.UUID | None, product_id: uuid.UUID | None,
               status: str | None, curator_id: uuid.UUID | None, limit: int, offset: int) -> tuple[list[Case], int]:
    query = select(Case)
    count = select(func.count()).select_from(Case)
    conditions = []
    if ikm_id is not None:
        conditions.append(col(Case.ikm_id) == ikm_id)
    if product_id is not None:
        conditions.append(col(Case.product_id) == product_id)
    if status is not None:
        conditions.append(col(Case.status) == status)
    if curator_id is not None:
        assigned = select(Assignment.case_id).where(Assignment.curator_id == curator_id,
                                                    col(Assignment.active).is_(True))
        conditions.append(col(Case.id).in_(assigned))
    total = session.exec(count.where(*conditions)).one()
    rows = session.exec(query.where(*conditions).order_by(col(Case.opened_at), col(Case.id))
                        .offset(offset).limit(limit)).all()
    return list(rows), total


def curator_by_username(session: Session, username: str) -> Curator | None:
    return session.exec(select(Curator).where(Curator.username == username)).first()
