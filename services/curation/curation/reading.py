"""Reading cases: lists, one case and its audit trail, each narrowed to what the caller may see.

Split from service.py, which writes. Two rules decide what a caller sees, both in rules.py and both
used by every read here: `case_scope` (which cases: a curator only those they are or were assigned to,
a panel chair also those awaiting the panel) and `sheet_visible` (which score sheets of a case, and
so which audit details: while curators score independently, only one's own).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any

from sqlalchemy import ColumnElement, false, func, or_
from sqlmodel import Session, col, select

from curation.catalogue_rules import CasePhoto, PhotoSeen, case_photos
from curation.photo_links import photo_url
from curation.rules import PANEL_STATUSES, CaseScope, audit_details_for, case_scope, oversees_curation, sheet_visible
from curation.schemas import AssignmentPublic, AuditPublic, CasePhotoPublic, CasePublic, ScorePublic
from curation.service import curator_by_username
from curation.tables import Assignment, AuditEntry, Case, Curator, ProductPhotoRef, Score
from shared.auth import Principal
from shared.errors import not_found


def scope_of(session: Session, principal: Principal) -> CaseScope:
    """The cases `principal` may read (`rules.case_scope`), with their curator profile looked up."""
    if oversees_curation(principal.roles):
        return case_scope(principal.roles, principal.username, None, False)
    curator = curator_by_username(session, principal.username)
    return case_scope(principal.roles, principal.username, curator.id if curator else None,
                      bool(curator and curator.is_chair))


def _in_scope(scope: CaseScope, curator_filter: uuid.UUID | None = None) -> list[Any]:
    """`scope` as SQL conditions on Case."""
    if scope.everything:
        return []
    if scope.curator_id is None:
        return [false()]
    if curator_filter == scope.curator_id:
        return []  # the caller's own queue: its active assignments are already within the scope
    ever_assigned = select(Assignment.case_id).where(Assignment.curator_id == scope.curator_id)
    condition: ColumnElement[bool] = col(Case.id).in_(ever_assigned)
    if scope.chair:
        condition = or_(condition, col(Case.status).in_(PANEL_STATUSES), col(Case.decided_by) == scope.username)
    return [condition]


def visible_case(session: Session, case_id: uuid.UUID, scope: CaseScope) -> Case:
    """The case, if `scope` covers it; otherwise 404, as for a case that does not exist (a curator
    learns nothing about the cases of others)."""
    case = session.exec(select(Case).where(Case.id == case_id, *_in_scope(scope))).first()
    if case is None:
        raise not_found("Kasus kurasi", "Curation case")
    return case


def list_cases(session: Session, *, scope: CaseScope, ikm_id: uuid.UUID | None, product_id: uuid.UUID | None,
               status: str | None, curator_id: uuid.UUID | None, limit: int, offset: int) -> tuple[list[Case], int]:
    conditions = _in_scope(scope, curator_id)
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
    total = session.exec(select(func.count()).select_from(Case).where(*conditions)).one()
    rows = session.exec(select(Case).where(*conditions).order_by(col(Case.opened_at), col(Case.id))
                        .offset(offset).limit(limit)).all()
    return list(rows), total


def cases_public(session: Session, cases: list[Case], viewer: Principal | None = None) -> list[CasePublic]:
    """Cases as the API shows them, in three queries however many cases. A curator sees the other
    curators' scores only once the case reaches the panel or is decided (`rules.sheet_visible`), so
    each scores independently."""
    ids = [c.id for c in cases]
    if not ids:
        return []
    assignments: dict[uuid.UUID, list[AssignmentPublic]] = defaultdict(list)
    for a, username in session.exec(
        select(Assignment, Curator.username).join(Curator, col(Curator.id) == col(Assignment.curator_id))
        .where(col(Assignment.case_id).in_(ids), col(Assignment.active).is_(True)).order_by(col(Assignment.id))
    ).all():
        assignments[a.case_id].append(AssignmentPublic(curator_id=a.curator_id, username=username, stage=a.stage,
                                                       scored=a.scored, assigned_at=a.assigned_at))
    scores: dict[uuid.UUID, list[ScorePublic]] = defaultdict(list)
    for s, username in session.exec(
        select(Score, Curator.username).join(Curator, col(Curator.id) == col(Score.curator_id))
        .where(col(Score.case_id).in_(ids), col(Score.current).is_(True)).order_by(col(Score.id))
    ).all():
        scores[s.case_id].append(ScorePublic(curator_id=s.curator_id, username=username, stage=s.stage,
                                             version=s.version, gates=s.gates, scores=s.scores, comment=s.comment,
                                             total=s.total, submitted_at=s.submitted_at))
    photos = _photos_seen(session, [case.product_id for case in cases])
    sees_all = viewer is None or oversees_curation(viewer.roles)
    name = viewer.username if viewer is not None else ""
    return [CasePublic(
        id=case.id, ikm_id=case.ikm_id, ikm_name=case.ikm_name, product_id=case.product_id,
        product_name=case.product_name, sector=case.sector, round=case.round, stage=case.stage,
        rubric_version=case.rubric_version, panel_size=case.panel_size, status=case.status,
        outcome=case.outcome, grade=case.grade, total=case.total, reason=case.reason, reason_en=case.reason_en,
        decided_by=case.decided_by, decided_at=case.decided_at, valid_until=case.valid_until,
        expired_at=case.expired_at, opened_at=case.opened_at, assignments=assignments[case.id],
        scores=[s for s in scores[case.id] if sheet_visible(name, sees_all, case.status, s.username)],
        photos=[_case_photo(case, p) for p in case_photos(photos[case.product_id], case.opened_at)],
    ) for case in cases]


def _photos_seen(session: Session, product_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[PhotoSeen]]:
    """Every photo curation has seen of these products, removed ones included (one query)."""
    seen: dict[uuid.UUID, list[PhotoSeen]] = defaultdict(list)
    for r in session.exec(select(ProductPhotoRef).where(col(ProductPhotoRef.product_id).in_(product_ids))).all():
        seen[r.product_id].append(PhotoSeen(photo_id=r.photo_id, position=r.position, hash=r.hash, sizes=r.sizes,
                                            added_at=r.added_at, removed_at=r.removed_at))
    return seen


def _case_photo(case: Case, seen: CasePhoto) -> CasePhotoPublic:
    photo = seen.photo
    return CasePhotoPublic(photo_id=photo.photo_id, position=photo.position, hash=photo.hash,
                           thumbnail_url=photo_url(case.ikm_id, case.product_id, photo.photo_id, "thumbnail"),
                           display_url=photo_url(case.ikm_id, case.product_id, photo.photo_id, "display"),
                           added_since_opening=seen.added_since_opening,
                           removed_since_opening=seen.removed_since_opening)


def case_public(session: Session, case: Case, viewer: Principal | None = None) -> CasePublic:
    return cases_public(session, [case], viewer)[0]


def case_audit(session: Session, case_id: uuid.UUID, viewer: Principal, limit: int,
               offset: int) -> tuple[list[AuditPublic], int]:
    """Every step of a case the viewer may read, with what the case view would hide of the score
    sheets left out of each step (`rules.audit_details_for`)."""
    case = visible_case(session, case_id, scope_of(session, viewer))
    sees_all = oversees_curation(viewer.roles)
    total = session.exec(select(func.count()).select_from(AuditEntry).where(AuditEntry.case_id == case_id)).one()
    rows = session.exec(select(AuditEntry).where(AuditEntry.case_id == case_id).order_by(col(AuditEntry.id))
                        .offset(offset).limit(limit)).all()
    return [AuditPublic(at=r.at, actor=r.actor, action=r.action,
                        details=audit_details_for(viewer.username, sees_all, case.status, r.actor, r.action,
                                                  r.details))
            for r in rows], total
