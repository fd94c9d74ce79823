"""Registry service logic: each function takes a session, stages outbox events and leaves the commit
to the caller (the request or the event consumer), so a change and its events are one transaction."""

from __future__ import annotations

import functools
import itertools
import math
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy import ColumnElement, String, cast, func, or_
from sqlalchemy.exc import DataError, IntegrityError
from sqlmodel import Session, col, select

from registry import import_format, office_rows, rules
from registry.import_format import ImportFile
from registry.personal import nik_fingerprint
from registry.region_names import Places
from registry.regions import Region, bps_regions
from registry.schemas import (
    AreaCount,
    CertificationProgress,
    CertificationPublic,
    IkmCreate,
    IkmPublic,
    IkmSummary,
    IkmUpdate,
    ImportPublic,
    ImportRowPublic,
    ImportSummary,
    MappingStats,
    OwnerPublic,
    ProductCreate,
    ProductPublic,
    RegencySectorCount,
    RegionPublic,
    SentraCount,
    SentraCreate,
    SentraPublic,
    SentraUpdate,
    SizeClassPublic,
    TimelineEntryPublic,
    VillageCreate,
    YearCount,
)
from registry.tables import (
    Certification,
    Ikm,
    ImportJob,
    ImportRow,
    Product,
    RegionAddition,
    Sentra,
    TimelineEntry,
)
from shared.auth import Principal
from shared.csvfile import Cell
from shared.db import insert_rows
from shared.errors import ApiError, FieldError, invalid, not_found, validation_errors
from shared.events import (
    BoothAllocatedV1,
    BoothReleasedV1,
    CaseOpenedV1,
    CurationDecidedV1,
    Envelope,
    IkmRegisteredV1,
    IkmUpdatedV1,
    ProductInfo,
    ProductSubmittedV1,
    WaitlistedV1,
    new_event,
    utcnow,
)
from shared.ids import new_id
from shared.outbox import OutboxEvent, add_event, outbox_values

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
    _check_sentra_regions(session, data.regency_code, data.district_code, data.village_code)
    sentra = Sentra(**data.model_dump(), created_at=utcnow())
    session.add(sentra)
    return sentra


def update_sentra(session: Session, sentra_id: uuid.UUID, data: SentraUpdate) -> Sentra:
    """Change the fields sent. A region sent is checked with the ones kept, so the three still nest."""
    sentra = session.get(Sentra, sentra_id)
    if sentra is None:
        raise not_found("Sentra", "Sentra")
    sent = data.model_dump(exclude_unset=True)
    for required in ("name", "kind", "sector", "regency_code", "problems"):
        if required in sent and sent[required] is None:
            raise invalid(required, "Wajib diisi; tidak dapat dikosongkan.", "Required; it cannot be cleared.")
    if sent.keys() & {"regency_code", "district_code", "village_code"}:
        merged = {k: sent.get(k, getattr(sentra, k)) for k in ("regency_code", "district_code", "village_code")}
        _check_sentra_regions(session, merged["regency_code"], merged["district_code"], merged["village_code"])
    for key, value in sent.items():
        setattr(sentra, key, value)
    session.add(sentra)
    return sentra


def _check_sentra_regions(session: Session, regency_code: str, district_code: str | None,
                          village_code: str | None) -> None:
    codes = [c for c in (regency_code, district_code, village_code) if c]
    found = find_regions(session, codes)
    regency = found.get(regency_code)
    if regency is None or regency.level != "regency":
        raise invalid("regency_code", "Kode kabupaten/kota tidak ada dalam daftar wilayah BPS.",
                      "The regency code is not in the BPS region list.")
    if district_code is not None:
        district = found.get(district_code)
        if district is None or district.parent_code != regency_code:
            raise invalid("district_code", f"Kecamatan {district_code} tidak berada di {regency.name}.",
                          f"District {district_code} is not in {regency.name}.")
    if village_code is not None:
        village = found.get(village_code)
        if village is None or village.parent_code != district_code:
            raise invalid("village_code", "Desa/kelurahan tidak berada di kecamatan yang diisi.",
                          "The village is not in the district given.")


def sentra_public(session: Session, sentra: Sentra) -> SentraPublic:
    members = session.exec(select(func.count()).select_from(Ikm).where(Ikm.sentra_id == sentra.id)).one()
    return SentraPublic(**sentra.model_dump(exclude={"created_at", "problems"}), problems=list(sentra.problems),
                        members=members, below_minimum=rules.sentra_below_minimum(members),
                        decree_missing=rules.sentra_decree_missing(sentra.kind, sentra.decree_number,
                                                                   sentra.decree_date))


# --- IKM --------------------------------------------------------------------------------------


def register_ikm(session: Session, data: IkmCreate, principal: Principal) -> uuid.UUID:
    """Validate against the register, write the IKM with its products, stage `ikm.registered`.
    Returns the new IKM's id; raises `ApiError` (409 NIB taken, 422 with the fields) else."""
    outcome = register_ikms(session, [(data, principal)])[0]
    if isinstance(outcome, ApiError):
        raise outcome
    return outcome


def nib_taken(nib: str | None) -> ApiError:
    """409 for a NIB another IKM holds (registering, changing an IKM, or a race the index decided)."""
    said, said_en = (f"NIB {nib} sudah terdaftar.", f"NIB {nib} is already registered.") if nib else \
        ("NIB sudah terdaftar.", "NIB is already registered.")
    return ApiError(409, "conflict", said, said_en,
                    [FieldError(field="nib", message="NIB ini sudah terdaftar untuk IKM lain.",
                                message_en="This NIB is already registered to another IKM.")])


# One POST /ikms waiting for the registrations writer: what was sent, and by whom.
Registering = tuple[IkmCreate, Principal]


def register_ikms(session: Session, requests: Sequence[Registering]) -> list[uuid.UUID | ApiError]:
    """Several registrations in the caller's transaction, as if made one after the other (POST /ikms
    through group commit, ADR 0015): one query for the NIBs and one for the sentra of them all, one
    multi-row INSERT per table. An outcome per request, in order: the new IKM's id, or the
    `ApiError` its caller gets (nothing of that request is written)."""
    nibs = {data.nib for data, _ in requests if data.nib}
    taken = set(session.exec(select(Ikm.nib).where(col(Ikm.nib).in_(nibs))).all()) if nibs else set()
    sentra_ids = {data.sentra_id for data, _ in requests if data.sentra_id is not None}
    known_sentra = _sentra_names(session, sentra_ids)
    outcomes: list[uuid.UUID | ApiError] = []
    registrations: list[Registration] = []
    for data, principal in requests:
        problems = rules.region_problems(
            find_regions(session, [data.regency_code, data.district_code, data.village_code]),
            data.regency_code, data.district_code, data.village_code)
        if data.nib and data.nib in taken:
            outcomes.append(nib_taken(data.nib))
            continue
        if data.sentra_id is not None and data.sentra_id not in known_sentra:
            problems.append(FieldError(field="sentra_id", message="Sentra tidak ditemukan.",
                                       message_en="Sentra not found."))
        if problems:
            outcomes.append(ApiError(422, "invalid_input", "Data tidak valid.", "Invalid data.", problems))
            continue
        registration = _registration(data, principal, known_sentra.get(data.sentra_id) if data.sentra_id else None)
        if data.nib:
            taken.add(data.nib)  # a second request in this batch with the same NIB is a conflict
        registrations.append(registration)
        outcomes.append(registration.ikm_id)
    # A unique-NIB race (PostgreSQL) surfaces here as an IntegrityError, inside the caller's transaction.
    _write_registrations(session, registrations)
    return outcomes


@dataclass
class Registration:
    """The rows of one new IKM, as plain values: building ORM objects cost more than writing them
    when an import registers thousands (bench/import_bali.py)."""

    ikm_id: uuid.UUID
    ikm: dict[str, Any]
    products: list[dict[str, Any]]
    certifications: list[dict[str, Any]]
    timeline: dict[str, Any]
    event: Envelope


def _sentra_names(session: Session, ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    """The names of these sentra, by id (the ones that exist)."""
    return dict(session.exec(select(Sentra.id, Sentra.name).where(col(Sentra.id).in_(ids))).all()) if ids else {}


def _regency_name(code: str) -> str | None:
    region = bps_regions().get(code)
    return region.name if region else None


def _registration(data: IkmCreate, principal: Principal, sentra_name: str | None = None) -> Registration:
    """A checked IKM with its products, certificates, first timeline entry and `ikm.registered`."""
    now = utcnow()
    ikm_id = new_id()
    industry_class = rules.industry_class(data.workers, data.investment_idr).value
    scale = rules.umkm_scale(data.investment_idr, data.annual_sales_idr)
    ikm = {
        "id": ikm_id, "nib": data.nib, "name": data.name, "owner_name": data.owner.name,
        "owner_nik": data.owner.nik, "owner_nik_hash": nik_fingerprint(data.owner.nik),
        "owner_phone": data.owner.phone, "owner_gender": data.owner.gender,
        "sector": data.sector, "local_label": data.local_label, "kbli": data.kbli, "kbli_version": data.kbli_version,
        "business_form": data.business_form, "regency_code": data.regency_code,
        "district_code": data.district_code, "village_code": data.village_code, "address": data.address,
        "sentra_id": data.sentra_id, "workers": data.workers, "investment_idr": data.investment_idr,
        "annual_sales_idr": data.annual_sales_idr, "industry_class": industry_class,
        "umkm_scale": scale.value if scale else None, "koperasi_name": data.koperasi_name,
        "registered_year": data.registered_year or now.year, "name_key": rules.name_key(data.name),
        "needs": list(data.needs), "needs_accessible_booth": data.needs_accessible_booth, "status": data.status,
        "created_by": principal.username, "created_at": now, "updated_at": now,
    }
    products = [{"id": new_id(), "ikm_id": ikm_id, "name": p.name, "category": p.category, "description": p.description,
                 "price_idr": p.price_idr, "monthly_capacity": p.monthly_capacity, "created_at": now}
                for p in data.products]
    event = new_event("ikm.registered", IkmRegisteredV1(
        ikm_id=ikm_id, nib=data.nib, name=data.name, sector=data.sector, kbli=data.kbli,
        regency_code=data.regency_code, district_code=data.district_code, village_code=data.village_code,
        sentra_id=data.sentra_id, workers=data.workers, needs_accessible_booth=data.needs_accessible_booth,
        products=[ProductInfo(product_id=p["id"], name=p["name"], category=p["category"], price_idr=p["price_idr"],
                              monthly_capacity=p["monthly_capacity"], description=p["description"]) for p in products],
        regency_name=_regency_name(data.regency_code), sentra_name=sentra_name,
    ))
    timeline = {
        "ikm_id": ikm_id, "event_id": event.event_id, "event_type": event.event_type,
        "occurred_at": event.occurred_at, "summary": f"Terdaftar dengan {len(products)} produk.",
        "summary_en": f"Registered with {len(products)} product(s).", "details": {"products": len(products)},
    }
    return Registration(ikm_id=ikm_id, ikm=ikm, products=products,
                        certifications=[{"ikm_id": ikm_id, **c.model_dump()} for c in data.certifications],
                        timeline=timeline, event=event)


def _write_registrations(session: Session, registrations: list[Registration]) -> None:
    """Insert registrations with one multi-row INSERT per table, the IKM rows first (the others
    refer to them), in the caller's transaction."""
    if not registrations:
        return
    insert_rows(session, Ikm, [r.ikm for r in registrations])
    products = [p for r in registrations for p in r.products]
    insert_rows(session, Product, products)
    certifications = [c for r in registrations for c in r.certifications]
    insert_rows(session, Certification, certifications)
    insert_rows(session, TimelineEntry, [r.timeline for r in registrations])
    insert_rows(session, OutboxEvent, [outbox_values(r.event) for r in registrations])


# Columns whose change is personal data: never in an event, not named in the timeline's details.
PERSONAL_FIELDS = frozenset({"owner_name", "owner_nik", "owner_phone", "owner_gender", "address"})


def update_ikm(session: Session, ikm_id: uuid.UUID, data: IkmUpdate) -> list[str]:
    """Change the fields sent; stage `ikm.updated` with the changed non-personal fields. Returns the
    names of the changed fields (personal ones included), empty when nothing changed."""
    ikm = _get_ikm(session, ikm_id)
    sent = data.model_dump(exclude_unset=True, exclude={"owner", "certifications"})
    if data.owner is not None:
        sent.update({f"owner_{k}": v for k, v in data.owner.model_dump(exclude_unset=True).items()})
    changes = {k: v for k, v in sent.items() if getattr(ikm, k) != v}

    problems: list[FieldError] = []
    if {"regency_code", "district_code", "village_code"} & changes.keys():
        codes = [changes.get(k, getattr(ikm, k)) for k in ("regency_code", "district_code", "village_code")]
        problems += rules.region_problems(find_regions(session, codes), *codes)
    if changes.get("nib") and session.exec(select(Ikm.id).where(Ikm.nib == changes["nib"], Ikm.id != ikm.id)).first():
        raise nib_taken(changes["nib"])
    if changes.get("sentra_id") is not None and session.get(Sentra, changes["sentra_id"]) is None:
        problems.append(FieldError(field="sentra_id", message="Sentra tidak ditemukan.",
                                   message_en="Sentra not found."))
    kbli, version = changes.get("kbli", ikm.kbli), changes.get("kbli_version", ikm.kbli_version)
    if version and not kbli:
        problems.append(FieldError(field="kbli_version", message="Versi KBLI diisi tetapi kode KBLI kosong.",
                                   message_en="KBLI version given without a KBLI code."))
    elif kbli and not version:
        changes["kbli_version"] = "2020"
    if problems:
        raise ApiError(422, "invalid_input", "Data tidak valid.", "Invalid data.", problems)

    changed_certs = False
    if data.certifications is not None:
        old = sorted((c.kind, c.number, c.issuer, c.valid_until)
                     for c in session.exec(select(Certification).where(Certification.ikm_id == ikm.id)))
        new = sorted((c.kind, c.number, c.issuer, c.valid_until) for c in data.certifications)
        if old != new:
            changed_certs = True
            for c in session.exec(select(Certification).where(Certification.ikm_id == ikm.id)):
                session.delete(c)
            session.add_all(Certification(ikm_id=ikm.id, **c.model_dump()) for c in data.certifications)
    if not changes and not changed_certs:
        return []

    for name, value in changes.items():
        setattr(ikm, name, value)
    if "owner_nik" in changes:
        ikm.owner_nik_hash = nik_fingerprint(ikm.owner_nik)
    if "name" in changes:
        ikm.name_key = rules.name_key(ikm.name)
    before = (ikm.industry_class, ikm.umkm_scale)
    _derive_size_classes(ikm)
    for name, value in zip(("industry_class", "umkm_scale"), before, strict=True):
        if getattr(ikm, name) != value:
            changes[name] = getattr(ikm, name)
    ikm.updated_at = utcnow()

    public = {k: v for k, v in changes.items() if k not in PERSONAL_FIELDS}
    if changed_certs:
        public["certifications"] = sorted({c.kind for c in data.certifications or []})
    names = sorted([*changes, *(["certifications"] if changed_certs else [])])
    if public:
        event = new_event("ikm.updated", IkmUpdatedV1(
            ikm_id=ikm.id, changed=_jsonable(public), sector=ikm.sector, regency_code=ikm.regency_code,
            sentra_id=ikm.sentra_id, name=ikm.name, regency_name=_regency_name(ikm.regency_code),
            sentra_name=_sentra_names(session, {ikm.sentra_id}).get(ikm.sentra_id) if ikm.sentra_id else None))
        add_event(session, event)
        event_id, occurred_at = event.event_id, event.occurred_at
    else:
        event_id, occurred_at = new_id(), utcnow()  # only personal data changed: nothing to publish
    listed = ", ".join(names)
    session.add(TimelineEntry(ikm_id=ikm.id, event_id=event_id, event_type="ikm.updated", occurred_at=occurred_at,
                              summary=f"Data diperbarui: {listed}.", summary_en=f"Record updated: {listed}.",
                              details={"fields": names}))
    session.flush()
    return names


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    return {k: str(v) if isinstance(v, uuid.UUID) else v for k, v in values.items()}


def _derive_size_classes(ikm: Ikm) -> None:
    ikm.industry_class = rules.industry_class(ikm.workers, ikm.investment_idr).value
    scale = rules.umkm_scale(ikm.investment_idr, ikm.annual_sales_idr)
    ikm.umkm_scale = scale.value if scale else None


def find_registered(session: Session, nib: str | None, name: str, village_code: str) -> tuple[uuid.UUID, str] | None:
    """The IKM already in the register that a new entry stands for, and what matched: its NIB, or
    (for an IKM that has no NIB in the register) its name key and village."""
    if nib:
        found = session.exec(select(Ikm.id).where(Ikm.nib == nib)).first()
        if found is not None:
            return found, "nib"
    found = session.exec(select(Ikm.id).where(Ikm.name_key == rules.name_key(name), Ikm.village_code == village_code,
                                              col(Ikm.nib).is_(None))).first()
    return (found, "name_village") if found is not None else None


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


def resubmit_product(session: Session, ikm_id: uuid.UUID, product_id: uuid.UUID) -> Product:
    """Send a product back to curation (after improvement, or when its approval expired): curation
    opens the next round for it."""
    ikm = _get_ikm(session, ikm_id)
    product = session.get(Product, product_id)
    if product is None or product.ikm_id != ikm.id:
        raise not_found("Produk", "Product")
    event = new_event("product.submitted", ProductSubmittedV1(
        ikm_id=ikm.id, sector=ikm.sector, product=_product_info(product)))
    add_event(session, event)
    session.add(TimelineEntry(
        ikm_id=ikm.id, event_id=event.event_id, event_type=event.event_type, occurred_at=event.occurred_at,
        summary=f"Produk diajukan ulang untuk kurasi: {product.name}.",
        summary_en=f"Product resubmitted for curation: {product.name}.",
        details={"product_id": str(product.id), "resubmission": True},
    ))
    return product


def _new_product(ikm_id: uuid.UUID, data: ProductCreate) -> Product:
    return Product(ikm_id=ikm_id, name=data.name, category=data.category, description=data.description,
                   price_idr=data.price_idr, monthly_capacity=data.monthly_capacity, created_at=utcnow())


def _product_info(p: Product) -> ProductInfo:
    return ProductInfo(product_id=p.id, name=p.name, category=p.category, price_idr=p.price_idr,
                       monthly_capacity=p.monthly_capacity, description=p.description)


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
    industry = rules.industry_class(ikm.workers, ikm.investment_idr)
    scale = rules.umkm_scale(ikm.investment_idr, ikm.annual_sales_idr)
    return IkmPublic(
        **IkmSummary.model_validate(ikm, from_attributes=True).model_dump(),
        owner=owner, local_label=ikm.local_label, kbli=ikm.kbli, kbli_version=ikm.kbli_version,
        business_form=ikm.business_form,
        address=ikm.address if full else rules.mask_address(ikm.address),
        investment_idr=ikm.investment_idr, annual_sales_idr=ikm.annual_sales_idr, koperasi_name=ikm.koperasi_name,
        registered_year=ikm.registered_year,
        industry_class_reason=SizeClassPublic(**vars(industry)),
        umkm_scale_reason=SizeClassPublic(**vars(scale)) if scale else None,
        needs=list(ikm.needs),
        needs_accessible_booth=ikm.needs_accessible_booth,
        certifications=[CertificationPublic.model_validate(c, from_attributes=True) for c in certs],
        products=[ProductPublic.model_validate(p, from_attributes=True) for p in products],
        timeline=[TimelineEntryPublic.model_validate(t, from_attributes=True) for t in timeline],
        created_at=ikm.created_at,
    )


# --- the timeline: folding other services' events -----------------------------------------------


def fold_into_timeline(session: Session, events: Sequence[tuple[Envelope, object]]) -> None:
    """Record events from curation or exhibitions as lines of their IKM's timeline: one lookup of
    the IKM the events name and one multi-row INSERT, however many events the batch holds."""
    described = [(envelope, describe_event(payload)) for envelope, payload in events]
    known = set(session.exec(select(Ikm.id).where(col(Ikm.id).in_(list({d[0] for _, d in described})))).all())
    # Events about an IKM this register does not hold (another region's deployment) are ignored.
    rows = [{"ikm_id": ikm_id, "event_id": envelope.event_id, "event_type": envelope.event_type,
             "occurred_at": envelope.occurred_at, "summary": summary, "summary_en": summary_en,
             "details": envelope.data}
            for envelope, (ikm_id, summary, summary_en) in described if ikm_id in known]
    insert_rows(session, TimelineEntry, rows)


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
        case CurationDecidedV1(expired=True):
            id_word, en_word = OUTCOME_WORDS[payload.outcome]
            return (payload.ikm_id, f"Masa berlaku hasil kurasi ({id_word}) sudah habis; produk perlu dikurasi ulang.",
                    f"The curation result ({en_word}) has expired; the product needs re-curation.")
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


# --- bulk imports ------------------------------------------------------------------------------


def create_import(session: Session, filename: str, content: bytes, parsed: ImportFile,
                  principal: Principal) -> ImportJob:
    """Queue a checked file; the importer works through it in the background."""
    now = utcnow()
    job = ImportJob(filename=filename[:255] or "import", file_format=parsed.file_format, content=content,
                    total=len(parsed.rows), created_by=principal.username, created_at=now, updated_at=now)
    session.add(job)
    return job


def sentra_ids_by_name(session: Session) -> dict[str, uuid.UUID]:
    """Sentra as an import file names them (case and spacing ignored)."""
    return {" ".join(name.lower().split()): sentra_id
            for sentra_id, name in session.exec(select(Sentra.id, Sentra.name)).all()}


@dataclass(frozen=True)
class RowOutcome:
    outcome: str  # accepted | duplicate | rejected
    ikm_id: uuid.UUID | None = None
    errors: tuple[FieldError, ...] = ()


def region_places(session: Session) -> Callable[[], Places]:
    """The regions an import resolves names against, read (with the villages admins added) when a row
    first writes a region by name, then kept for the chunk."""
    return functools.cache(lambda: Places(bps_regions(), [
        Region(code=a.code, parent_code=a.parent_code, name=a.name) for a in session.exec(select(RegionAddition))]))


def parse_row(values: dict[str, str], sentra_ids: dict[str, uuid.UUID], places: Callable[[], Places] | None = None,
              labels: dict[str, str] | None = None) -> IkmCreate | RowOutcome:
    """A row of an import read with the rules of POST /ikms: the IKM it describes, or its rejection."""
    values, problems = office_rows.normalise(values, places or (lambda: Places(bps_regions())))
    body, sentra_name = import_format.row_to_ikm(values)
    if sentra_name is not None:
        sentra_id = sentra_ids.get(" ".join(sentra_name.lower().split()))
        if sentra_id is None:
            problems.append(FieldError(field="sentra_id", message=f"Sentra {sentra_name!r} belum tercatat; "
                                       "catat sentranya dahulu atau kosongkan kolom ini.",
                                       message_en=f"Sentra {sentra_name!r} is not recorded; record it first or "
                                       "leave this column empty."))
        else:
            body["sentra_id"] = str(sentra_id)
    try:
        data = IkmCreate.model_validate(body)
    except ValidationError as exc:
        refused = {p.field for p in problems}  # a cell already explained is not explained twice
        errors = [e for e in validation_errors(exc.errors()) if import_format.column_of(e.field) not in refused]
        return RowOutcome("rejected", errors=tuple(problems + office_rows.with_values(errors, values, labels or {})))
    if problems:
        return RowOutcome("rejected", errors=tuple(problems))
    return data


def import_row(session: Session, values: dict[str, str], sentra_ids: dict[str, uuid.UUID],
               principal: Principal, places: Callable[[], Places] | None = None,
               labels: dict[str, str] | None = None) -> RowOutcome:
    """One row of an import: validated with the rules of POST /ikms, then registered (with its
    `ikm.registered` event, in a savepoint of the caller's transaction), skipped as a duplicate or
    rejected with its reasons. Nothing of a rejected row is written. The slow path that
    `import_rows` falls back to."""
    data = parse_row(values, sentra_ids, places or region_places(session), labels)
    if isinstance(data, RowOutcome):
        return data
    match = find_registered(session, data.nib, data.name, data.village_code)
    if match is not None:
        return RowOutcome("duplicate", ikm_id=match[0], errors=(_duplicate_reason(match[1]),))
    try:
        with session.begin_nested():
            ikm_id = register_ikm(session, data, principal)
    except ApiError as exc:
        return RowOutcome("rejected", errors=tuple(exc.body.errors) or (
            FieldError(field="row", message=exc.body.message, message_en=exc.body.message_en),))
    except IntegrityError:
        # Registered by someone else between the check and the insert (PostgreSQL; SQLite serialises).
        return RowOutcome("rejected", errors=(FieldError(
            field="nib", message="NIB ini baru saja didaftarkan oleh pengguna lain.",
            message_en="This NIB was just registered by another user."),))
    except DataError:
        # A value the database refuses that the checks let through: this row fails alone.
        return RowOutcome("rejected", errors=(FieldError(
            field="row", message="Basis data menolak salah satu nilai baris ini; periksa sel yang berisi karakter "
            "atau angka yang tidak biasa.", message_en="The database refused one of this row's values; check for "
            "cells with unusual characters or numbers."),))
    return RowOutcome("accepted", ikm_id=ikm_id)


def registered_matches(session: Session, candidates: list[IkmCreate]
                       ) -> tuple[dict[str, uuid.UUID], dict[tuple[str, str], uuid.UUID]]:
    """What `find_registered` would find for each candidate, in two queries: IKM by NIB, and IKM
    without NIB by (name key, village)."""
    nibs = {d.nib for d in candidates if d.nib}
    by_nib: dict[str, uuid.UUID] = {nib: ikm_id for nib, ikm_id in session.exec(
        select(Ikm.nib, Ikm.id).where(col(Ikm.nib).in_(nibs))) if nib} if nibs else {}
    if not candidates:
        return by_nib, {}
    keys = {rules.name_key(d.name) for d in candidates}
    villages = {d.village_code for d in candidates}
    by_name = {(key or "", village): ikm_id for ikm_id, key, village in session.exec(
        select(Ikm.id, Ikm.name_key, Ikm.village_code).where(
            col(Ikm.name_key).in_(keys), col(Ikm.village_code).in_(villages), col(Ikm.nib).is_(None)))}
    return by_nib, by_name


def import_rows(session: Session, rows: list[tuple[int, dict[str, str]]], sentra_ids: dict[str, uuid.UUID],
                principal: Principal, labels: dict[str, str] | None = None) -> list[tuple[int, RowOutcome]]:
    """A chunk of an import, with the outcome of each row exactly as `import_row` would give it, in
    a handful of queries instead of a dozen per row: regions and duplicates are looked up for the
    whole chunk, and the new IKM are inserted together in one savepoint. Should someone register
    one of the chunk's NIBs between the lookup and the insert, the savepoint is rolled back and the
    chunk goes row by row, as it does when the database refuses a value of one of them."""
    places = region_places(session)
    parsed = [(number, parse_row(values, sentra_ids, places, labels)) for number, values in rows]
    candidates = [data for _, data in parsed if isinstance(data, IkmCreate)]
    regions = find_regions(session, sorted({code for d in candidates
                                            for code in (d.regency_code, d.district_code, d.village_code)}))
    by_nib, by_name = registered_matches(session, candidates)
    known_sentra = _sentra_names(session, set(sentra_ids.values()))

    outcomes: list[tuple[int, RowOutcome]] = []
    registrations: list[Registration] = []
    try:
        with session.begin_nested():
            for number, data in parsed:
                if isinstance(data, RowOutcome):
                    outcomes.append((number, data))
                    continue
                problems = rules.region_problems(regions, data.regency_code, data.district_code, data.village_code)
                if data.sentra_id is not None and data.sentra_id not in known_sentra:
                    problems.append(FieldError(field="sentra_id", message="Sentra tidak ditemukan.",
                                               message_en="Sentra not found."))
                if problems:
                    outcomes.append((number, RowOutcome("rejected", errors=tuple(problems))))
                    continue
                key = (rules.name_key(data.name), data.village_code)
                if data.nib and data.nib in by_nib:
                    outcomes.append((number, RowOutcome("duplicate", ikm_id=by_nib[data.nib],
                                                        errors=(_duplicate_reason("nib"),))))
                    continue
                if key in by_name:
                    outcomes.append((number, RowOutcome("duplicate", ikm_id=by_name[key],
                                                        errors=(_duplicate_reason("name_village"),))))
                    continue
                registration = _registration(data, principal,
                                             known_sentra.get(data.sentra_id) if data.sentra_id else None)
                registrations.append(registration)
                if data.nib:
                    by_nib[data.nib] = registration.ikm_id
                else:
                    by_name[key] = registration.ikm_id
                outcomes.append((number, RowOutcome("accepted", ikm_id=registration.ikm_id)))
            _write_registrations(session, registrations)
    except (IntegrityError, DataError):
        return [(number, import_row(session, values, sentra_ids, principal, places, labels))
                for number, values in rows]
    return outcomes


def _duplicate_reason(matched_by: str) -> FieldError:
    if matched_by == "nib":
        return FieldError(field="nib", message="NIB ini sudah terdaftar; baris dilewati.",
                          message_en="This NIB is already registered; row skipped.")
    return FieldError(field="name", message="IKM dengan nama ini di desa yang sama sudah terdaftar; baris dilewati.",
                      message_en="An IKM of this name in the same village is already registered; row skipped.")


def record_row(session: Session, job: ImportJob, row_number: int, result: RowOutcome,
               labels: dict[str, str] | None = None) -> None:
    """Count a row on its import (and keep the reasons of one that was not accepted, naming the
    columns as the file does)."""
    job.processed += 1
    if result.outcome == "accepted":
        job.accepted += 1
        return
    if result.outcome == "duplicate":
        job.duplicates += 1
    else:
        job.rejected += 1
    session.add(ImportRow(import_id=job.id, row_number=row_number, outcome=result.outcome, ikm_id=result.ikm_id,
                          errors=import_format.row_errors(list(result.errors), labels)))


def import_public(session: Session, import_id: uuid.UUID, rows_offset: int = 0, rows_limit: int = 1000) -> ImportPublic:
    job = session.get(ImportJob, import_id)
    if job is None:
        raise not_found("Impor", "Import")

    def rows(outcome: str) -> list[ImportRowPublic]:
        found = session.exec(select(ImportRow).where(ImportRow.import_id == job.id, ImportRow.outcome == outcome)
                             .order_by(col(ImportRow.row_number)).offset(rows_offset).limit(rows_limit))
        return [ImportRowPublic(row=r.row_number, ikm_id=r.ikm_id,
                                errors=[FieldError.model_validate(e) for e in r.errors]) for r in found]

    return ImportPublic(
        id=job.id, filename=job.filename, file_format=job.file_format, status=job.status, total=job.total,
        processed=job.processed, accepted=job.accepted, duplicates=job.duplicates, rejected=job.rejected,
        error=job.error, error_en=job.error_en, created_by=job.created_by, created_at=job.created_at,
        finished_at=job.finished_at, rejected_rows=rows("rejected"), duplicate_rows=rows("duplicate"),
    )


def list_imports(session: Session, limit: int, offset: int) -> tuple[list[ImportSummary], int]:
    total = session.exec(select(func.count()).select_from(ImportJob)).one()
    jobs = session.exec(select(ImportJob).order_by(col(ImportJob.created_at).desc()).offset(offset).limit(limit))
    return [ImportSummary.model_validate(j, from_attributes=True) for j in jobs], total


# --- searching, exporting and counting the register ---------------------------------------------


@dataclass(frozen=True)
class IkmFilters:
    regency_code: str | None = None
    district_code: str | None = None
    village_code: str | None = None
    sector: str | None = None
    sentra_id: uuid.UUID | None = None
    q: str | None = None
    status: str | None = None
    certification: str | None = None
    need: str | None = None
    industry_class: str | None = None
    umkm_scale: str | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        out: list[ColumnElement[bool]] = []
        for column, value in ((Ikm.regency_code, self.regency_code), (Ikm.district_code, self.district_code),
                              (Ikm.village_code, self.village_code), (Ikm.sector, self.sector),
                              (Ikm.sentra_id, self.sentra_id), (Ikm.status, self.status),
                              (Ikm.industry_class, self.industry_class), (Ikm.umkm_scale, self.umkm_scale)):
            if value is not None:
                out.append(col(column) == value)
        if self.q:
            pattern = f"%{self.q.strip().lower()}%"
            out.append(or_(func.lower(Ikm.name).like(pattern), col(Ikm.nib) == self.q.strip()))
        if self.certification:
            out.append(col(Ikm.id).in_(select(Certification.ikm_id).where(Certification.kind == self.certification)))
        if self.need:
            # needs is a JSON list of codes; the quoted code is a substring of its text on SQLite and PostgreSQL.
            out.append(cast(Ikm.needs, String).like(f'%"{self.need}"%'))
        return out


def list_ikms(session: Session, filters: IkmFilters, limit: int, offset: int) -> tuple[list[IkmSummary], int]:
    conditions = filters.conditions()
    total = session.exec(select(func.count()).select_from(Ikm).where(*conditions)).one()
    rows = session.exec(select(Ikm).where(*conditions).order_by(col(Ikm.name), col(Ikm.id))
                        .offset(offset).limit(limit)).all()
    return [IkmSummary.model_validate(r, from_attributes=True) for r in rows], total


EXPORT_COLUMNS = ("id", "nib", "name", "owner_name", "owner_nik", "owner_phone", "sector", "local_label", "kbli",
                  "kbli_version", "business_form", "regency_code", "regency_name", "district_code", "district_name",
                  "village_code", "village_name", "address", "sentra_id", "workers", "investment_idr",
                  "annual_sales_idr", "industry_class", "umkm_scale", "koperasi_name", "status", "registered_year",
                  "needs", "certifications")


def export_ikms(session: Session, filters: IkmFilters, principal: Principal) -> Iterator[list[Cell]]:
    """Rows of the CSV export of a filtered list: personal data masked unless the caller may see it.
    Counts and amounts are ints, so that the writer keeps them numbers (None is an empty cell)."""
    full = rules.may_see_personal_data(principal)
    index = bps_regions()
    yield list(EXPORT_COLUMNS)
    query = select(Ikm).where(*filters.conditions()).order_by(col(Ikm.name), col(Ikm.id))
    for start in itertools.count(0, 1000):
        batch = session.exec(query.offset(start).limit(1000)).all()
        if not batch:
            return
        certs: dict[uuid.UUID, list[str]] = {}
        for c in session.exec(select(Certification).where(col(Certification.ikm_id).in_([i.id for i in batch]))):
            certs.setdefault(c.ikm_id, []).append(f"{c.kind}:{c.number}")
        for ikm in batch:
            names = [r.name if (r := index.get(code)) else "" for code in
                     (ikm.regency_code, ikm.district_code, ikm.village_code)]
            yield [str(ikm.id), ikm.nib or "", ikm.name, ikm.owner_name,
                   ikm.owner_nik if full else rules.mask_nik(ikm.owner_nik),
                   (ikm.owner_phone if full else rules.mask_phone(ikm.owner_phone)) or "",
                   ikm.sector, ikm.local_label or "", ikm.kbli or "", ikm.kbli_version or "", ikm.business_form or "",
                   ikm.regency_code, names[0], ikm.district_code, names[1], ikm.village_code, names[2],
                   (ikm.address if full else rules.mask_address(ikm.address)) or "",
                   str(ikm.sentra_id or ""), ikm.workers, ikm.investment_idr,
                   ikm.annual_sales_idr, ikm.industry_class or "", ikm.umkm_scale or "",
                   ikm.koperasi_name or "", ikm.status, ikm.registered_year, "|".join(ikm.needs),
                   "|".join(certs.get(ikm.id, []))]


COUNTED_STATUSES = ("active", "inactive")


def mapping_stats(session: Session, competency_target: float, regency_code: str | None = None) -> MappingStats:
    """The mapping dashboard: where the IKM are, how many work in them, sentra, certification, growth."""
    index = bps_regions()
    scope: list[ColumnElement[bool]] = [col(Ikm.regency_code) == regency_code] if regency_code else []
    counted = [*scope, col(Ikm.status).in_(COUNTED_STATUSES)]
    ikm_count, workers = func.count(), func.coalesce(func.sum(Ikm.workers), 0)

    def name_of(code: str) -> str:
        region = index.get(code)
        if region is not None:
            return region.name
        added = session.get(RegionAddition, code)
        return added.name if added else code

    def areas(column: Any) -> list[AreaCount]:
        rows = session.exec(select(column, ikm_count, workers).where(*counted).group_by(column).order_by(column))
        return [AreaCount(code=c, name=name_of(c), ikm=n, workers=w) for c, n, w in rows]

    total, total_workers = session.exec(select(ikm_count, workers).select_from(Ikm).where(*counted)).one()
    by_status = {s: n for s, n in session.exec(select(Ikm.status, ikm_count).where(*scope).group_by(Ikm.status))}
    by_regency_sector = [
        RegencySectorCount(regency_code=r, regency_name=name_of(r), sector=s, ikm=n, workers=w)
        for r, s, n, w in session.exec(select(Ikm.regency_code, Ikm.sector, ikm_count, workers).where(*counted)
                                       .group_by(Ikm.regency_code, Ikm.sector).order_by(Ikm.regency_code, Ikm.sector))
    ]

    members: dict[uuid.UUID, list[tuple[int, list[str]]]] = {}
    for sentra_id, w, needs in session.exec(select(Ikm.sentra_id, Ikm.workers, Ikm.needs)
                                            .where(*counted, col(Ikm.sentra_id).is_not(None))):
        if sentra_id is not None:
            members.setdefault(sentra_id, []).append((w, list(needs)))
    sentra_rows = session.exec(select(Sentra).where(*([col(Sentra.regency_code) == regency_code] if regency_code
                                                      else [])).order_by(col(Sentra.name)))
    by_sentra = []
    for sentra in sentra_rows:
        group = members.get(sentra.id, [])
        need_counts = Counter(n for _, needs in group for n in needs)
        by_sentra.append(SentraCount(sentra_id=sentra.id, name=sentra.name, kind=sentra.kind, ikm=len(group),
                                     workers=sum(w for w, _ in group),
                                     below_minimum=rules.sentra_below_minimum(len(group)),
                                     needs=dict(sorted(need_counts.items()))))

    def classes(column: Any) -> dict[str, int]:
        return {str(c): n for c, n in session.exec(select(column, ikm_count).where(*counted, col(column).is_not(None))
                                                   .group_by(column))}

    by_kind = {k: n for k, n in session.exec(
        select(Certification.kind, func.count(func.distinct(Certification.ikm_id)))
        .join(Ikm, col(Ikm.id) == col(Certification.ikm_id)).where(*counted).group_by(Certification.kind))}
    competency = by_kind.get("competency", 0)
    target_count = math.ceil(competency_target * total - 1e-9)

    year_of = func.coalesce(Ikm.registered_year, 0)
    years = session.exec(select(year_of, ikm_count).where(*counted).group_by(year_of).order_by(year_of))
    growth: list[YearCount] = []
    cumulative = 0
    for year, n in years:
        before = cumulative
        cumulative += n
        growth.append(YearCount(year=year, registered=n, cumulative=cumulative,
                                growth_pct=round(100 * n / before, 1) if before else None))

    return MappingStats(
        total_ikm=total, workers=total_workers, by_status=by_status,
        by_regency=areas(Ikm.regency_code), by_regency_sector=by_regency_sector,
        by_district=areas(Ikm.district_code), by_village=areas(Ikm.village_code), by_sentra=by_sentra,
        by_industry_class=classes(Ikm.industry_class), by_umkm_scale=classes(Ikm.umkm_scale),
        certification=CertificationProgress(
            by_kind=dict(sorted(by_kind.items())), competency_certified=competency,
            competency_share=round(competency / total, 4) if total else 0.0, competency_target=competency_target,
            competency_gap=max(0, target_count - competency)),
        growth=growth,
    )
