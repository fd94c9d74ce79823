"""Bringing IKM into a fair by the organisers' hand, and closing a fair (issue 18).

Events enter an IKM into the fairs that are open when it registers. A fair set up later, or an IKM
the organisers want at a fair it was not entered into, is reached from here: one IKM by id, or every
eligible IKM exhibitions already knows (its own copy of the register, kept from `ikm.registered`,
`ikm.updated` and `curation.decided`). Both are idempotent: an IKM already entered keeps its
application as it is, whatever its status."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from exhibitions import rules
from exhibitions.service import BatchPlacement, _applicant, _fair_rules, get_exhibition, place
from exhibitions.tables import Application, Exhibition, IkmProfile, ProductCuration
from shared.errors import ApiError, FieldError
from shared.events import utcnow

PENDING = "pending"  # as `service.PENDING`: a product still under review


def close_fair(session: Session, fair: Exhibition) -> Exhibition:
    """The fair takes no more applications and leaves the list of open fairs; its holds, waitlist and
    runs stay as they are. Closing a closed fair changes nothing."""
    if fair.status != "closed":
        fair.status = "closed"
        session.add(fair)
        session.flush()
    return fair


def standing(curations: list[ProductCuration]) -> str:
    """An IKM's curation standing from its products' latest decisions: approved (an approval stands),
    undecided (none stands, one is still under review) or none."""
    if any(rules.approval_stands(c.outcome, c.expired) for c in curations):
        return "approved"
    if any(c.outcome == PENDING for c in curations):
        return "undecided"
    return "none"


def entry_problem(fair: Exhibition, fair_rules: rules.FairRules, profile: IkmProfile, curation: str,
                  today: date) -> tuple[str, str] | None:
    """Why the IKM cannot be entered into the fair (Indonesian, English), or None."""
    problem = rules.eligibility_problem(fair_rules, _applicant(profile), today)
    if problem is None and fair.requires_curation and curation == "none":
        problem = ("IKM ini tidak memiliki produk yang lolos kurasi atau sedang dikurasi.",
                   "This IKM has no product that passed curation or is under review.")
    return problem


def _curations(session: Session, ikm_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[ProductCuration]]:
    by_ikm: dict[uuid.UUID, list[ProductCuration]] = defaultdict(list)
    for row in session.exec(select(ProductCuration).where(col(ProductCuration.ikm_id).in_(ikm_ids))):
        by_ikm[row.ikm_id].append(row)
    return by_ikm


def _new_application(session: Session, fair: Exhibition, ikm_id: uuid.UUID) -> Application:
    now = utcnow()
    application = Application(exhibition_id=fair.id, ikm_id=ikm_id, status="pending_curation",
                              reason="Menunggu hasil kurasi produk.", reason_en="Waiting for product curation.",
                              applied_at=now, updated_at=now)
    session.add(application)
    session.flush()
    return application


def enter_ikm(session: Session, fair: Exhibition, ikm_id: uuid.UUID, today: date) -> tuple[Application, bool]:
    """Enter one registered IKM: placed at once (or waitlisted), or held for curation. (application,
    whether it is new)."""
    existing = session.exec(select(Application).where(Application.exhibition_id == fair.id,
                                                      Application.ikm_id == ikm_id)).first()
    if existing is not None:
        return existing, False
    profile = session.get(IkmProfile, ikm_id)
    if profile is None:
        raise ApiError(422, "invalid_input", "IKM ini belum dikenal layanan pameran.",
                       "Exhibitions does not know this IKM (yet).",
                       [FieldError(field="ikm_id", message="IKM tidak dikenal; periksa ID atau tunggu sebentar.",
                                   message_en="Unknown IKM; check the id or wait a moment.")])
    curation = standing(_curations(session, [ikm_id]).get(ikm_id, []))
    problem = entry_problem(fair, _fair_rules(session, fair), profile, curation, today)
    if problem is not None:
        closed = fair.status != "open" or today > fair.application_deadline
        raise ApiError(409 if closed else 422, "conflict" if closed else "invalid_input", problem[0], problem[1],
                       [] if closed else [FieldError(field="ikm_id", message=problem[0], message_en=problem[1])])
    application = _new_application(session, fair, ikm_id)
    if not fair.requires_curation or curation == "approved":
        place(session, get_exhibition(session, fair.id, lock=True), application, None)
    return application, True


@dataclass
class Invited:
    entered: int = 0
    already: int = 0  # had applied before
    not_eligible: int = 0  # their sector, regency or curation standing keeps them out


def invite_eligible(session: Session, fair: Exhibition, today: date) -> Invited:
    """Enter every IKM exhibitions knows that may join the fair and has not applied, in the order
    they registered: placed (a fair without curation, or an approval stands), or held for curation
    while a product is under review. A fair that takes no applications refuses (409)."""
    if fair.status != "open" or today > fair.application_deadline:
        problem = rules.eligibility_problem(_fair_rules(session, fair), rules.Applicant(
            uuid.UUID(int=0), "", "", None, False), today)
        assert problem is not None
        raise ApiError(409, "conflict", problem[0], problem[1])
    query = select(IkmProfile)
    if fair.sectors:
        query = query.where(col(IkmProfile.sector).in_(fair.sectors))
    if fair.regency_codes:
        query = query.where(col(IkmProfile.regency_code).in_(fair.regency_codes))
    applied = select(Application.ikm_id).where(Application.exhibition_id == fair.id)
    result = Invited(already=len(session.exec(applied).all()))
    profiles = session.exec(query.where(col(IkmProfile.ikm_id).not_in(applied))
                            .order_by(col(IkmProfile.registered_at), col(IkmProfile.ikm_id))).all()
    curations = _curations(session, [p.ikm_id for p in profiles]) if fair.requires_curation else {}
    fair_rules = _fair_rules(session, fair)
    batch: BatchPlacement | None = None
    for profile in profiles:
        curation = standing(curations.get(profile.ikm_id, []))
        if entry_problem(fair, fair_rules, profile, curation, today) is not None:
            result.not_eligible += 1
            continue
        result.entered += 1
        if not fair.requires_curation:
            # Placed in memory and written in a few multi-row INSERTs, as a consumer batch is (ADR 0013).
            batch = batch or BatchPlacement.start(session, fair, [p.ikm_id for p in profiles])
            batch.place(_applicant(profile), None)
            continue
        application = _new_application(session, fair, profile.ikm_id)
        if curation == "approved":
            place(session, get_exhibition(session, fair.id, lock=True), application, None)
    if batch is not None:
        batch.write(session)
    return result
