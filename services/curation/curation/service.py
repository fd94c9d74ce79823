"""Curation service logic: cases from registry events, assignment, scoring, conflicts, decisions,
appeals, expiry and the audit trail.

Choices a successor should know:

- Disagreement beyond the rubric's `disagreement_points` puts the case in status `panel`; the panel
  chair (a curator with `is_chair`, or an admin) decides with POST /cases/{id}/decision. A correction
  that removes the disagreement decides the case from the scores again.
- An appeal opens a new `stage` of the same case: the curators of the earlier stage step down, curators
  who were never on the case (and have no conflict with the IKM) are assigned, and their scores decide
  anew. One appeal per case.
- Re-curation: a `product.submitted` for a product whose latest case ended without a standing approval
  (needs improvement, rejected, expired) opens a case with the next `round`; a new product opens round 1.
- An approval lapses on its `valid_until` day: the case becomes `expired` and `curation.decided` is
  published again with `expired: true` and the outcome that lapsed.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import event, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from curation import catalogue
from curation.rubric import APPROVED, DEFAULT_RUBRIC, Rubric, rubric_from_data, rubric_to_data, weighted_total
from curation.rules import (
    OPEN_STATUSES,
    CuratorLoad,
    ScoreSheet,
    appeal_window_open,
    cap_change_allowed,
    decide_outcome,
    is_expired,
    pick_curators,
    recuration_round,
    valid_until_for,
)
from curation.schemas import (
    AppealCreate,
    ConflictCreate,
    CuratorCreate,
    CuratorPublic,
    CuratorUpdate,
    DecisionCreate,
    RubricCreate,
    ScoreCreate,
)
from curation.settings import CurationSettings
from curation.tables import Appeal, Assignment, AuditEntry, Case, ConflictDeclaration, Curator, RubricVersion, Score
from shared.auth import Principal
from shared.db import insert_rows
from shared.errors import ApiError, FieldError, invalid, not_found
from shared.events import (
    CaseOpenedV1,
    CurationDecidedV1,
    Envelope,
    IkmRegisteredV1,
    ProductInfo,
    ProductSubmittedV1,
    new_event,
    utcnow,
)
from shared.ids import new_id
from shared.outbox import RELAY_SESSION, OutboxEvent, add_event, outbox_values

SYSTEM = "system"


def audit(session: Session, case_id: uuid.UUID, actor: str, action: str, **details: Any) -> None:
    """One step of a case in the audit trail."""
    session.add(AuditEntry(case_id=case_id, at=utcnow(), actor=actor, action=action, details=details))


def _conflict(message: str, message_en: str, field: str | None = None) -> ApiError:
    errors = [FieldError(field=field, message=message, message_en=message_en)] if field else None
    return ApiError(409, "conflict", message, message_en, errors)


def _forbidden(message: str, message_en: str) -> ApiError:
    return ApiError(403, "forbidden", message, message_en)


# --- the rubric -----------------------------------------------------------------------------------


def ensure_default_rubric(session: Session) -> None:
    """Seed the default rubric (DOMAIN.md) when no rubric exists yet."""
    if session.exec(select(RubricVersion.id).limit(1)).first() is None:
        _store_rubric(session, rubric_to_data(DEFAULT_RUBRIC), SYSTEM)


def _store_rubric(session: Session, data: dict[str, Any], username: str) -> RubricVersion:
    row = RubricVersion(version=data["version"], gates=data["gates"], criteria=data["criteria"],
                        thresholds=data["thresholds"], created_by=username, created_at=utcnow())
    session.add(row)
    session.flush()
    return row


def current_rubric(session: Session) -> Rubric:
    """The newest rubric version: the one new cases are opened with."""
    row = session.exec(select(RubricVersion).order_by(col(RubricVersion.id).desc()).limit(1)).first()
    return _rubric_of(row) if row is not None else DEFAULT_RUBRIC


def rubric_by_version(session: Session, version: str) -> Rubric:
    row = session.exec(select(RubricVersion).where(RubricVersion.version == version)).first()
    if row is not None:
        return _rubric_of(row)
    if version == DEFAULT_RUBRIC.version:
        return DEFAULT_RUBRIC
    raise not_found(f"Rubrik versi {version}", f"Rubric version {version}")


def list_rubrics(session: Session) -> list[Rubric]:
    rows = session.exec(select(RubricVersion).order_by(col(RubricVersion.id).desc())).all()
    return [_rubric_of(r) for r in rows] or [DEFAULT_RUBRIC]


def _rubric_of(row: RubricVersion) -> Rubric:
    return rubric_from_data({"version": row.version, "gates": row.gates, "criteria": row.criteria,
                             "thresholds": row.thresholds})


def create_rubric(session: Session, data: RubricCreate, username: str) -> Rubric:
    """A new rubric version; it becomes current. Open cases keep the version they were opened with."""
    if session.exec(select(RubricVersion.id).where(RubricVersion.version == data.version)).first() is not None:
        raise _conflict(f"Rubrik versi {data.version} sudah ada.", f"Rubric version {data.version} already exists.",
                        "version")
    ensure_default_rubric(session)  # keep the seeded default as the earlier version
    payload = data.model_dump()
    for criterion in payload["criteria"]:
        criterion["anchors"] = {str(k): v for k, v in sorted(criterion["anchors"].items())}
    row = _store_rubric(session, payload, username)
    return _rubric_of(row)


# --- opening cases --------------------------------------------------------------------------------


@dataclass
class CaseOpening:
    """What opening a case reads that stays put through a consumer's batch: the current rubric and
    every active curator's load. Read once per transaction and kept up to date by the assignments
    the batch makes, instead of counting all open assignments again for every case (a query that
    grows with the register: bench/chain.py). Only the event handlers use it: their transactions
    open cases and nothing else, so nothing else changes a load underneath it.

    A committed batch hands its rubric and loads to the process's next batch (`_carried`), so that
    a steady trickle of small batches does not recount the whole register each time. Any other
    commit in the process (a request, a timer) drops them, and they are read afresh after
    `CARRY_S` at the latest, which bounds what another replica's changes can leave unseen (loads
    are a balancing rule, ADR 0012)."""

    rubric: Rubric
    loads: dict[uuid.UUID, CuratorLoad]
    conflicts: dict[uuid.UUID, frozenset[uuid.UUID]] = field(default_factory=dict)

    @classmethod
    def of(cls, session: Session, default_cap: int) -> CaseOpening:
        opening = session.info.get("case_opening")
        if not isinstance(opening, CaseOpening):
            engine = session.get_bind()
            with _carried_lock:
                carried = _carried.pop(engine, None)
            if carried is not None and time.monotonic() - carried[0] < CARRY_S:
                read_at, opening = carried[0], cls(carried[1], dict(carried[2]))
            else:
                read_at = time.monotonic()
                opening = cls(current_rubric(session), {c.curator_id: c for c in curator_loads(session, default_cap)})
            session.info["case_opening"] = opening
            event.listen(session, "after_commit", lambda _: _carry(engine, read_at, opening), once=True)
        return opening

    def read_conflicts(self, session: Session, ikm_ids: set[uuid.UUID]) -> None:
        """Curators who declared a conflict with each of these IKM, in one query (conflicts are
        declared through requests, never in a handler's batch, so what is read stays true)."""
        missing = [i for i in ikm_ids if i not in self.conflicts]
        found: defaultdict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
        for ikm_id, curator_id in session.exec(select(ConflictDeclaration.ikm_id, ConflictDeclaration.curator_id)
                                               .where(col(ConflictDeclaration.ikm_id).in_(missing))) if missing else ():
            found[ikm_id].add(curator_id)
        for ikm_id in missing:
            self.conflicts[ikm_id] = frozenset(found[ikm_id])

    def assigned(self, chosen: list[CuratorLoad]) -> None:
        for c in chosen:
            self.loads[c.curator_id] = replace(self.loads[c.curator_id],
                                               open_cases=self.loads[c.curator_id].open_cases + 1)


@dataclass(frozen=True)
class CaseRequest:
    """A product that an event asks to have curated, with the IKM facts its case keeps."""

    envelope: Envelope
    ikm_id: uuid.UUID
    ikm_name: str
    sector: str
    regency_code: str
    product: ProductInfo


# Per database (engine): the rubric and loads a committed handler batch ended with, and when they
# were read from the database.
_carried: WeakKeyDictionary[Any, tuple[float, Rubric, dict[uuid.UUID, CuratorLoad]]] = WeakKeyDictionary()
_carried_lock = threading.Lock()
CARRY_S = 5.0


def _carry(engine: Any, read_at: float, opening: CaseOpening) -> None:
    with _carried_lock:
        _carried[engine] = (read_at, opening.rubric, dict(opening.loads))


@event.listens_for(Session, "after_commit")
def _forget_carried(session: Session) -> None:
    """A commit outside the case-opening handlers may have changed a load or the rubric (the outbox
    relay's commits only mark events sent, so they keep them)."""
    if "case_opening" not in session.info and RELAY_SESSION not in session.info:
        with _carried_lock:
            _carried.clear()


def open_cases_for_registrations(session: Session, events: Sequence[tuple[Envelope, IkmRegisteredV1]],
                                 settings: CurationSettings) -> list[uuid.UUID]:
    """`ikm.registered`, a batch at a time: one case per product, curators assigned,
    `curation.case_opened` each. Returns the ids of the cases opened."""
    return open_cases(session, [CaseRequest(envelope, p.ikm_id, p.name, p.sector, p.regency_code, product)
                                for envelope, p in events for product in p.products], settings)


def open_case_for_product(session: Session, envelope: Envelope, payload: ProductSubmittedV1,
                          settings: CurationSettings) -> uuid.UUID | None:
    """`product.submitted`: a case for a new product, or a re-curation (round + 1) of a product whose
    latest case ended without a standing approval. IKM name and region come from earlier cases."""
    earlier = session.exec(select(Case).where(Case.ikm_id == payload.ikm_id).limit(1)).first()
    opened = open_cases(session, [CaseRequest(envelope, payload.ikm_id, earlier.ikm_name if earlier else "",
                                              payload.sector, earlier.regency_code if earlier else "",
                                              payload.product)], settings)
    return opened[0] if opened else None


def open_cases(session: Session, requests: list[CaseRequest], settings: CurationSettings) -> list[uuid.UUID]:
    """Open the cases that are due, in order, as if one request came after the other: a product whose
    latest case is still open or approved is not curated again (the attempt is audited). Written as
    plain rows, one multi-row INSERT per table (ADR 0013): the reads are one query for the products'
    latest cases and one for the IKM's declared conflicts, the rest comes from `CaseOpening`."""
    if not requests:
        return []
    opening = CaseOpening.of(session, settings.max_open_cases)
    opening.read_conflicts(session, {r.ikm_id for r in requests})
    latest: dict[uuid.UUID, tuple[uuid.UUID, int, str, str | None]] = {}
    for case_id, product_id, round_, status, outcome in session.execute(
            sa_select(col(Case.id), col(Case.product_id), col(Case.round), col(Case.status), col(Case.outcome))
            .where(col(Case.product_id).in_(list({r.product.product_id for r in requests})))
            .order_by(col(Case.round))):
        latest[product_id] = (case_id, round_, status, outcome)  # ascending: the last one stays
    rubric = opening.rubric
    cases: list[dict[str, Any]] = []
    assignments: list[dict[str, Any]] = []
    audits: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    for r in requests:
        now = utcnow()
        before = latest.get(r.product.product_id)
        round_ = recuration_round(*before[1:]) if before else recuration_round(None, None, None)
        if round_ is None:
            assert before is not None
            audits.append(_audit_row(before[0], now, SYSTEM, "resubmission_ignored",
                                     event_id=str(r.envelope.event_id), status=before[2]))
            continue
        case_id = new_id()
        latest[r.product.product_id] = (case_id, round_, "open", None)
        cases.append({"id": case_id, "ikm_id": r.ikm_id, "ikm_name": r.ikm_name, "product_id": r.product.product_id,
                      "product_name": r.product.name, "sector": r.sector, "regency_code": r.regency_code,
                      "round": round_, "stage": 0, "rubric_version": rubric.version,
                      "panel_size": settings.panel_size, "status": "open",
                      "correlation_id": r.envelope.correlation_id, "opened_at": now})
        audits.append(_audit_row(case_id, now, SYSTEM, "opened", round=round_, rubric_version=rubric.version,
                                 product_id=str(r.product.product_id),
                                 recuration_of=str(before[0]) if before else None))
        chosen = pick_curators(list(opening.loads.values()), r.sector, settings.panel_size,
                               opening.conflicts[r.ikm_id])
        opening.assigned(chosen)
        for c in chosen:
            assignments.append({"case_id": case_id, "curator_id": c.curator_id, "stage": 0, "assigned_at": now,
                                "scored": False, "active": True})
            audits.append(_audit_row(case_id, now, SYSTEM, "assigned", curator=c.username, stage=0))
        events.append(outbox_values(new_event("curation.case_opened", CaseOpenedV1(
            case_id=case_id, ikm_id=r.ikm_id, product_id=r.product.product_id, product_name=r.product.name,
            sector=r.sector, status="open", curators=[c.username for c in chosen],
        ), causation=r.envelope)))
    for table, rows in ((Case, cases), (Assignment, assignments), (AuditEntry, audits), (OutboxEvent, events)):
        insert_rows(session, table, rows)
    return [c["id"] for c in cases]


def _audit_row(case_id: uuid.UUID, at: datetime, actor: str, action: str, **details: Any) -> dict[str, Any]:
    return {"case_id": case_id, "at": at, "actor": actor, "action": action, "details": details}


# --- curators and assignment ----------------------------------------------------------------------


def curator_loads(session: Session, default_cap: int) -> list[CuratorLoad]:
    """Every active curator with the number of open cases assigned to them and their cap."""
    counts = _open_counts(session)
    curators = session.exec(select(Curator).where(col(Curator.active).is_(True)))
    return [CuratorLoad(curator_id=c.id, username=c.username, sectors=frozenset(c.sectors),
                        open_cases=counts[c.id], max_open_cases=c.max_open_cases or default_cap)
            for c in curators]


def _open_counts(session: Session) -> Counter[uuid.UUID]:
    counts: Counter[uuid.UUID] = Counter()
    rows = session.exec(
        select(Assignment.curator_id, func.count())
        .join(Case, col(Case.id) == col(Assignment.case_id))
        .where(col(Assignment.active).is_(True), col(Case.status).in_(OPEN_STATUSES))
        .group_by(col(Assignment.curator_id))
    )
    for curator_id, n in rows:
        counts[curator_id] = n
    return counts


def assign_curators(session: Session, case: Case, default_cap: int, actor: str = SYSTEM,
                    replaces: Assignment | None = None) -> list[CuratorLoad]:
    """Fill the case's panel for its current stage with the least-loaded curators of its sector who have
    room, were never on this case and declared no conflict with its IKM. Returns those added.
    The rows are flushed with the caller's next query or commit. (New cases from events are
    assigned in bulk by `open_cases`.)"""
    current = session.exec(select(Assignment).where(Assignment.case_id == case.id)).all()
    needed = case.panel_size - sum(1 for a in current if a.active)
    if needed <= 0:
        return []
    excluded = frozenset(a.curator_id for a in current) | _conflicted(session, case.ikm_id)
    chosen = pick_curators(curator_loads(session, default_cap), case.sector, needed, excluded)
    for c in chosen:
        session.add(Assignment(case_id=case.id, curator_id=c.curator_id, stage=case.stage, assigned_at=utcnow(),
                               replaces_id=replaces.id if replaces is not None else None))
        audit(session, case.id, actor, "assigned", curator=c.username, stage=case.stage)
    return chosen


def _conflicted(session: Session, ikm_id: uuid.UUID) -> frozenset[uuid.UUID]:
    return frozenset(session.exec(select(ConflictDeclaration.curator_id)
                                  .where(ConflictDeclaration.ikm_id == ikm_id)).all())


def assign_waiting(session: Session, default_cap: int, sectors: Iterable[str] | None = None) -> None:
    """Give cases still short of curators (oldest first) the curators who now have room."""
    active_count = (select(func.count()).select_from(Assignment)
                    .where(col(Assignment.case_id) == col(Case.id), col(Assignment.active).is_(True))
                    .scalar_subquery())
    query = select(Case).where(col(Case.status).in_(OPEN_STATUSES), active_count < col(Case.panel_size))
    if sectors is not None:
        query = query.where(col(Case.sector).in_(list(sectors)))
    for case in session.exec(query.order_by(col(Case.opened_at))).all():
        assign_curators(session, case, default_cap)


def register_curator(session: Session, data: CuratorCreate, default_cap: int) -> Curator:
    """A curator profile for a user; cases waiting for curators of their sectors are assigned now."""
    if session.exec(select(Curator).where(Curator.username == data.username)).first():
        raise _conflict(f"Kurator {data.username!r} sudah terdaftar.", f"Curator {data.username!r} is already "
                        "registered.", "username")
    curator = Curator(username=data.username, full_name=data.full_name, sectors=sorted(set(data.sectors)),
                      affiliation=data.affiliation, is_chair=data.is_chair, max_open_cases=data.max_open_cases,
                      created_at=utcnow())
    session.add(curator)
    session.flush()
    assign_waiting(session, default_cap, curator.sectors)
    return curator


def update_curator(session: Session, curator_id: uuid.UUID, data: CuratorUpdate, principal: Principal,
                   default_cap: int) -> Curator:
    """Availability by the curator or an admin: `active`, and `max_open_cases`, which a curator may only
    lower (`rules.cap_change_allowed`); the rest by an admin. Becoming available, or a higher cap,
    assigns waiting cases at once."""
    curator = session.get(Curator, curator_id)
    if curator is None:
        raise not_found("Kurator", "Curator")
    changes = data.model_dump(exclude_unset=True)
    admin_only = set(changes) - {"active", "max_open_cases"}
    is_admin = "admin" in principal.roles
    if not is_admin and (curator.username != principal.username or admin_only):
        raise _forbidden("Hanya admin yang dapat mengubah profil kurator lain atau peran ketua dan sektor.",
                         "Only an admin may change another curator's profile, the chair role or sectors.")
    current_cap = curator.max_open_cases or default_cap
    if "max_open_cases" in changes and not cap_change_allowed(is_admin, current_cap,
                                                               changes["max_open_cases"] or default_cap):
        message = f"Hanya admin yang dapat menaikkan batas kasus; Anda boleh menurunkannya (sekarang {current_cap})."
        message_en = f"Only an admin may raise the case cap; you may lower it (now {current_cap})."
        raise ApiError(403, "forbidden", message, message_en,
                       [FieldError(field="max_open_cases", message=message, message_en=message_en)])
    for name, value in changes.items():
        if value is None and name in ("active", "is_chair", "sectors", "full_name"):
            raise invalid(name, "Tidak boleh kosong.", "Must not be null.")
        setattr(curator, name, sorted(set(value)) if name == "sectors" else value)
    session.add(curator)
    session.flush()
    if curator.active:
        assign_waiting(session, default_cap, curator.sectors)
    return curator


def curator_by_username(session: Session, username: str) -> Curator | None:
    return session.exec(select(Curator).where(Curator.username == username)).first()


def curators_public(session: Session, curators: list[Curator], default_cap: int) -> list[CuratorPublic]:
    counts = _open_counts(session)
    return [CuratorPublic(id=c.id, username=c.username, full_name=c.full_name, sectors=list(c.sectors),
                          affiliation=c.affiliation, active=c.active, is_chair=c.is_chair,
                          max_open_cases=c.max_open_cases or default_cap, open_cases=counts[c.id])
            for c in curators]


# --- one case (what a caller may read of the cases: curation/reading.py) ---------------------------


def get_case(session: Session, case_id: uuid.UUID, *, lock: bool = False) -> Case:
    """The case; with `lock`, its row is locked for the rest of the transaction (PostgreSQL), so two
    curators finishing at the same moment cannot both miss that the panel is complete."""
    query = select(Case).where(Case.id == case_id)
    if lock:
        query = query.with_for_update()
    case = session.exec(query).first()
    if case is None:
        raise not_found("Kasus kurasi", "Curation case")
    return case


# --- scoring --------------------------------------------------------------------------------------


def _my_assignment(session: Session, case: Case, username: str) -> tuple[Curator, Assignment]:
    curator = curator_by_username(session, username)
    assignment = None
    if curator is not None:
        assignment = session.exec(select(Assignment).where(
            Assignment.case_id == case.id, Assignment.curator_id == curator.id, col(Assignment.active).is_(True),
        )).first()
    if curator is None or assignment is None:
        raise _forbidden("Anda tidak ditugaskan pada kasus ini.", "You are not assigned to this case.")
    return curator, assignment


def _check_sheet(rubric: Rubric, data: ScoreCreate) -> None:
    """Every gate and criterion of the case's rubric, and nothing else; each problem named by its field."""
    errors: list[FieldError] = []
    for part, expected, given in (("gates", [g.code for g in rubric.gates], data.gates),
                                  ("scores", [c.code for c in rubric.criteria], data.scores)):
        errors += [FieldError(field=f"{part}.{code}", message="Wajib diisi.", message_en="This field is required.")
                   for code in expected if code not in given]
        errors += [FieldError(field=f"{part}.{code}", message=f"Tidak ada dalam rubrik versi {rubric.version}.",
                              message_en=f"Not in rubric version {rubric.version}.")
                   for code in given if code not in expected]
    if errors:
        raise ApiError(422, "invalid_input", "Data tidak valid.", "Invalid data.", errors)


def _scoreable(case: Case) -> None:
    if case.status not in ("open", "in_review", "panel", "appealed"):
        raise _conflict("Kasus ini sudah diputuskan; penilaian tidak dapat diubah.",
                        "This case is decided; scores can no longer change.")


def submit_score(session: Session, case_id: uuid.UUID, username: str, data: ScoreCreate,
                 settings: CurationSettings) -> Case:
    """An assigned curator's sheet. The first one puts the case in review; the last one decides it (or
    sends it to the panel)."""
    case = get_case(session, case_id, lock=True)
    curator, assignment = _my_assignment(session, case, username)
    _scoreable(case)
    if assignment.scored:
        raise _conflict("Anda sudah menilai kasus ini; untuk memperbaiki gunakan PUT /cases/{id}/scores/mine.",
                        "You have already scored this case; to correct it use PUT /cases/{id}/scores/mine.")
    rubric = rubric_by_version(session, case.rubric_version)
    _check_sheet(rubric, data)
    total = weighted_total(rubric, data.scores)
    session.add(Score(case_id=case.id, curator_id=curator.id, stage=case.stage, version=1, gates=data.gates,
                      scores=data.scores, comment=data.comment, total=total, submitted_at=utcnow()))
    assignment.scored = True
    session.add(assignment)
    if case.status == "open":
        case.status = "in_review"
    audit(session, case.id, username, "scored", stage=case.stage, total=total,
          failed_gates=[k for k, ok in data.gates.items() if not ok])
    session.flush()
    _decide_from_scores(session, case, rubric, username, settings)
    return case


def correct_score(session: Session, case_id: uuid.UUID, username: str, data: ScoreCreate,
                  settings: CurationSettings) -> Case:
    """A curator's correction: a new version of their sheet; the earlier one is kept."""
    case = get_case(session, case_id, lock=True)
    curator, assignment = _my_assignment(session, case, username)
    _scoreable(case)
    previous = session.exec(select(Score).where(Score.case_id == case.id, Score.curator_id == curator.id,
                                                Score.stage == case.stage, col(Score.current).is_(True))).first()
    if previous is None or not assignment.scored:
        raise _conflict("Anda belum menilai kasus ini; kirim penilaian dengan POST /cases/{id}/scores.",
                        "You have not scored this case yet; send your scores with POST /cases/{id}/scores.")
    rubric = rubric_by_version(session, case.rubric_version)
    _check_sheet(rubric, data)
    total = weighted_total(rubric, data.scores)
    previous.current = False
    session.add(previous)
    session.flush()
    session.add(Score(case_id=case.id, curator_id=curator.id, stage=case.stage, version=previous.version + 1,
                      gates=data.gates, scores=data.scores, comment=data.comment, total=total,
                      submitted_at=utcnow()))
    audit(session, case.id, username, "corrected", stage=case.stage, version=previous.version + 1,
          previous_total=previous.total, total=total)
    session.flush()
    _decide_from_scores(session, case, rubric, username, settings)
    return case


def _current_sheets(session: Session, case: Case) -> list[ScoreSheet] | None:
    """The current sheets of the case's stage, or None while its panel is short or someone has not scored."""
    assigned = session.exec(select(Assignment, Curator.username)
                            .join(Curator, col(Curator.id) == col(Assignment.curator_id))
                            .where(Assignment.case_id == case.id, col(Assignment.active).is_(True))).all()
    if len(assigned) < case.panel_size or not all(a.scored for a, _ in assigned):
        return None
    names = {a.curator_id: username for a, username in assigned}
    rows = session.exec(select(Score).where(Score.case_id == case.id, Score.stage == case.stage,
                                            col(Score.current).is_(True),
                                            col(Score.curator_id).in_(list(names)))).all()
    return [ScoreSheet(curator=names[s.curator_id], gates=s.gates, scores=s.scores) for s in rows]


def _decide_from_scores(session: Session, case: Case, rubric: Rubric, actor: str,
                        settings: CurationSettings) -> None:
    sheets = _current_sheets(session, case)
    if not sheets:
        return
    verdict = decide_outcome(rubric, sheets)
    if verdict.panel:
        if case.status != "panel":
            case.status = "panel"
            case.total = verdict.total
            session.add(case)
            audit(session, case.id, actor, "sent_to_panel", total=verdict.total,
                  disagreements={k: list(v) for k, v in verdict.disagreements.items()})
        return
    assert verdict.outcome is not None and verdict.grade is not None
    _decide(session, case, verdict.outcome, verdict.grade, verdict.total, verdict.reason, verdict.reason_en,
            actor, settings)


def _decide(session: Session, case: Case, outcome: str, grade: str, total: float | None, reason: str,
            reason_en: str, actor: str, settings: CurationSettings) -> None:
    """Record the decision, publish `curation.decided`, and hand freed curators the cases waiting."""
    now = utcnow()
    case.status, case.outcome, case.grade, case.total = "decided", outcome, grade, total
    case.reason, case.reason_en, case.decided_by, case.decided_at = reason, reason_en, actor, now
    case.valid_until = valid_until_for(outcome, now.date(), settings.approval_valid_days)
    session.add(case)
    audit(session, case.id, actor, "decided", stage=case.stage, outcome=outcome, grade=grade, total=total,
          valid_until=case.valid_until.isoformat() if case.valid_until else None, reason=reason)
    _publish_decision(session, case)
    session.flush()
    assign_waiting(session, settings.max_open_cases, [case.sector])


def _publish_decision(session: Session, case: Case, *, expired: bool = False) -> None:
    assert case.outcome is not None
    add_event(session, new_event("curation.decided", CurationDecidedV1.model_validate({
        "case_id": case.id, "ikm_id": case.ikm_id, "product_id": case.product_id, "outcome": case.outcome,
        "grade": case.grade, "total": case.total, "valid_until": case.valid_until, "reason": case.reason,
        "expired": expired,
    }), correlation_id=case.correlation_id))
    catalogue.case_changed(session, case)  # the catalogue follows every decision and expiry


def decide_by_panel(session: Session, case_id: uuid.UUID, principal: Principal, data: DecisionCreate,
                    settings: CurationSettings) -> Case:
    """The panel chair's (or an admin's) decision on a case the curators disagree on, or under appeal."""
    case = get_case(session, case_id, lock=True)
    if "admin" not in principal.roles:
        curator = curator_by_username(session, principal.username)
        if curator is None or not curator.is_chair:
            raise _forbidden("Hanya ketua rapat kurasi atau admin yang dapat memutuskan.",
                             "Only the panel chair or an admin may decide.")
    if case.status not in ("panel", "appealed"):
        raise _conflict("Kasus ini tidak menunggu keputusan rapat kurasi (status: "
                        f"{case.status}).", f"This case is not waiting for a panel decision (status: {case.status}).")
    sheets = _current_sheets(session, case)
    rubric = rubric_by_version(session, case.rubric_version)
    total = round(sum(weighted_total(rubric, s.scores) for s in sheets) / len(sheets), 2) if sheets else case.total
    _decide(session, case, data.outcome, data.grade, total, data.reason, data.reason_en or data.reason,
            principal.username, settings)
    return case


# --- conflicts ------------------------------------------------------------------------------------


def declare_conflict(session: Session, case_id: uuid.UUID, username: str, data: ConflictCreate,
                     settings: CurationSettings) -> Case:
    """An assigned curator recuses. The conflict holds for the IKM: the curator leaves every open case of
    it (a sheet already given there no longer counts: it is kept, no longer current) and a replacement
    is assigned to each."""
    case = get_case(session, case_id, lock=True)
    curator, _ = _my_assignment(session, case, username)
    if case.status not in OPEN_STATUSES:
        raise _conflict("Kasus ini sudah diputuskan.", "This case is already decided.")
    session.add(ConflictDeclaration(curator_id=curator.id, ikm_id=case.ikm_id, case_id=case.id, reason=data.reason,
                                    note=data.note, declared_at=utcnow()))
    audit(session, case.id, username, "conflict", reason=data.reason)
    affected = session.exec(
        select(Assignment, Case).join(Case, col(Case.id) == col(Assignment.case_id))
        .where(Assignment.curator_id == curator.id, col(Assignment.active).is_(True), Case.ikm_id == case.ikm_id,
               col(Case.status).in_(OPEN_STATUSES))
    ).all()
    for assignment, other in affected:
        assignment.active = False
        assignment.ended_reason = "conflict"
        session.add(assignment)
        voided = session.exec(select(Score).where(Score.case_id == other.id, Score.curator_id == curator.id,
                                                  col(Score.current).is_(True))).all()
        for sheet in voided:
            sheet.current = False
            session.add(sheet)
        if other.status == "panel":
            # The panel is incomplete again; its mean total no longer stands, and in review it would
            # show what the sheets hidden from the curators add up to.
            other.status, other.total = "in_review", None
            session.add(other)
        session.flush()
        chosen = assign_curators(session, other, settings.max_open_cases, replaces=assignment)
        audit(session, other.id, username, "replaced", curator=username, reason=data.reason,
              replacement=chosen[0].username if chosen else None)
    return case


# --- appeals and expiry ---------------------------------------------------------------------------


def file_appeal(session: Session, case_id: uuid.UUID, username: str, data: AppealCreate,
                settings: CurationSettings, today: date) -> Case:
    """An appeal within the window after a decision: the case opens a new stage reviewed by curators
    who were not on it."""
    case = get_case(session, case_id, lock=True)
    if case.status != "decided" or case.decided_at is None:
        raise _conflict(f"Hanya kasus yang sudah diputuskan yang dapat dibanding (status: {case.status}).",
                        f"Only a decided case can be appealed (status: {case.status}).")
    if session.exec(select(Appeal.id).where(Appeal.case_id == case.id)).first() is not None:
        raise _conflict("Kasus ini sudah pernah dibanding.", "This case has already been appealed.")
    if not appeal_window_open(case.decided_at.date(), today, settings.appeal_window_days):
        raise _conflict(f"Masa banding {settings.appeal_window_days} hari sejak keputusan sudah lewat.",
                        f"The {settings.appeal_window_days}-day appeal window after the decision has closed.")
    for assignment in session.exec(select(Assignment).where(Assignment.case_id == case.id,
                                                            col(Assignment.active).is_(True))).all():
        assignment.active = False
        assignment.ended_reason = "appeal"
        session.add(assignment)
    case.stage += 1
    case.status = "appealed"
    session.add(case)
    session.add(Appeal(case_id=case.id, stage=case.stage, reason=data.reason, filed_by=username, filed_at=utcnow()))
    audit(session, case.id, username, "appealed", stage=case.stage, reason=data.reason,
          previous_outcome=case.outcome, previous_grade=case.grade)
    session.flush()
    assign_curators(session, case, settings.max_open_cases)
    return case


def expire_due(session: Session, today: date, now: datetime | None = None, batch: int = 500) -> list[Case]:
    """Mark approvals whose validity has lapsed as expired and publish `curation.decided` again with
    `expired: true`, so fairs can react. Returns the cases expired in this pass."""
    now = now or utcnow()
    due = session.exec(select(Case).where(Case.status == "decided", col(Case.outcome).in_(list(APPROVED)),
                                          col(Case.valid_until).is_not(None), col(Case.valid_until) <= today)
                       .order_by(col(Case.valid_until)).limit(batch)).all()
    expired = []
    for case in due:
        if not is_expired(case.valid_until, today):
            continue
        case.status = "expired"
        case.expired_at = now
        case.reason = f"Masa berlaku persetujuan kurasi berakhir pada {case.valid_until}; produk perlu dikurasi ulang."
        case.reason_en = f"The curation approval lapsed on {case.valid_until}; the product needs re-curation."
        session.add(case)
        audit(session, case.id, SYSTEM, "expired", valid_until=str(case.valid_until), outcome=case.outcome)
        _publish_decision(session, case, expired=True)
        expired.append(case)
    session.flush()
    return expired
