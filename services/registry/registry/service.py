"""Registry service logic: each function takes a session, stages outbox events and leaves the commit
to the caller (the request or the event consumer), so a change and its events are one transaction."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import ColumnElement, func, or_
from sqlmodel import Session, col, select

from registry import rules
from registry.regions import Region, bps_regions
from registry.schemas import (
    CertificationPublic,
    IkmCreate,
    IkmPublic,
    IkmSummary,
    OwnerPublic,
    ProductCreate,
    ProductPublic,
    RegionPublic,
    SentraCreate,
    SentraPublic,
    TimelineEntryPublic,
    UserCreate,
    UserPublic,
    VillageCreate,
)
from registry.tables import Certification, Ikm, Product, RegionAddition, Sentra, TimelineEntry, UserAccount
from shared.auth import Principal, hash_password, issue_token, verify_password
from shared.errors import ApiError, FieldError, invalid, not_found
from shared.events import (
    BoothAllocatedV1,
    BoothReleasedV1,
    CaseOpenedV1,
    CurationDecidedV1,
    Envelope,
    IkmRegisteredV1,
    ProductInfo,
    ProductSubmittedV1,
    WaitlistedV1,
    new_event,
    utcnow,
)
from shared.outbox import add_event

# --- users and tokens -------------------------------------------------------------------------


def create_user(session: Session, data: UserCreate) -> UserAccount:
    if session.exec(select(UserAccount).where(UserAccount.username == data.username)).first():
        raise ApiError(409, "conflict", f"Nama pengguna {data.username!r} sudah dipakai.",
                       f"Username {data.username!r} is already taken.",
                       [FieldError(field="username", message="Sudah dipakai.", message_en="Already taken.")])
    user = UserAccount(username=data.username, full_name=data.full_name,
                       password_hash=hash_password(data.password), roles=sorted(set(data.roles)),
                       created_at=utcnow())
    session.add(user)
    return user


def ensure_user(session: Session, username: str, password: str, full_name: str, roles: list[str]) -> bool:
    """Create the user unless it exists (start-up bootstrap of the first admin). True if created."""
    if session.exec(select(UserAccount).where(UserAccount.username == username)).first():
        return False
    session.add(UserAccount(username=username, full_name=full_name, password_hash=hash_password(password),
                            roles=roles, created_at=utcnow()))
    return True


def issue_user_token(session: Session, username: str, password: str, secret: str, ttl: timedelta) -> str:
    user = session.exec(select(UserAccount).where(UserAccount.username == username)).first()
    if user is None or not user.active or not verify_password(user.password_hash, password):
        raise ApiError(401, "bad_credentials", "Nama pengguna atau kata sandi salah.",
                       "Wrong username or password.", headers={"WWW-Authenticate": "Bearer"})
    return issue_token(user.username, list(user.roles), secret, ttl)


def user_public(user: UserAccount) -> UserPublic:
    return UserPublic(username=user.username, full_name=user.full_name, roles=list(user.roles))


# --- regions ----------------------------------------------------------------------------------


def find_regions(session: Session, codes: list[str]) -> dict[str, Region | None]:
    """BPS regions by code, falling back to the villages admins added."""
    index = bps_regions()
    found: dict[str, Region | None] = {code: index.get(code) for code in codes}
    missing = [code for code, region in found.items() if region is None]
    if missing:
        for added in session.exec(select(RegionAddition).where(col(RegionAddition.code).in_(missing))):
            found[added.code] = Region(code=added.code, parent_code=added.parent_code, name=added.name)
    return found


def child_regions(session: Session, parent_code: str) -> list[RegionPublic]:
    index = bps_regions()
    out = [RegionPublic(code=r.code, parent_code=r.parent_code, name=r.name, level=r.level)
           for r in index.children.get(parent_code, [])]
    for added in session.exec(select(RegionAddition).where(RegionAddition.parent_code == parent_code)):
        out.append(RegionPublic(code=added.code, parent_code=added.parent_code, name=added.name,
                                level="village", added=True))
    return sorted(out, key=lambda r: r.code)


def add_village(session: Session, data: VillageCreate, principal: Principal) -> RegionPublic:
    index = bps_regions()
    district = index.get(data.district_code)
    if district is None or district.level != "district":
        raise invalid("district_code", "Kecamatan tidak ada dalam daftar wilayah BPS.",
                      "The district is not in the BPS region list.")
    if not data.code.startswith(data.district_code):
        raise invalid("code", "Kode desa harus diawali kode kecamatannya.",
                      "A village code must start with its district's code.")
    if index.get(data.code) is not None or session.get(RegionAddition, data.code) is not None:
        raise ApiError(409, "conflict", "Kode desa sudah ada.", "That village code already exists.",
                       [FieldError(field="code", message="Sudah ada.", message_en="Already exists.")])
    session.add(RegionAddition(code=data.code, parent_code=data.district_code, name=data.name,
                               added_by=principal.username, created_at=utcnow()))
    return RegionPublic(code=data.code, parent_code=data.district_code, name=data.name, level="village",
                        added=True)


# --- sentra -----------------------------------------------------------------------------------


def create_sentra(session: Session, data: SentraCreate) -> Sentra:
    codes = [c for c in (data.regency_code, data.district_code, data.village_code) if c]
    found = find_regions(session, codes)
    if found.get(data.regency_code) is None:
        raise invalid("regency_code", "Kode kabupaten/kota tidak ada dalam daftar wilayah BPS.",
                      "The regency code is not in the BPS region list.")
    sentra = Sentra(**data.model_dump(), created_at=utcnow())
    session.add(sentra)
    return sentra


def sentra_public(session: Session, sentra: Sentra) -> SentraPublic:
    members = session.exec(select(func.count()).select_from(Ikm).where(Ikm.sentra_id == sentra.id)).one()
    return SentraPublic(id=sentra.id, name=sentra.name, kind=sentra.kind, sector=sentra.sector,
                        regency_code=sentra.regency_code, district_code=sentra.district_code,
                        village_code=sentra.village_code, members=members, below_minimum=members < 5)


# --- IKM --------------------------------------------------------------------------------------


def register_ikm(session: Session, data: IkmCreate, principal: Principal) -> Ikm:
    """Validate against the register, write the IKM with its products, stage `ikm.registered`."""
    problems = rules.region_problems(
        find_regions(session, [data.regency_code, data.district_code, data.village_code]),
        data.regency_code, data.district_code, data.village_code)
    if data.nib and session.exec(select(Ikm.id).where(Ikm.nib == data.nib)).first() is not None:
        raise ApiError(409, "conflict", f"NIB {data.nib} sudah terdaftar.", f"NIB {data.nib} is already registered.",
                       [FieldError(field="nib", message="NIB ini sudah terdaftar untuk IKM lain.",
                                   message_en="This NIB is already registered to another IKM.")])
    if data.sentra_id is not None and session.get(Sentra, data.sentra_id) is None:
        problems.append(FieldError(field="sentra_id", message="Sentra tidak ditemukan.",
                                   message_en="Sentra not found."))
    if problems:
        raise ApiError(422, "invalid_input", "Data tidak valid.", "Invalid data.", problems)

    now = utcnow()
    ikm = Ikm(
        nib=data.nib, name=data.name, owner_name=data.owner.name, owner_nik=data.owner.nik,
        owner_phone=data.owner.phone, owner_gender=data.owner.gender, sector=data.sector,
        local_label=data.local_label, kbli=data.kbli, regency_code=data.regency_code,
        district_code=data.district_code, village_code=data.village_code, address=data.address,
        sentra_id=data.sentra_id, workers=data.workers, investment_idr=data.investment_idr,
        needs=list(data.needs), needs_accessible_booth=data.needs_accessible_booth,
        created_by=principal.username, created_at=now, updated_at=now,
    )
    session.add(ikm)
    session.flush()  # the IKM row first: products, certificates and the timeline refer to it
    products = [_new_product(ikm.id, p) for p in data.products]
    session.add_all(products)
    session.add_all(Certification(ikm_id=ikm.id, **c.model_dump()) for c in data.certifications)

    event = new_event("ikm.registered", IkmRegisteredV1(
        ikm_id=ikm.id, nib=ikm.nib, name=ikm.name, sector=ikm.sector, kbli=ikm.kbli,
        regency_code=ikm.regency_code, district_code=ikm.district_code, village_code=ikm.village_code,
        sentra_id=ikm.sentra_id, workers=ikm.workers, needs_accessible_booth=ikm.needs_accessible_booth,
        products=[_product_info(p) for p in products],
    ))
    add_event(session, event)
    session.add(TimelineEntry(
        ikm_id=ikm.id, event_id=event.event_id, event_type=event.event_type, occurred_at=event.occurred_at,
        summary=f"Terdaftar dengan {len(products)} produk.",
        summary_en=f"Registered with {len(products)} product(s).",
        details={"products": len(products)},
    ))
    session.flush()  # surface a unique-NIB race as an IntegrityError inside this transaction
    return ikm


def add_product(session: Session, ikm_id: uuid.UUID, data: ProductCreate) -> Product:
    ikm = _get_ikm(session, ikm_id)
    product = _new_product(ikm.id, data)
    session.add(product)
    event = new_event("product.submitted", ProductSubmittedV1(
        ikm_id=ikm.id, sector=ikm.sector, product=_product_info(product)))
    add_event(session, event)
    session.add(TimelineEntry(
        ikm_id=ikm.id, event_id=event.event_id, event_type=event.event_type, occurred_at=event.occurred_at,
        summary=f"Produk baru diajukan: {product.name}.", summary_en=f"New product submitted: {product.name}.",
        details={"product_id": str(product.id)},
    ))
    return product


def _new_product(ikm_id: uuid.UUID, data: ProductCreate) -> Product:
    return Product(ikm_id=ikm_id, name=data.name, category=data.category, price_idr=data.price_idr,
                   monthly_capacity=data.monthly_capacity, created_at=utcnow())


def _product_info(p: Product) -> ProductInfo:
    return ProductInfo(product_id=p.id, name=p.name, category=p.category, price_idr=p.price_idr,
                       monthly_capacity=p.monthly_capacity)


def _get_ikm(session: Session, ikm_id: uuid.UUID) -> Ikm:
    ikm = session.get(Ikm, ikm_id)
    if ikm is None:
        raise not_found("IKM", "IKM")
    return ikm


def ikm_public(session: Session, ikm_id: uuid.UUID, principal: Principal) -> IkmPublic:
    ikm = _get_ikm(session, ikm_id)
    full = rules.may_see_personal_data(principal)
    owner = OwnerPublic(
        name=ikm.owner_name,
        nik=ikm.owner_nik if full else rules.mask_nik(ikm.owner_nik),
        phone=ikm.owner_phone if full else rules.mask_phone(ikm.owner_phone),
        gender=ikm.owner_gender, masked=not full,
    )
    products = session.exec(select(Product).where(Product.ikm_id == ikm.id).order_by(col(Product.created_at)))
    certs = session.exec(select(Certification).where(Certification.ikm_id == ikm.id))
    timeline = session.exec(select(TimelineEntry).where(TimelineEntry.ikm_id == ikm.id)
                            .order_by(col(TimelineEntry.occurred_at), col(TimelineEntry.id)))
    return IkmPublic(
        **IkmSummary.model_validate(ikm, from_attributes=True).model_dump(),
        owner=owner, local_label=ikm.local_label, kbli=ikm.kbli,
        address=ikm.address if full else rules.mask_address(ikm.address),
        investment_idr=ikm.investment_idr, needs=list(ikm.needs),
        needs_accessible_booth=ikm.needs_accessible_booth,
        certifications=[CertificationPublic.model_validate(c, from_attributes=True) for c in certs],
        products=[ProductPublic.model_validate(p, from_attributes=True) for p in products],
        timeline=[TimelineEntryPublic.model_validate(t, from_attributes=True) for t in timeline],
        created_at=ikm.created_at,
    )


def list_ikms(
    session: Session, *, regency_code: str | None, district_code: str | None, village_code: str | None,
    sector: str | None, sentra_id: uuid.UUID | None, q: str | None, limit: int, offset: int,
) -> tuple[list[IkmSummary], int]:
    conditions: list[ColumnElement[bool]] = []
    for column, value in ((Ikm.regency_code, regency_code), (Ikm.district_code, district_code),
                          (Ikm.village_code, village_code), (Ikm.sector, sector), (Ikm.sentra_id, sentra_id)):
        if value is not None:
            conditions.append(col(column) == value)
    if q:
        pattern = f"%{q.strip().lower()}%"
        conditions.append(or_(func.lower(Ikm.name).like(pattern), col(Ikm.nib) == q.strip()))
    total = session.exec(select(func.count()).select_from(Ikm).where(*conditions)).one()
    rows = session.exec(select(Ikm).where(*conditions).order_by(col(Ikm.name), col(Ikm.id))
                        .offset(offset).limit(limit)).all()
    return [IkmSummary.model_validate(r, from_attributes=True) for r in rows], total


# --- the timeline: folding other services' events -----------------------------------------------


def fold_into_timeline(session: Session, envelope: Envelope, payload: object) -> None:
    """Record an event from curation or exhibitions as a line of the IKM's timeline."""
    ikm_id, summary, summary_en = describe_event(payload)
    if session.get(Ikm, ikm_id) is None:
        # Events about an IKM this register does not hold (another region's deployment): ignore.
        return
    session.add(TimelineEntry(ikm_id=ikm_id, event_id=envelope.event_id, event_type=envelope.event_type,
                              occurred_at=envelope.occurred_at, summary=summary, summary_en=summary_en,
                              details=envelope.data))


OUTCOME_WORDS = {
    "approved": ("lolos", "approved"),
    "approved_with_conditions": ("lolos bersyarat", "approved with conditions"),
    "needs_improvement": ("perlu perbaikan", "needs improvement"),
    "rejected": ("tidak lolos", "rejected"),
}


def describe_event(payload: object) -> tuple[uuid.UUID, str, str]:
    """The IKM an event concerns and a sentence about it, in Bahasa Indonesia and English."""
    match payload:
        case CaseOpenedV1():
            who = ", ".join(payload.curators)
            if who:
                return (payload.ikm_id, f"Kasus kurasi dibuka untuk {payload.product_name}; kurator: {who}.",
                        f"Curation case opened for {payload.product_name}; curators: {who}.")
            return (payload.ikm_id,
                    f"Kasus kurasi dibuka untuk {payload.product_name}; menunggu kurator sektor ini.",
                    f"Curation case opened for {payload.product_name}; waiting for a curator of this sector.")
        case CurationDecidedV1():
            id_word, en_word = OUTCOME_WORDS[payload.outcome]
            grade = f" (nilai {payload.grade})" if payload.grade else ""
            grade_en = f" (grade {payload.grade})" if payload.grade else ""
            return (payload.ikm_id, f"Hasil kurasi: {id_word}{grade}.", f"Curation decided: {en_word}{grade_en}.")
        case BoothAllocatedV1():
            return (payload.ikm_id, f"Mendapat stan {payload.booth_code} di {payload.exhibition_name}.",
                    f"Booth {payload.booth_code} allocated at {payload.exhibition_name}.")
        case BoothReleasedV1():
            return (payload.ikm_id, f"Stan {payload.booth_code} di {payload.exhibition_name} dilepas: "
                                    f"{payload.reason}",
                    f"Booth {payload.booth_code} at {payload.exhibition_name} released: {payload.reason}")
        case WaitlistedV1():
            return (payload.ikm_id, f"Masuk daftar tunggu {payload.exhibition_name}, urutan "
                                    f"{payload.waitlist_rank}.",
                    f"Waitlisted at {payload.exhibition_name}, rank {payload.waitlist_rank}.")
    raise TypeError(f"no timeline wording for {type(payload).__name__}")
