"""Exhibitions service logic: fairs, floor plans, applications from events, placement and the waitlist.

Placement of a fair's booths is serialised by locking the fair's row (PostgreSQL) or by SQLite's
single writer; the unique `application.booth_id` is the last line of defence."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import func
from sqlmodel import Session, col, select

from exhibitions import rules
from exhibitions.schemas import (
    AllocationPublic,
    ApplicationPublic,
    BoothCreate,
    ExhibitionCreate,
    ExhibitionPublic,
)
from exhibitions.tables import Application, Booth, Exhibition, IkmProfile
from shared.auth import Principal
from shared.errors import ApiError, FieldError, not_found
from shared.events import (
    BoothAllocatedV1,
    BoothReleasedV1,
    CurationDecidedV1,
    Envelope,
    IkmRegisteredV1,
    WaitlistedV1,
    new_event,
    utcnow,
)
from shared.outbox import add_event

APPROVED = ("approved", "approved_with_conditions")


# --- fairs and floor plans --------------------------------------------------------------------


def create_exhibition(session: Session, data: ExhibitionCreate, principal: Principal) -> Exhibition:
    fair = Exhibition(**data.model_dump(), created_by=principal.username, created_at=utcnow())
    session.add(fair)
    session.flush()
    return fair


def get_exhibition(session: Session, exhibition_id: uuid.UUID, *, lock: bool = False) -> Exhibition:
    query = select(Exhibition).where(Exhibition.id == exhibition_id)
    if lock:
        query = query.with_for_update()
    fair = session.exec(query).first()
    if fair is None:
        raise not_found("Pameran", "Exhibition")
    return fair


def exhibition_public(session: Session, fair: Exhibition) -> ExhibitionPublic:
    booths = session.exec(select(func.count()).select_from(Booth).where(Booth.exhibition_id == fair.id)).one()
    return ExhibitionPublic(**fair.model_dump(exclude={"created_by", "created_at"}), booths=booths)


def add_booths(session: Session, exhibition_id: uuid.UUID, booths: list[BoothCreate]) -> list[Booth]:
    """Add a floor plan in bulk; one bad or duplicate code rejects the whole request."""
    fair = get_exhibition(session, exhibition_id, lock=True)
    existing = set(session.exec(select(Booth.code).where(Booth.exhibition_id == fair.id)).all())
    problems: list[FieldError] = []
    seen: set[str] = set()
    for i, booth in enumerate(booths):
        if booth.code in existing or booth.code in seen:
            problems.append(FieldError(field=f"{i}.code", message=f"Kode stan {booth.code} sudah ada.",
                                       message_en=f"Booth code {booth.code} already exists."))
        seen.add(booth.code)
    if problems:
        raise ApiError(409, "conflict", "Kode stan ganda.", "Duplicate booth codes.", problems)
    rows = [Booth(exhibition_id=fair.id, **b.model_dump()) for b in booths]
    session.add_all(rows)
    session.flush()
    fill_from_waitlist(session, fair, None)
    return rows


# --- applications from events -----------------------------------------------------------------


def on_ikm_registered(session: Session, envelope: Envelope, payload: IkmRegisteredV1, today: date) -> None:
    """Enter the IKM into every open fair it is eligible for; place it at once where curation is not
    required."""
    profile = session.get(IkmProfile, payload.ikm_id)
    if profile is None:
        profile = IkmProfile(ikm_id=payload.ikm_id, name=payload.name, sector=payload.sector,
                             regency_code=payload.regency_code, sentra_id=payload.sentra_id,
                             needs_accessible_booth=payload.needs_accessible_booth, registered_at=envelope.occurred_at)
        session.add(profile)
        session.flush()
    applicant = _applicant(profile)
    fairs = session.exec(select(Exhibition).where(Exhibition.status == "open",
                                                  col(Exhibition.application_deadline) >= today)).all()
    for fair in fairs:
        if rules.eligibility_problem(_fair_rules(session, fair), applicant, today) is not None:
            continue
        if session.exec(select(Application.id).where(Application.exhibition_id == fair.id,
                                                     Application.ikm_id == profile.ikm_id)).first():
            continue
        now = utcnow()
        application = Application(exhibition_id=fair.id, ikm_id=profile.ikm_id, status="pending_curation",
                                  reason="Menunggu hasil kurasi produk.", reason_en="Waiting for product curation.",
                                  applied_at=now, updated_at=now)
        session.add(application)
        session.flush()
        if not fair.requires_curation:
            place(session, get_exhibition(session, fair.id, lock=True), application, envelope)


def on_curation_decided(session: Session, envelope: Envelope, payload: CurationDecidedV1) -> None:
    """An approval places the IKM's held applications; any other outcome declines them and releases
    their booths (the waitlist moves up)."""
    applications = session.exec(select(Application).where(
        Application.ikm_id == payload.ikm_id, col(Application.status).in_(("pending_curation", "allocated",
                                                                            "waitlisted")))).all()
    for application in applications:
        fair = get_exhibition(session, application.exhibition_id, lock=True)
        if not fair.requires_curation:
            continue
        if payload.outcome in APPROVED:
            if application.status == "pending_curation":
                place(session, fair, application, envelope)
        else:
            decline(session, fair, application, envelope,
                    "Produk tidak lolos kurasi.", "The product did not pass curation.")


# --- placement ----------------------------------------------------------------------------------


def place(session: Session, fair: Exhibition, application: Application, causation: Envelope | None) -> None:
    """Give the application the first free booth its rules allow, else put it on the waitlist."""
    profile = session.get(IkmProfile, application.ikm_id)
    assert profile is not None
    if _try_allocate(session, fair, application, profile, causation):
        return
    problem = _blocking_rule(session, fair, profile)
    reason, reason_en = problem or ("Semua stan yang sesuai sektornya sudah terisi.",
                                    "Every booth that takes its sector is taken.")
    rank = (session.exec(select(func.max(Application.waitlist_rank)).where(
        Application.exhibition_id == fair.id, Application.status == "waitlisted")).one() or 0) + 1
    application.status = "waitlisted"
    application.waitlist_rank = rank
    application.reason, application.reason_en = reason, reason_en
    application.updated_at = utcnow()
    session.add(application)
    add_event(session, new_event("exhibition.waitlisted", WaitlistedV1(
        exhibition_id=fair.id, exhibition_name=fair.name, ikm_id=application.ikm_id, waitlist_rank=rank,
        reason=reason), causation=causation))


def _try_allocate(session: Session, fair: Exhibition, application: Application, profile: IkmProfile,
                  causation: Envelope | None) -> bool:
    if _blocking_rule(session, fair, profile) is not None:
        return False
    booth = rules.first_free_booth(_free_booths(session, fair), _applicant(profile))
    if booth is None:
        return False
    application.status = "allocated"
    application.booth_id = booth.booth_id
    application.waitlist_rank = None
    application.reason = f"Stan {booth.code}: stan bebas pertama di zona yang menerima sektor {profile.sector}."
    application.reason_en = f"Booth {booth.code}: the first free booth in a zone that takes {profile.sector}."
    application.updated_at = utcnow()
    session.add(application)
    session.flush()
    add_event(session, new_event("exhibition.booth_allocated", BoothAllocatedV1(
        exhibition_id=fair.id, exhibition_name=fair.name, ikm_id=application.ikm_id, booth_code=booth.code,
        reason=application.reason), causation=causation))
    return True


def _blocking_rule(session: Session, fair: Exhibition, profile: IkmProfile) -> tuple[str, str] | None:
    allocated = select(IkmProfile.regency_code, IkmProfile.sentra_id).join(
        Application, col(Application.ikm_id) == col(IkmProfile.ikm_id)).where(
        Application.exhibition_id == fair.id, Application.status == "allocated")
    rows = session.exec(allocated).all()
    in_regency = sum(1 for r in rows if r[0] == profile.regency_code)
    in_sentra = sum(1 for r in rows if profile.sentra_id is not None and r[1] == profile.sentra_id)
    return rules.quota_problem(_fair_rules(session, fair), _applicant(profile), in_regency, in_sentra)


def decline(session: Session, fair: Exhibition, application: Application, causation: Envelope | None,
            reason: str, reason_en: str) -> None:
    held = application.booth_id is not None
    _release(session, fair, application, causation, "declined", reason, reason_en)
    if not held:
        _rerank_waitlist(session, fair, causation)


def release_booth(session: Session, fair: Exhibition, code: str, causation: Envelope | None,
                  reason: str, reason_en: str) -> Application:
    """An organiser frees a booth: its holder is withdrawn and the waitlist moves up."""
    booth = _booth_by_code(session, fair, code)
    application = session.exec(select(Application).where(Application.booth_id == booth.id)).first()
    if application is None:
        raise ApiError(404, "not_found", f"Stan {code} tidak sedang ditempati.", f"Booth {code} is not held.")
    _release(session, fair, application, causation, "withdrawn", reason, reason_en)
    return application


def _release(session: Session, fair: Exhibition, application: Application, causation: Envelope | None,
             status: str, reason: str, reason_en: str) -> None:
    booth = session.get(Booth, application.booth_id) if application.booth_id is not None else None
    application.status = status
    application.booth_id = None
    application.waitlist_rank = None
    application.reason, application.reason_en = reason, reason_en
    application.updated_at = utcnow()
    session.add(application)
    session.flush()
    if booth is not None:
        add_event(session, new_event("exhibition.booth_released", BoothReleasedV1(
            exhibition_id=fair.id, exhibition_name=fair.name, ikm_id=application.ikm_id, booth_code=booth.code,
            reason=reason), causation=causation))
        fill_from_waitlist(session, fair, causation)


def fill_from_waitlist(session: Session, fair: Exhibition, causation: Envelope | None) -> None:
    """Offer free booths to the waitlist in rank order, then renumber the ranks that remain."""
    waiting = session.exec(select(Application).where(
        Application.exhibition_id == fair.id, Application.status == "waitlisted")
        .order_by(col(Application.waitlist_rank))).all()
    for application in waiting:
        profile = session.get(IkmProfile, application.ikm_id)
        assert profile is not None
        _try_allocate(session, fair, application, profile, causation)
    _rerank_waitlist(session, fair, causation)


def _rerank_waitlist(session: Session, fair: Exhibition, causation: Envelope | None) -> None:
    waiting = session.exec(select(Application).where(
        Application.exhibition_id == fair.id, Application.status == "waitlisted")
        .order_by(col(Application.waitlist_rank))).all()
    for rank, application in enumerate(waiting, start=1):
        if application.waitlist_rank != rank:
            application.waitlist_rank = rank
            application.updated_at = utcnow()
            session.add(application)
            add_event(session, new_event("exhibition.waitlisted", WaitlistedV1(
                exhibition_id=fair.id, exhibition_name=fair.name, ikm_id=application.ikm_id, waitlist_rank=rank,
                reason="Daftar tunggu maju. / The waitlist moved up."), causation=causation))


def assign_booth(session: Session, fair: Exhibition, code: str, ikm_id: uuid.UUID) -> Application:
    """An organiser puts an applicant on a booth by hand: 409 when the booth is taken."""
    booth = _booth_by_code(session, fair, code)
    holder = session.exec(select(Application).where(Application.booth_id == booth.id)).first()
    if holder is not None:
        if holder.ikm_id == ikm_id:
            return holder
        raise ApiError(409, "conflict", f"Stan {code} sudah ditempati IKM lain.", f"Booth {code} is already taken.",
                       [FieldError(field="code", message="Stan sudah terisi.", message_en="Booth taken.")])
    application = session.exec(select(Application).where(Application.exhibition_id == fair.id,
                                                         Application.ikm_id == ikm_id)).first()
    if application is None:
        raise ApiError(422, "invalid_input", "IKM ini belum mendaftar ke pameran ini.",
                       "This IKM has not applied to this fair.",
                       [FieldError(field="ikm_id", message="Belum mendaftar.", message_en="Has not applied.")])
    if application.booth_id is not None:
        raise ApiError(409, "conflict", "IKM ini sudah memegang stan lain di pameran ini; lepaskan dulu.",
                       "This IKM already holds another booth at this fair; release it first.",
                       [FieldError(field="ikm_id", message="Sudah punya stan.", message_en="Already has a booth.")])
    profile = session.get(IkmProfile, ikm_id)
    assert profile is not None
    if not rules.booth_accepts(_slot(booth), profile.sector):
        raise ApiError(422, "invalid_input", f"Stan {code} tidak menerima sektor {profile.sector}.",
                       f"Booth {code} does not take sector {profile.sector}.",
                       [FieldError(field="ikm_id", message="Sektor tidak sesuai zona stan.",
                                   message_en="Sector does not match the booth's zone.")])
    application.status = "allocated"
    application.booth_id = booth.id
    application.waitlist_rank = None
    application.reason = f"Stan {code} ditetapkan panitia."
    application.reason_en = f"Booth {code} assigned by the organisers."
    application.updated_at = utcnow()
    session.add(application)
    session.flush()
    add_event(session, new_event("exhibition.booth_allocated", BoothAllocatedV1(
        exhibition_id=fair.id, exhibition_name=fair.name, ikm_id=ikm_id, booth_code=code,
        reason=application.reason)))
    _rerank_waitlist(session, fair, None)
    return application


# --- reading ------------------------------------------------------------------------------------


def list_applications(session: Session, fair: Exhibition, status: str | None, limit: int,
                      offset: int) -> tuple[list[ApplicationPublic], int]:
    where = [Application.exhibition_id == fair.id]
    if status:
        where.append(Application.status == status)
    total = session.exec(select(func.count()).select_from(Application).where(*where)).one()
    rows = session.exec(
        select(Application, IkmProfile, Booth)
        .join(IkmProfile, col(IkmProfile.ikm_id) == col(Application.ikm_id))
        .outerjoin(Booth, col(Booth.id) == col(Application.booth_id))
        .where(*where).order_by(col(Application.applied_at), col(Application.id)).offset(offset).limit(limit)
    ).all()
    items = [ApplicationPublic(ikm_id=a.ikm_id, ikm_name=p.name, status=a.status,
                               booth_code=b.code if b else None, waitlist_rank=a.waitlist_rank, reason=a.reason,
                               reason_en=a.reason_en, updated_at=a.updated_at) for a, p, b in rows]
    return items, total


def list_allocations(session: Session, fair: Exhibition) -> list[AllocationPublic]:
    rows = session.exec(
        select(Booth, Application, IkmProfile)
        .join(Application, col(Application.booth_id) == col(Booth.id))
        .join(IkmProfile, col(IkmProfile.ikm_id) == col(Application.ikm_id))
        .where(Booth.exhibition_id == fair.id).order_by(col(Booth.code))
    ).all()
    return [AllocationPublic(booth_code=b.code, ikm_id=a.ikm_id, ikm_name=p.name, status=a.status)
            for b, a, p in rows]


# --- helpers ------------------------------------------------------------------------------------


def _booth_by_code(session: Session, fair: Exhibition, code: str) -> Booth:
    booth = session.exec(select(Booth).where(Booth.exhibition_id == fair.id, Booth.code == code)).first()
    if booth is None:
        raise not_found(f"Stan {code}", f"Booth {code}")
    return booth


def _free_booths(session: Session, fair: Exhibition) -> list[rules.BoothSlot]:
    held = select(Application.booth_id).where(col(Application.booth_id).is_not(None))
    booths = session.exec(select(Booth).where(Booth.exhibition_id == fair.id, col(Booth.id).not_in(held))).all()
    return [_slot(b) for b in booths]


def _slot(booth: Booth) -> rules.BoothSlot:
    return rules.BoothSlot(booth_id=booth.id or 0, code=booth.code, sectors=frozenset(booth.sectors),
                           accessible=booth.accessible)


def _fair_rules(session: Session, fair: Exhibition) -> rules.FairRules:
    count = session.exec(select(func.count()).select_from(Booth).where(Booth.exhibition_id == fair.id)).one()
    return rules.FairRules(sectors=frozenset(fair.sectors), regency_codes=frozenset(fair.regency_codes),
                           application_deadline=fair.application_deadline, status=fair.status,
                           regency_max_share=fair.regency_max_share, sentra_cap=fair.sentra_cap, booth_count=count)


def _applicant(profile: IkmProfile) -> rules.Applicant:
    return rules.Applicant(ikm_id=profile.ikm_id, sector=profile.sector, regency_code=profile.regency_code,
                           sentra_id=profile.sentra_id, needs_accessible_booth=profile.needs_accessible_booth)
