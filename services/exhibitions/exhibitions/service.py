"""Exhibitions service logic: fairs, floor plans, applications from events, placement and the waitlist.

Placement of a fair's booths is serialised by locking the fair's row (PostgreSQL) or by SQLite's
single writer; the unique `application.booth_id` is the last line of defence."""

from __future__ import annotations

import hashlib
import io
import secrets
import threading
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from exhibitions import allocation, exhibitor_pdf, floorplan, rules
from exhibitions.schemas import (
    AllocationPublic,
    AllocationResultPublic,
    AllocationRunPublic,
    ApplicationPublic,
    BoothCreate,
    BoothPublic,
    CheckinDayPublic,
    CheckinPublic,
    CheckinsPublic,
    EffectiveCountsPublic,
    ExhibitionCreate,
    ExhibitionPublic,
    PreferenceRequest,
    RuleProblemPublic,
)
from exhibitions.shares import effective_counts
from exhibitions.tables import (
    AllocationResult,
    AllocationRun,
    Application,
    Booth,
    Checkin,
    Exhibition,
    ExhibitorHistory,
    IkmProfile,
    ProductCuration,
)
from shared.auth import Principal
from shared.bounds import fits_db_int
from shared.csvfile import CsvWriter
from shared.db import insert_rows
from shared.errors import ApiError, FieldError, invalid, not_found
from shared.events import (
    BoothAllocatedV1,
    BoothReleasedV1,
    CurationDecidedV1,
    Envelope,
    IkmRegisteredV1,
    IkmUpdatedV1,
    WaitlistedV1,
    new_event,
    utcnow,
)
from shared.ids import new_id
from shared.outbox import OutboxEvent, add_event, outbox_values

APPROVED = ("approved", "approved_with_conditions")
PENDING = "pending"  # a ProductCuration row for a product curation has not decided yet


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
    booths = session.exec(select(func.count()).select_from(Booth).where(Booth.exhibition_id == fair.id,
                                                                          col(Booth.active))).one()
    counts = effective_counts(booths, fair.regency_min_share, fair.regency_max_share, fair.newcomer_share)
    return ExhibitionPublic(**fair.model_dump(exclude={"created_by", "created_at"}), booths=booths,
                            effective=EffectiveCountsPublic(**asdict(counts), sentra_cap=fair.sentra_cap))


def add_booths(session: Session, exhibition_id: uuid.UUID, booths: list[BoothCreate],
               lines: list[int] | None = None) -> list[Booth]:
    """Add a floor plan in bulk; one bad or duplicate code rejects the whole request. `lines` names each
    booth's row in an uploaded file, for the error messages (else its index in the request)."""
    fair = get_exhibition(session, exhibition_id, lock=True)
    existing = set(session.exec(select(Booth.code).where(Booth.exhibition_id == fair.id)).all())
    problems: list[FieldError] = []
    seen: set[str] = set()
    for i, booth in enumerate(booths):
        if booth.code in existing or booth.code in seen:
            where, where_en = (f"Baris {lines[i]}: ", f"Row {lines[i]}: ") if lines else ("", "")
            problems.append(FieldError(field=f"{lines[i] if lines else i}.code",
                                       message=f"{where}Kode stan {booth.code} sudah ada.",
                                       message_en=f"{where_en}Booth code {booth.code} already exists."))
        seen.add(booth.code)
    if problems:
        raise ApiError(409, "conflict", "Kode stan ganda.", "Duplicate booth codes.", problems)
    rows = [Booth(exhibition_id=fair.id, **b.model_dump()) for b in booths]
    session.add_all(rows)
    session.flush()
    fill_from_waitlist(session, fair, None)
    return rows


def list_booths(session: Session, fair: Exhibition, include_inactive: bool) -> list[BoothPublic]:
    """The floor plan by code; booths replaced by combining or splitting only when asked for."""
    query = select(Booth).where(Booth.exhibition_id == fair.id)
    if not include_inactive:
        query = query.where(col(Booth.active))
    booths = session.exec(query.order_by(col(Booth.code))).all()
    code_of = {booth_id: code for booth_id, code in
               session.exec(select(Booth.id, Booth.code).where(Booth.exhibition_id == fair.id)).all()
               if booth_id is not None}
    return [_public(b, code_of) for b in booths]


def booth_public(session: Session, booth: Booth) -> BoothPublic:
    whole = session.get(Booth, booth.part_of_id) if booth.part_of_id is not None else None
    return _public(booth, {whole.id: whole.code} if whole is not None and whole.id is not None else {})


def _public(booth: Booth, code_of: dict[int, str]) -> BoothPublic:
    part_of = code_of.get(booth.part_of_id) if booth.part_of_id is not None else None
    return BoothPublic.model_validate({**booth.model_dump(), "part_of": part_of})


def _plot(booth: Booth) -> rules.Plot:
    return rules.Plot(code=booth.code, hall=booth.hall, zone=booth.zone, x=booth.x, y=booth.y,
                      width_m=booth.width_m, depth_m=booth.depth_m)


def _held_codes(session: Session, booths: list[Booth]) -> set[str]:
    ids = [b.id for b in booths]
    held = set(session.exec(select(Application.booth_id).where(col(Application.booth_id).in_(ids))).all())
    return {b.code for b in booths if b.id in held}


def combine_booths(session: Session, fair: Exhibition, codes: list[str], code: str) -> Booth:
    """Free booths side by side in one hall and zone become one booth `code`: the parts stay, inactive,
    so that a split gives them back. Combining the parts of a split booth under its code restores it."""
    parts = [_booth_in_request(session, fair, c, f"codes.{i}") for i, c in enumerate(codes)]
    held = _held_codes(session, parts)
    if held:
        raise ApiError(409, "conflict", "Stan yang sedang ditempati tidak dapat digabung; lepaskan atau pindahkan "
                       "pemegangnya dulu.", "Booths that are held cannot be combined; release or move their holders "
                       "first.", [FieldError(field=f"codes.{i}", message=f"Stan {c} sedang ditempati.",
                                             message_en=f"Booth {c} is held.")
                                  for i, c in enumerate(codes) if c in held])
    problem = rules.combine_problem([_plot(b) for b in parts], [b.kind for b in parts])
    if problem is not None:
        raise invalid("codes", *problem)
    if not all(fits_db_int(sum(amounts)) for amounts in ([b.power_w for b in parts], [b.price_idr for b in parts])):
        raise invalid("codes", "Daya atau harga stan gabungan terlalu besar untuk dicatat.",
                      "The combined booth's power or price is too large to record.")
    if code in codes:
        raise invalid("code", "Stan gabungan perlu kode baru: kode stan-stan asal disimpan untuk dipecah kembali.",
                      "The combined booth needs a new code: the booths' own codes are kept for a later split.")
    whole = session.exec(select(Booth).where(Booth.exhibition_id == fair.id, Booth.code == code)).first()
    if whole is not None:
        pieces = set(session.exec(select(Booth.id).where(Booth.part_of_id == whole.id)).all())
        if whole.active or pieces != {b.id for b in parts}:
            raise ApiError(409, "conflict", f"Kode stan {code} sudah dipakai di pameran ini.",
                           f"Booth code {code} is already used at this fair.",
                           [FieldError(field="code", message="Kode sudah dipakai.", message_en="Code in use.")])
        whole.active = True  # these are the parts it was split into: it comes back as it was
    else:
        area = rules.side_by_side([_plot(b) for b in parts])
        kind = rules.combined_kind([b.kind for b in parts])
        assert area is not None and kind is not None  # combine_problem checked both
        x, y, width, depth = area
        whole = Booth(exhibition_id=fair.id, code=code, hall=parts[0].hall, zone=parts[0].zone,
                      sectors=rules.combined_sectors([b.sectors for b in parts]), width_m=width, depth_m=depth, x=x,
                      y=y, kind=kind, accessible=any(b.accessible for b in parts),
                      power_w=sum(b.power_w for b in parts), price_idr=sum(b.price_idr for b in parts))
    session.add(whole)
    session.flush()
    for b in parts:
        b.active, b.part_of_id = False, whole.id
        session.add(b)
    session.flush()
    fill_from_waitlist(session, fair, None)  # the combined booth may take sectors a part did not
    return whole


def split_booth(session: Session, fair: Exhibition, code: str, parts: int | None,
                codes: list[str] | None) -> list[Booth]:
    """A free booth becomes several: the booths it was combined from when it was (and no other split is
    asked for), else `parts` booths of equal width along its row. The booth stays, inactive."""
    whole = _booth_by_code(session, fair, code)
    if _held_codes(session, [whole]):
        raise ApiError(409, "conflict", f"Stan {code} sedang ditempati; lepaskan atau pindahkan pemegangnya dulu.",
                       f"Booth {code} is held; release or move its holder first.")
    pieces = list(session.exec(select(Booth).where(Booth.part_of_id == whole.id)
                               .order_by(col(Booth.x), col(Booth.y), col(Booth.code))).all())
    if pieces and parts in (None, len(pieces)) and (codes is None or set(codes) == {p.code for p in pieces}):
        for p in pieces:
            p.active = True
            session.add(p)
        made = pieces
    else:
        made = _new_parts(session, fair, whole, pieces, parts, codes)
    whole.active = False
    session.add(whole)
    session.flush()
    fill_from_waitlist(session, fair, None)  # more booths: someone waiting may fit one
    return made


def _new_parts(session: Session, fair: Exhibition, whole: Booth, old_pieces: list[Booth], parts: int | None,
               codes: list[str] | None) -> list[Booth]:
    count = parts or (len(codes) if codes else 0)
    if count == 0:
        raise invalid("parts", f"Stan {whole.code} bukan hasil penggabungan: sebutkan jumlah bagian (parts) atau "
                      "kode bagian-bagiannya (codes).", f"Booth {whole.code} was not made by combining booths: give "
                      "the number of parts (parts) or their codes (codes).")
    problem = rules.split_problem(whole.code, whole.width_m, count)
    if problem is not None:
        raise invalid("parts", *problem)
    new_codes = codes or rules.part_codes(whole.code, count)
    if codes is None and max(len(c) for c in new_codes) > 20:
        raise invalid("codes", f"Kode {new_codes[0]} terlalu panjang (paling banyak 20 karakter); sebutkan "
                      "kode bagian-bagiannya (codes).", f"Code {new_codes[0]} is too long (at most 20 characters); "
                      "give the parts' codes (codes).")
    taken = set(session.exec(select(Booth.code).where(Booth.exhibition_id == fair.id,
                                                      col(Booth.code).in_(new_codes))).all())
    if taken:
        raise ApiError(409, "conflict", "Kode bagian sudah dipakai di pameran ini.",
                       "A part's code is already used at this fair.",
                       [FieldError(field=f"codes.{i}", message=f"Kode stan {c} sudah dipakai.",
                                   message_en=f"Booth code {c} is already used.")
                        for i, c in enumerate(new_codes) if c in taken])
    for p in old_pieces:  # an earlier split is forgotten: a booth has one set of parts at a time
        p.part_of_id = None
        session.add(p)
    others = session.exec(select(Booth).where(Booth.exhibition_id == fair.id, col(Booth.active),
                                              Booth.hall == whole.hall, Booth.id != whole.id)).all()
    open_left, open_right = rules.open_ends(_plot(whole), [_plot(b) for b in others])
    kinds = rules.part_kinds(whole.kind, count, open_left, open_right)
    widths = rules.split_widths(whole.width_m, count)
    power, price = rules.split_amount(whole.power_w, count), rules.split_amount(whole.price_idr, count)
    made: list[Booth] = []
    x = whole.x
    for i, part_code in enumerate(new_codes):
        made.append(Booth(exhibition_id=fair.id, code=part_code, hall=whole.hall, zone=whole.zone,
                          sectors=list(whole.sectors), width_m=widths[i], depth_m=whole.depth_m, x=round(x, 2),
                          y=whole.y, kind=kinds[i], accessible=whole.accessible, power_w=power[i],
                          price_idr=price[i], part_of_id=whole.id))
        x += widths[i]
    session.add_all(made)
    session.flush()
    return made


# --- applications from events -----------------------------------------------------------------


def on_ikm_registered(session: Session, envelope: Envelope, payload: IkmRegisteredV1, today: date) -> None:
    """One `ikm.registered` (see `on_ikm_registrations`), judged on `today`."""
    on_ikm_registrations(session, [(envelope, payload)], today=today)


def on_ikm_registrations(session: Session, events: Sequence[tuple[Envelope, IkmRegisteredV1]],
                         today: date | None = None) -> None:
    """Enter each registered IKM into every open fair it is eligible for, and place it at once where
    curation is not required, in the events' order. Eligibility is judged on the day the IKM
    registered (`today` overrides it): a consumer that was down over an application deadline must
    not turn the IKM away.

    A batch costs a handful of queries and multi-row INSERTs (ADR 0013): profiles, products and
    existing applications are read once; fairs without curation place the batch in memory
    (`BatchPlacement`); curated fairs hold the applications until a decision (`place` then)."""
    if not events:
        return
    session.info.setdefault(HANDLER_MEMO, {})
    ikm_ids = list({p.ikm_id for _, p in events})
    profiles = {p.ikm_id: p for p in session.exec(select(IkmProfile).where(col(IkmProfile.ikm_id).in_(ikm_ids)))}
    new_profiles: list[dict[str, Any]] = []
    applicants: dict[uuid.UUID, rules.Applicant] = {i: _applicant(p) for i, p in profiles.items()}
    for envelope, p in events:
        if p.ikm_id not in applicants:
            row = {"ikm_id": p.ikm_id, "name": p.name, "sector": p.sector, "regency_code": p.regency_code,
                   "sentra_id": p.sentra_id, "needs_accessible_booth": p.needs_accessible_booth,
                   "registered_at": envelope.occurred_at}
            new_profiles.append(row)
            applicants[p.ikm_id] = rules.Applicant(ikm_id=p.ikm_id, sector=p.sector, regency_code=p.regency_code,
                                                   sentra_id=p.sentra_id,
                                                   needs_accessible_booth=p.needs_accessible_booth)
    insert_rows(session, IkmProfile, new_profiles)
    # Undecided until curation says otherwise.
    product_ids = list({product.product_id for _, p in events for product in p.products})
    known = set(session.exec(select(ProductCuration.product_id)
                             .where(col(ProductCuration.product_id).in_(product_ids))).all())
    pending: dict[uuid.UUID, dict[str, Any]] = {}
    for envelope, p in events:
        for product in p.products:
            if product.product_id not in known and product.product_id not in pending:
                pending[product.product_id] = {"product_id": product.product_id, "ikm_id": p.ikm_id,
                                               "outcome": PENDING, "expired": False,
                                               "decided_at": envelope.occurred_at}
    insert_rows(session, ProductCuration, list(pending.values()))

    days = {envelope.event_id: today or envelope.occurred_at.date() for envelope, _ in events}
    fairs = session.exec(select(Exhibition).where(Exhibition.status == "open",
                                                  col(Exhibition.application_deadline) >= min(days.values()))
                         .order_by(col(Exhibition.created_at))).all()
    if not fairs:
        return
    applied = set(session.exec(select(Application.exhibition_id, Application.ikm_id)
                               .where(col(Application.ikm_id).in_(ikm_ids))).all())
    fair_rules = {fair.id: _fair_rules(session, fair) for fair in fairs}
    batches: dict[uuid.UUID, BatchPlacement] = {}
    for envelope, p in events:
        applicant = applicants[p.ikm_id]
        for fair in fairs:
            if (fair.id, p.ikm_id) in applied or rules.eligibility_problem(
                    fair_rules[fair.id], applicant, days[envelope.event_id]) is not None:
                continue
            applied.add((fair.id, p.ikm_id))
            if not fair.requires_curation:
                if fair.id not in batches:
                    batches[fair.id] = BatchPlacement.start(session, fair, ikm_ids)
                batches[fair.id].place(applicant, envelope)
                continue
            now = utcnow()
            application = Application(exhibition_id=fair.id, ikm_id=p.ikm_id, status="pending_curation",
                                      reason="Menunggu hasil kurasi produk.",
                                      reason_en="Waiting for product curation.", applied_at=now, updated_at=now)
            session.add(application)
            session.flush()
            # A curated fair takes it at once if a decision already arrived (streams are not ordered).
            if curation_standing(session, p.ikm_id)[0]:
                place(session, get_exhibition(session, fair.id, lock=True), application, envelope)
    for batch in batches.values():
        batch.write(session)


@dataclass
class BatchPlacement:
    """Placement of a consumer batch's new applications to one fair, in memory: the same decisions
    as `place` makes one application at a time (the first free booth its rules allow, else the
    waitlist), with the fair's free booths, quota counts, newcomer counts and last waitlist rank read
    once when the batch starts and kept up to date by its own placements. The fair's row is locked
    for the rest of the transaction, as `place` would, so organisers' requests wait for the batch."""

    fair: Exhibition
    fair_rules: rules.FairRules
    free: list[rules.BoothSlot]
    in_regency: Counter[str] | None
    in_sentra: Counter[uuid.UUID] | None
    veterans: set[uuid.UUID]  # of the batch's IKM, those who exhibited at the organiser's other fairs
    newcomers: Counter[str]  # newcomers' applications to the fair, allocated and waitlisted
    last_rank: int
    sectors_on_plan: frozenset[str] | None  # for the waitlist's reason (`rules.no_free_booth_reason`)
    rows: list[dict[str, Any]]  # applications to insert
    events: list[dict[str, Any]]  # their outbox rows

    @classmethod
    def start(cls, session: Session, fair: Exhibition, ikm_ids: list[uuid.UUID]) -> BatchPlacement:
        fair = get_exhibition(session, fair.id, lock=True)
        fair_rules = _fair_rules(session, fair)
        allocated = (select(IkmProfile.regency_code, func.count()).select_from(Application)
                     .join(IkmProfile, col(Application.ikm_id) == col(IkmProfile.ikm_id))
                     .where(Application.exhibition_id == fair.id, Application.status == "allocated"))
        in_regency = Counter(dict(session.exec(allocated.group_by(col(IkmProfile.regency_code))).all())) \
            if fair_rules.regency_max_share < 1 else None
        in_sentra = Counter({k: v for k, v in session.execute(
            allocated.with_only_columns(col(IkmProfile.sentra_id), func.count())
            .group_by(col(IkmProfile.sentra_id))).all() if k is not None}) \
            if fair_rules.sentra_cap is not None else None
        veterans: set[uuid.UUID] = set()
        newcomers: Counter[str] = Counter()
        if fair.newcomer_share > 0:
            history = _veterans_query(fair)
            veterans = set(session.exec(history.where(col(ExhibitorHistory.ikm_id).in_(ikm_ids))).all())
            newcomers.update(dict(session.exec(
                select(Application.status, func.count()).where(
                    Application.exhibition_id == fair.id, col(Application.ikm_id).not_in(history),
                    col(Application.status).in_(("allocated", "waitlisted")))
                .group_by(col(Application.status))).all()))
        last_rank = session.exec(select(func.max(Application.waitlist_rank)).where(
            Application.exhibition_id == fair.id, Application.status == "waitlisted")).one() or 0
        return cls(fair, fair_rules, _free_booths(session, fair), in_regency, in_sentra, veterans, newcomers,
                   last_rank, _sectors_on_plan(session, fair), [], [])

    def place(self, applicant: rules.Applicant, causation: Envelope | None) -> None:
        problem = rules.quota_problem(
            self.fair_rules, applicant,
            self.in_regency[applicant.regency_code] if self.in_regency is not None else 0,
            self.in_sentra[applicant.sentra_id] if self.in_sentra is not None and applicant.sentra_id else 0)
        booth = None if problem else rules.first_free_booth(self.free, applicant, ordered=True)
        newcomer = applicant.ikm_id not in self.veterans
        if problem is None and booth is None:
            problem = rules.no_free_booth_reason(applicant.sector, self.sectors_on_plan)
        if problem is None and self.fair.newcomer_share > 0:
            problem = rules.newcomer_reserve_problem(self.fair_rules, newcomer, len(self.free),
                                                     self.newcomers["allocated"], self.newcomers["waitlisted"])
            booth = None if problem else booth
        now = utcnow()
        row: dict[str, Any] = {"id": new_id(), "exhibition_id": self.fair.id, "ikm_id": applicant.ikm_id,
                               "booth_id": None, "waitlist_rank": None, "locked": False, "preferred_zones": None,
                               "confirm_by": None, "confirmed_at": None, "applied_at": now, "updated_at": now}
        if booth is not None:
            self.free.remove(booth)
            if self.in_regency is not None:
                self.in_regency[applicant.regency_code] += 1
            if self.in_sentra is not None and applicant.sentra_id is not None:
                self.in_sentra[applicant.sentra_id] += 1
            self.newcomers["allocated"] += newcomer
            reason, reason_en = _allocated_reason(booth, applicant.sector, ())
            row.update(status="allocated", booth_id=booth.booth_id, reason=reason, reason_en=reason_en,
                       confirm_by=_confirm_by(self.fair, now, None))
            event = new_event("exhibition.booth_allocated", BoothAllocatedV1(
                exhibition_id=self.fair.id, exhibition_name=self.fair.name, ikm_id=applicant.ikm_id,
                booth_code=booth.code, reason=reason), causation=causation)
        else:
            self.last_rank += 1
            self.newcomers["waitlisted"] += newcomer
            reason, reason_en = problem or rules.no_free_booth_reason(applicant.sector, self.sectors_on_plan)
            row.update(status="waitlisted", waitlist_rank=self.last_rank, reason=reason, reason_en=reason_en)
            event = new_event("exhibition.waitlisted", WaitlistedV1(
                exhibition_id=self.fair.id, exhibition_name=self.fair.name, ikm_id=applicant.ikm_id,
                waitlist_rank=self.last_rank, reason=reason), causation=causation)
        self.rows.append(row)
        self.events.append(outbox_values(event))

    def write(self, session: Session) -> None:
        insert_rows(session, Application, self.rows)
        insert_rows(session, OutboxEvent, self.events)
        self.rows, self.events = [], []


_NO_FREE_BOOTH = ("", "")  # `_try_allocate` found no free booth for the sector


def _sectors_on_plan(session: Session, fair: Exhibition) -> frozenset[str] | None:
    """The sectors the fair's active booths take; None when one takes any sector."""
    lists = session.exec(select(Booth.sectors).where(Booth.exhibition_id == fair.id, col(Booth.active))).all()
    if any(not sectors for sectors in lists):
        return None
    return frozenset(s for sectors in lists for s in sectors)


def _allocated_reason(booth: rules.BoothSlot, sector: str, preferred_zones: Sequence[str]) -> tuple[str, str]:
    reason = f"Stan {booth.code}: stan bebas pertama di zona yang menerima sektor {sector}."
    reason_en = f"Booth {booth.code}: the first free booth in a zone that takes {sector}."
    if booth.zone and booth.zone in preferred_zones:
        reason += f" Zona {booth.zone} sesuai pilihan Anda."
        reason_en += f" Zone {booth.zone} as you asked."
    return reason, reason_en


class IkmNotKnownYet(RuntimeError):
    """An `ikm.updated` that overtook its `ikm.registered` (two streams, no order between them): the
    entry stays pending and is retried, by then the registration is in; after the retries it is
    dead-lettered with this message and can be replayed."""


# Fields of `ikm.updated` that exhibitions keeps on its profile of the IKM.
PROFILE_FIELDS = ("name", "sector", "regency_code", "sentra_id", "needs_accessible_booth")


def on_ikm_updated(session: Session, envelope: Envelope, payload: IkmUpdatedV1) -> None:
    """`ikm.updated`: the profile follows the register, so later placements and allocation runs judge
    the IKM as it is now (its sector's zones, its regency's share, its sentra's cap). A booth it
    already holds is kept: moving it is the organiser's call (a run, a move or a release)."""
    profile = session.get(IkmProfile, payload.ikm_id)
    if profile is None:
        raise IkmNotKnownYet(f"ikm.updated for IKM {payload.ikm_id} arrived before its ikm.registered")
    if profile.updated_at is not None and profile.updated_at >= envelope.occurred_at:
        return  # an older change arriving late changes nothing
    current = {"sector": payload.sector, "regency_code": payload.regency_code, "sentra_id": payload.sentra_id}
    current.update({k: v for k, v in payload.changed.items() if k in ("name", "needs_accessible_booth")})
    for name in PROFILE_FIELDS:
        if name in current:
            setattr(profile, name, current[name])
    profile.updated_at = envelope.occurred_at
    session.add(profile)


def on_curation_decided(session: Session, envelope: Envelope, payload: CurationDecidedV1) -> None:
    """Record the product's decision, then move the IKM's applications to curated fairs: placed while
    at least one of its products holds a standing approval, declined (booth released, waitlist moving
    up) once none does: a rejection, or an approval that expired."""
    session.info.setdefault(HANDLER_MEMO, {})
    record = session.get(ProductCuration, payload.product_id)
    if record is not None and record.outcome != PENDING and record.decided_at > envelope.occurred_at:
        return  # an older decision arriving late changes nothing
    if record is None:
        record = ProductCuration(product_id=payload.product_id, ikm_id=payload.ikm_id, outcome=payload.outcome,
                                 expired=payload.expired, decided_at=envelope.occurred_at)
    else:
        record.outcome, record.expired, record.decided_at = payload.outcome, payload.expired, envelope.occurred_at
    session.add(record)
    session.flush()
    profile = session.get(IkmProfile, payload.ikm_id)
    if profile is not None and payload.outcome in APPROVED and not payload.expired and payload.grade is not None \
            and (profile.curation_grade is None or payload.grade < profile.curation_grade):
        profile.curation_grade = payload.grade  # the best approved grade ("A" < "B")
        session.add(profile)
    approved, undecided = curation_standing(session, payload.ikm_id)
    applications = session.exec(select(Application).where(
        Application.ikm_id == payload.ikm_id, col(Application.status).in_(("pending_curation", "allocated",
                                                                            "waitlisted")))).all()
    for application in applications:
        fair = get_exhibition(session, application.exhibition_id, lock=True)
        if not fair.requires_curation:
            continue
        if approved:
            if application.status == "pending_curation":
                place(session, fair, application, envelope)
        elif undecided:
            continue  # another product is still under review: it may yet be approved
        elif payload.expired:
            decline(session, fair, application, envelope,
                    "Masa berlaku hasil kurasi produk sudah habis.", "The product's curation approval expired.")
        else:
            decline(session, fair, application, envelope,
                    "Produk tidak lolos kurasi.", "The product did not pass curation.")


def curation_standing(session: Session, ikm_id: uuid.UUID) -> tuple[bool, bool]:
    """(an approval stands, a product is still undecided) over the IKM's known products."""
    rows = session.exec(select(ProductCuration).where(ProductCuration.ikm_id == ikm_id)).all()
    return any(rules.approval_stands(r.outcome, r.expired) for r in rows), any(r.outcome == PENDING for r in rows)


# --- placement ----------------------------------------------------------------------------------


def place(session: Session, fair: Exhibition, application: Application, causation: Envelope | None) -> None:
    """Give the application the first free booth its rules allow, else put it on the waitlist."""
    profile = session.get(IkmProfile, application.ikm_id)
    assert profile is not None
    problem = _try_allocate(session, fair, application, profile, causation)
    if problem is None:
        return
    if problem is _NO_FREE_BOOTH:
        problem = rules.no_free_booth_reason(profile.sector, _sectors_on_plan(session, fair))
    reason, reason_en = problem
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
                  causation: Envelope | None) -> tuple[str, str] | None:
    """Allocate the first free booth the rules allow; else the rule that decided, checked in the order
    placement applies them (the regency maximum and sentra cap, a free booth for the sector, the
    newcomer reserve), so that the waitlist's reason is the one that held."""
    blocking = _blocking_rule(session, fair, profile)
    if blocking is not None:
        return blocking
    free = _free_booths(session, fair)
    booth = rules.first_free_booth(free, _applicant(profile), application.preferred_zones or (), ordered=True)
    if booth is None:
        return _NO_FREE_BOOTH  # worded by `place` only: the waitlist's refill does not need the words
    reserve = _newcomer_reserve(session, fair, application, len(free))
    if reserve is not None:
        return reserve
    application.status = "allocated"
    application.booth_id = booth.booth_id
    _took_booth(session, fair, booth)
    application.waitlist_rank = None
    application.confirm_by, application.confirmed_at = _confirm_by(fair, utcnow(), None), None
    application.reason, application.reason_en = _allocated_reason(booth, profile.sector,
                                                                  application.preferred_zones or ())
    application.updated_at = utcnow()
    session.add(application)
    session.flush()
    add_event(session, new_event("exhibition.booth_allocated", BoothAllocatedV1(
        exhibition_id=fair.id, exhibition_name=fair.name, ikm_id=application.ikm_id, booth_code=booth.code,
        reason=application.reason), causation=causation))
    return None


def _blocking_rule(session: Session, fair: Exhibition, profile: IkmProfile) -> tuple[str, str] | None:
    # Counted in SQL, and only for the rules the fair has: this runs for every placement, and
    # counting all allocated rows in Python made placement quadratic in a fair's size (bench/chain.py).
    fair_rules = _fair_rules(session, fair)
    allocated = (select(func.count()).select_from(Application)
                 .join(IkmProfile, col(Application.ikm_id) == col(IkmProfile.ikm_id))
                 .where(Application.exhibition_id == fair.id, Application.status == "allocated"))
    in_regency = session.exec(allocated.where(IkmProfile.regency_code == profile.regency_code)).one() \
        if fair_rules.regency_max_share < 1 else 0
    in_sentra = session.exec(allocated.where(IkmProfile.sentra_id == profile.sentra_id)).one() \
        if profile.sentra_id is not None and fair_rules.sentra_cap is not None else 0
    return rules.quota_problem(fair_rules, _applicant(profile), in_regency, in_sentra)


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
    _booths_changed(session, fair)
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


def assign_booth(session: Session, fair: Exhibition, code: str, ikm_id: uuid.UUID, confirm_days: int) -> Application:
    """An organiser puts an applicant on a booth by hand: 409 when the booth is taken. The hold must be
    confirmed within `confirm_days`, as after a published run."""
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
    _booths_changed(session, fair)
    application.waitlist_rank = None
    application.reason = f"Stan {code} ditetapkan panitia."
    application.reason_en = f"Booth {code} assigned by the organisers."
    application.updated_at = utcnow()
    application.confirm_by, application.confirmed_at = _confirm_by(fair, application.updated_at, confirm_days), None
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
    """An active booth of the fair: 404 when there is none by that code, 409 when it was replaced."""
    booth = session.exec(select(Booth).where(Booth.exhibition_id == fair.id, Booth.code == code)).first()
    if booth is None:
        raise not_found(f"Stan {code}", f"Booth {code}")
    if not booth.active:
        message, message_en = _replaced(session, booth)
        raise ApiError(409, "booth_inactive", message, message_en)
    return booth


def _replaced(session: Session, booth: Booth) -> tuple[str, str]:
    """Why an inactive booth is no longer on the floor plan, in both languages."""
    whole = session.get(Booth, booth.part_of_id) if booth.part_of_id is not None else None
    if whole is not None and whole.active:
        return (f"Stan {booth.code} sudah digabung menjadi stan {whole.code}.",
                f"Booth {booth.code} was combined into booth {whole.code}.")
    return (f"Stan {booth.code} sudah dipecah dan tidak ada lagi di denah.",
            f"Booth {booth.code} was split and is no longer on the floor plan.")


def _free_booths(session: Session, fair: Exhibition) -> list[rules.BoothSlot]:
    """The fair's free booths, by code. In an event handler's session they are read once per batch
    and kept up to date by the placements it makes (`_took_booth`); a release forgets them. Only
    the ids of the free booths are read each time: what placement needs of a booth comes from the
    process's `BoothCatalogue`."""
    memo = _handler_memo(session)
    if memo is not None and ("free", fair.id) in memo:
        free: list[rules.BoothSlot] = memo[("free", fair.id)]
        return free
    held = select(Application.booth_id).where(Application.exhibition_id == fair.id,
                                              col(Application.booth_id).is_not(None))
    ids = {i for i in session.exec(select(Booth.id).where(Booth.exhibition_id == fair.id, col(Booth.active),
                                                          col(Booth.id).not_in(held))).all() if i is not None}
    free = [slot for slot in BoothCatalogue.of(session).booths_by_code(session, fair.id, ids)
            if slot.booth_id in ids]
    if memo is not None:
        memo[("free", fair.id)] = free
    return free


class BoothCatalogue:
    """What placement needs of each booth (code, sectors, accessibility, zone), kept per database
    for the life of the process. A booth row never changes once added: combining and splitting
    add rows and flip `active`, which `_free_booths` reads every time, so what was read once stays
    true. Reading 7,600 booths with their JSON sector lists for every consumer batch was a quarter
    of the exhibitions consumer's time at Bali scale (bench/chain.py)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_fair: dict[uuid.UUID, dict[int, rules.BoothSlot]] = {}
        self._ordered: dict[uuid.UUID, list[rules.BoothSlot]] = {}

    @classmethod
    def of(cls, session: Session) -> BoothCatalogue:
        bind = session.get_bind()
        engine = getattr(bind, "engine", bind)
        with _CATALOGUES_LOCK:
            catalogue = _CATALOGUES.get(engine)
            if catalogue is None:
                catalogue = _CATALOGUES[engine] = cls()
        return catalogue

    def booths_by_code(self, session: Session, fair_id: uuid.UUID, ids: set[int]) -> list[rules.BoothSlot]:
        """The fair's booths known so far, ordered by code (Python's order: a database collation may
        differ), after reading those of `ids` not yet known."""
        with self._lock:
            known = self._by_fair.setdefault(fair_id, {})
            missing = sorted(i for i in ids if i not in known)
            for start in range(0, len(missing), 5000):
                columns = (col(Booth.id), col(Booth.code), col(Booth.sectors), col(Booth.accessible),
                           col(Booth.zone))
                for booth_id, code, sectors, accessible, zone in session.execute(
                        sa_select(*columns).where(col(Booth.id).in_(missing[start:start + 5000]))).all():
                    known[booth_id] = rules.BoothSlot(booth_id=booth_id, code=code, sectors=frozenset(sectors),
                                                      accessible=accessible, zone=zone)
            if missing or fair_id not in self._ordered:
                self._ordered[fair_id] = sorted(known.values(), key=lambda b: b.code)
            return self._ordered[fair_id]


# One catalogue per database (engine), gone with its engine.
_CATALOGUES: WeakKeyDictionary[Any, BoothCatalogue] = WeakKeyDictionary()
_CATALOGUES_LOCK = threading.Lock()


def _took_booth(session: Session, fair: Exhibition, booth: rules.BoothSlot) -> None:
    memo = _handler_memo(session)
    if memo is not None and ("free", fair.id) in memo:
        memo[("free", fair.id)].remove(booth)


def _booths_changed(session: Session, fair: Exhibition) -> None:
    """A booth was freed or changed hands outside `_try_allocate`: read the free booths afresh."""
    memo = _handler_memo(session)
    if memo is not None:
        memo.pop(("free", fair.id), None)


def _slot(booth: Booth) -> rules.BoothSlot:
    return rules.BoothSlot(booth_id=booth.id or 0, code=booth.code, sectors=frozenset(booth.sectors),
                           accessible=booth.accessible, zone=booth.zone)


# Set in the session of an event handler (ADR 0012): there the floor plan cannot change (only
# organisers' requests change booths), so a fair's booth count and free booths are read once per
# consumer batch, not per placement, and kept up to date by the batch's own placements.
HANDLER_MEMO = "exhibitions_handler_memo"


def _handler_memo(session: Session) -> dict[tuple[str, uuid.UUID], Any] | None:
    memo: dict[tuple[str, uuid.UUID], Any] | None = session.info.get(HANDLER_MEMO)
    return memo


def _fair_rules(session: Session, fair: Exhibition) -> rules.FairRules:
    memo = _handler_memo(session)
    count: int | None = memo.get(("booths", fair.id)) if memo is not None else None
    if count is None:
        count = session.exec(select(func.count()).select_from(Booth).where(Booth.exhibition_id == fair.id,
                                                                           col(Booth.active))).one()
        if memo is not None:
            memo[("booths", fair.id)] = count
    return rules.FairRules(sectors=frozenset(fair.sectors), regency_codes=frozenset(fair.regency_codes),
                           application_deadline=fair.application_deadline, status=fair.status,
                           regency_max_share=fair.regency_max_share, sentra_cap=fair.sentra_cap, booth_count=count,
                           newcomer_share=fair.newcomer_share, regency_min_share=fair.regency_min_share)


def _applicant(profile: IkmProfile) -> rules.Applicant:
    return rules.Applicant(ikm_id=profile.ikm_id, sector=profile.sector, regency_code=profile.regency_code,
                           sentra_id=profile.sentra_id, needs_accessible_booth=profile.needs_accessible_booth)


def _newcomer_reserve(session: Session, fair: Exhibition, application: Application,
                      free_booths: int) -> tuple[str, str] | None:
    """The run's newcomer share, kept between runs: see `rules.newcomer_reserve_problem`."""
    if fair.newcomer_share <= 0:
        return None
    veterans = _veterans_query(fair)
    newcomer = session.exec(veterans.where(ExhibitorHistory.ikm_id == application.ikm_id).limit(1)).first() is None
    if newcomer:
        return None  # a newcomer is never held back by the reserve: skip the counting
    others = (select(func.count()).select_from(Application).where(
        Application.exhibition_id == fair.id, Application.id != application.id,
        col(Application.ikm_id).not_in(veterans)))
    allocated = session.exec(others.where(Application.status == "allocated")).one()
    waiting = session.exec(others.where(Application.status == "waitlisted")).one()
    return rules.newcomer_reserve_problem(_fair_rules(session, fair), newcomer, free_booths, allocated, waiting)


def _veterans_query(fair: Exhibition) -> SelectOfScalar[uuid.UUID]:
    """IKM that exhibited at this organiser's other fairs: everyone else is a newcomer here."""
    return select(ExhibitorHistory.ikm_id).where(ExhibitorHistory.organiser == fair.created_by,
                                                 ExhibitorHistory.exhibition_id != fair.id)


def _veterans(session: Session, fair: Exhibition) -> set[uuid.UUID]:
    return set(session.exec(_veterans_query(fair)).all())


def record_exhibitor(session: Session, fair: Exhibition, ikm_id: uuid.UUID, source: str) -> None:
    exists = session.exec(select(ExhibitorHistory.id).where(ExhibitorHistory.ikm_id == ikm_id,
                                                            ExhibitorHistory.exhibition_id == fair.id)).first()
    if exists is None:
        session.add(ExhibitorHistory(ikm_id=ikm_id, exhibition_id=fair.id, organiser=fair.created_by, source=source,
                                     recorded_at=utcnow()))


# --- allocation runs (ADR 0009) -------------------------------------------------------------------


def _run_inputs(session: Session, fair: Exhibition) -> tuple[list[tuple[Application, IkmProfile]], list[Booth]]:
    rows = session.exec(
        select(Application, IkmProfile).join(IkmProfile, col(IkmProfile.ikm_id) == col(Application.ikm_id))
        .where(Application.exhibition_id == fair.id).order_by(col(Application.id))).all()
    booths = session.exec(select(Booth).where(Booth.exhibition_id == fair.id, col(Booth.active))
                          .order_by(col(Booth.code))).all()
    return [(a, p) for a, p in rows], list(booths)


def _fingerprint(rows: list[tuple[Application, IkmProfile]], booths: list[Booth]) -> str:
    """What a run was computed from; publishing after any of it changed is refused."""
    digest = hashlib.sha256()
    for a, p in rows:
        digest.update(f"{a.id}|{a.status}|{a.booth_id}|{a.locked}|{a.preferred_zones}|{p.curation_grade}\n".encode())
    for b in booths:
        digest.update(f"{b.id}|{b.code}\n".encode())
    return digest.hexdigest()


def _in_run(fair: Exhibition, application: Application) -> bool:
    """Pending placement, waitlisted, or allocated but not locked; with curation, only approved ones
    (those are the ones past `pending_curation`)."""
    if application.status == "waitlisted":
        return True
    if application.status == "allocated":
        return not application.locked
    return application.status == "pending_curation" and not fair.requires_curation


def _sentra(profile: IkmProfile) -> str | None:
    return str(profile.sentra_id) if profile.sentra_id is not None else None


def create_run(session: Session, fair: Exhibition, seed: int | None, principal: Principal,
               time_limit_s: float) -> AllocationRun:
    """Solve the fair's allocation as a draft run; nothing changes for the applicants until it is published."""
    rows, booths = _run_inputs(session, fair)
    veterans = _veterans(session, fair)
    code_of = {b.id: b.code for b in booths}
    held: list[allocation.Held] = []
    candidates: list[allocation.Candidate] = []
    for a, p in rows:
        if a.status == "allocated" and a.locked and a.booth_id is not None:
            held.append(allocation.Held(str(a.ikm_id), code_of[a.booth_id], p.regency_code, _sentra(p),
                                        newcomer=p.ikm_id not in veterans))
        elif _in_run(fair, a):
            candidates.append(allocation.Candidate(
                key=str(a.ikm_id), sector=p.sector, regency_code=p.regency_code, sentra_id=_sentra(p),
                newcomer=p.ikm_id not in veterans, needs_accessible=p.needs_accessible_booth, grade=p.curation_grade,
                preferred_zones=tuple(a.preferred_zones or ())))
    held_codes = {h.booth_code for h in held}
    free = tuple(allocation.Booth(b.code, b.zone, frozenset(b.sectors), b.accessible)
                 for b in booths if b.code not in held_codes)
    fair_rules = allocation.Rules(
        booth_count=len(booths), regency_codes=tuple(fair.regency_codes), regency_min_share=fair.regency_min_share,
        regency_max_share=fair.regency_max_share, sentra_cap=fair.sentra_cap, newcomer_share=fair.newcomer_share)
    seed = secrets.randbelow(2**31) if seed is None else seed
    result = allocation.allocate(allocation.Problem(rules=fair_rules, booths=free, candidates=tuple(candidates),
                                                    held=tuple(held), seed=seed, time_limit_s=time_limit_s))
    run = AllocationRun(exhibition_id=fair.id, seed=seed,
                        status="infeasible" if result.status == "infeasible" else "draft",
                        objective=result.objective, bound=result.bound, gap=result.gap,
                        solve_seconds=round(result.solve_seconds, 4), variables=result.variables,
                        problems=[asdict(p) for p in result.problems], fingerprint=_fingerprint(rows, booths),
                        created_by=principal.username, created_at=utcnow())
    session.add(run)
    session.flush()
    session.add_all([AllocationResult(run_id=run.id, ikm_id=uuid.UUID(o.key), status=o.status, booth_code=o.booth_code,
                                      waitlist_rank=o.waitlist_rank, lottery=o.lottery, points=o.points,
                                      reason=o.reason[:500], reason_en=o.reason_en[:500], rule=o.rule)
                     for o in result.outcomes])
    session.flush()
    return run


def get_run(session: Session, fair: Exhibition, run_id: uuid.UUID) -> AllocationRun:
    run = session.get(AllocationRun, run_id)
    if run is None or run.exhibition_id != fair.id:
        raise not_found("Putaran alokasi", "Allocation run")
    return run


def run_public(session: Session, run: AllocationRun) -> AllocationRunPublic:
    rows = session.exec(select(AllocationResult, IkmProfile)
                        .join(IkmProfile, col(IkmProfile.ikm_id) == col(AllocationResult.ikm_id))
                        .where(AllocationResult.run_id == run.id)).all()
    results = sorted((AllocationResultPublic(ikm_id=r.ikm_id, ikm_name=p.name, status=r.status, booth_code=r.booth_code,
                                             waitlist_rank=r.waitlist_rank, lottery=r.lottery, points=r.points,
                                             reason=r.reason, reason_en=r.reason_en, rule=r.rule) for r, p in rows),
                     key=lambda r: (r.status != "allocated", r.booth_code or "", r.waitlist_rank or 0))
    return AllocationRunPublic(
        id=run.id, exhibition_id=run.exhibition_id, seed=run.seed, status=run.status,
        objective=run.objective, bound=run.bound, gap=run.gap, solve_seconds=run.solve_seconds,
        variables=run.variables, allocated=sum(1 for r in results if r.status == "allocated"),
        waitlisted=sum(1 for r in results if r.status == "waitlisted"),
        problems=[RuleProblemPublic(**p) for p in run.problems], created_by=run.created_by,
        created_at=run.created_at, published_at=run.published_at, results=results)


def publish_run(session: Session, fair: Exhibition, run: AllocationRun, confirm_days: int) -> AllocationRun:
    """Apply a draft run: booths, waitlist ranks and reasons; its assignments are locked; each change
    is an event."""
    if run.status != "draft":
        raise ApiError(409, "conflict", "Hanya putaran berstatus draf yang dapat diterbitkan.",
                       "Only a draft run can be published.")
    rows, booths = _run_inputs(session, fair)
    if _fingerprint(rows, booths) != run.fingerprint:
        raise ApiError(409, "stale_run", "Pendaftaran atau stan berubah sejak putaran ini dihitung; jalankan ulang.",
                       "Applications or booths changed since this run was computed; run it again.")
    apps = {a.ikm_id: a for a, _ in rows}
    by_code = {b.code: b for b in booths}
    code_of = {b.id: b.code for b in booths}
    results = session.exec(select(AllocationResult).where(AllocationResult.run_id == run.id)).all()
    now = utcnow()
    target: dict[uuid.UUID, int | None] = {
        r.ikm_id: by_code[r.booth_code].id if r.booth_code is not None else None for r in results}
    for r in results:  # first free every booth that changes hands, so the unique index never trips
        a = apps[r.ikm_id]
        if a.booth_id is not None and a.booth_id != target[r.ikm_id]:
            add_event(session, new_event("exhibition.booth_released", BoothReleasedV1(
                exhibition_id=fair.id, exhibition_name=fair.name, ikm_id=a.ikm_id, booth_code=code_of[a.booth_id],
                reason=r.reason)))
            a.booth_id = None
            _booths_changed(session, fair)
            session.add(a)
    session.flush()
    for r in results:
        a = apps[r.ikm_id]
        before = (a.status, a.booth_id, a.waitlist_rank)
        a.reason, a.reason_en, a.updated_at = r.reason, r.reason_en, now
        if r.status == "allocated":
            a.status, a.booth_id, a.waitlist_rank, a.locked = "allocated", target[r.ikm_id], None, True
            record_exhibitor(session, fair, a.ikm_id, "published")
            if before[1] != a.booth_id:
                a.confirm_by, a.confirmed_at = _confirm_by(fair, now, confirm_days), None
                add_event(session, new_event("exhibition.booth_allocated", BoothAllocatedV1(
                    exhibition_id=fair.id, exhibition_name=fair.name, ikm_id=a.ikm_id,
                    booth_code=r.booth_code or "", reason=r.reason)))
        else:
            a.status, a.booth_id, a.waitlist_rank, a.locked = "waitlisted", None, r.waitlist_rank, False
            a.confirm_by = a.confirmed_at = None
            if before != (a.status, a.booth_id, a.waitlist_rank):
                add_event(session, new_event("exhibition.waitlisted", WaitlistedV1(
                    exhibition_id=fair.id, exhibition_name=fair.name, ikm_id=a.ikm_id,
                    waitlist_rank=r.waitlist_rank or 0, reason=r.reason)))
        session.add(a)
    session.flush()
    run.status, run.published_at = "published", now
    session.add(run)
    session.flush()
    return run


def _confirm_by(fair: Exhibition, now: datetime, default_days: int | None) -> datetime | None:
    """A new hold must be confirmed within the fair's `confirm_days`, else `default_days` (a fair
    created before fairs had their own); 0 or none: the hold does not expire."""
    days = fair.confirm_days if fair.confirm_days is not None else default_days
    return now + timedelta(days=days) if days else None


def unlock(session: Session, fair: Exhibition, ikm_id: uuid.UUID) -> Application:
    """Let later runs move or drop a published assignment."""
    application = _application(session, fair, ikm_id)
    application.locked = False
    application.updated_at = utcnow()
    session.add(application)
    session.flush()
    return application


def unlock_run(session: Session, fair: Exhibition, run: AllocationRun) -> int:
    """Unlock every assignment a published run made that still stands; returns how many."""
    ikm_ids = session.exec(select(AllocationResult.ikm_id).where(AllocationResult.run_id == run.id,
                                                                 AllocationResult.status == "allocated")).all()
    apps = session.exec(select(Application).where(Application.exhibition_id == fair.id,
                                                  col(Application.ikm_id).in_(list(ikm_ids)),
                                                  col(Application.locked).is_(True))).all()
    for a in apps:
        a.locked = False
        session.add(a)
    session.flush()
    return len(apps)


def set_preferences(session: Session, fair: Exhibition, data: PreferenceRequest) -> Application:
    """Record the zones an exhibitor asked for (first choice first); runs and placement weigh them."""
    zones = set(session.exec(select(Booth.zone).where(Booth.exhibition_id == fair.id, col(Booth.active))).all())
    problems = [FieldError(field=f"zones.{i}", message=f"Zona {z} tidak ada di denah pameran ini.",
                           message_en=f"Zone {z} is not on this fair's floor plan.")
                for i, z in enumerate(data.zones) if z not in zones]
    if len(set(data.zones)) != len(data.zones):
        problems.append(FieldError(field="zones", message="Zona tidak boleh disebut dua kali.",
                                   message_en="A zone may be named only once."))
    if problems:
        raise ApiError(422, "invalid_input", "Data tidak valid.", "Invalid data.", problems)
    application = _application(session, fair, data.ikm_id, field="ikm_id")
    application.preferred_zones = list(data.zones)
    application.updated_at = utcnow()
    session.add(application)
    session.flush()
    return application


def _application(session: Session, fair: Exhibition, ikm_id: uuid.UUID, field: str | None = None) -> Application:
    application = session.exec(select(Application).where(Application.exhibition_id == fair.id,
                                                         Application.ikm_id == ikm_id)).first()
    if application is None:
        if field is not None:
            raise invalid(field, "IKM ini belum mendaftar ke pameran ini.", "This IKM has not applied to this fair.")
        raise not_found("Pendaftaran IKM di pameran ini", "This IKM's application to this fair")
    return application


# --- outputs: floor plan, exhibitor list, check-ins ---------------------------------------------


def floorplan_svg(session: Session, fair: Exhibition) -> str:
    booths = session.exec(select(Booth).where(Booth.exhibition_id == fair.id, col(Booth.active))
                          .order_by(col(Booth.code))).all()
    rows = session.exec(
        select(Booth.code, IkmProfile.name, Application.locked)
        .join(Application, col(Application.booth_id) == col(Booth.id))
        .join(IkmProfile, col(IkmProfile.ikm_id) == col(Application.ikm_id))
        .where(Booth.exhibition_id == fair.id)).all()
    shapes = [floorplan.BoothShape(code=b.code, sectors=tuple(b.sectors), x=b.x, y=b.y, width_m=b.width_m,
                                   depth_m=b.depth_m) for b in booths]
    holders = {code: floorplan.Holder(ikm_name=name, locked=bool(locked)) for code, name, locked in rows}
    return floorplan.render_floorplan(shapes, holders)


EXHIBITOR_COLUMNS = ("booth_code", "hall", "zone", "ikm_id", "ikm_name", "sector", "regency_code", "status")


def _exhibitors(session: Session, fair: Exhibition) -> list[tuple[Booth, Application, IkmProfile]]:
    """Every held booth with its holder, by booth code: what the exhibitor list shows, in any format.
    `IkmProfile` holds no personal data (it comes from `ikm.registered`)."""
    rows = session.exec(
        select(Booth, Application, IkmProfile)
        .join(Application, col(Application.booth_id) == col(Booth.id))
        .join(IkmProfile, col(IkmProfile.ikm_id) == col(Application.ikm_id))
        .where(Booth.exhibition_id == fair.id).order_by(col(Booth.code))).all()
    return [(b, a, p) for b, a, p in rows]


def exhibitors_csv(session: Session, fair: Exhibition) -> str:
    """One row per held booth, UTF-8 with a header row."""
    buffer = io.StringIO()
    writer = CsvWriter(buffer)
    writer.writerow(EXHIBITOR_COLUMNS)
    for b, a, p in _exhibitors(session, fair):
        writer.writerow([b.code, b.hall, b.zone, str(a.ikm_id), p.name, p.sector, p.regency_code, a.status])
    return buffer.getvalue()


def exhibitors_pdf(session: Session, fair: Exhibition, today: date) -> bytes:
    """The exhibitor list to print: the same rows as the CSV, without the IKM's id."""
    rows = [exhibitor_pdf.ExhibitorRow(booth_code=b.code, hall=b.hall, zone=b.zone, ikm_name=p.name, sector=p.sector,
                                       regency_code=p.regency_code,
                                       status="confirmed" if a.confirmed_at is not None else a.status)
            for b, a, p in _exhibitors(session, fair)]
    heading = exhibitor_pdf.FairHeading(name=fair.name, venue=fair.venue, starts_on=fair.starts_on,
                                        ends_on=fair.ends_on)
    return exhibitor_pdf.render_exhibitor_list(heading, rows, today)


def check_in(session: Session, fair: Exhibition, ikm_id: uuid.UUID, day: date, principal: Principal) -> Checkin:
    """An exhibitor arrives on a fair day: only a booth holder, only on a fair day, once a day."""
    if not fair.starts_on <= day <= fair.ends_on:
        raise invalid("day", f"Tanggal {day} di luar masa pameran ({fair.starts_on} s.d. {fair.ends_on}).",
                      f"{day} is outside the fair's dates ({fair.starts_on} to {fair.ends_on}).")
    holds = session.exec(select(Application.id).where(
        Application.exhibition_id == fair.id, Application.ikm_id == ikm_id,
        col(Application.booth_id).is_not(None))).first()
    if holds is None:
        raise invalid("ikm_id", "IKM ini tidak memegang stan di pameran ini.",
                      "This IKM does not hold a booth at this fair.")
    exists = session.exec(select(Checkin.id).where(Checkin.exhibition_id == fair.id, Checkin.ikm_id == ikm_id,
                                                   Checkin.day == day)).first()
    if exists is not None:
        raise _checked_in_already(day)
    row = Checkin(exhibition_id=fair.id, ikm_id=ikm_id, day=day, checked_in_by=principal.username,
                  checked_in_at=utcnow())
    session.add(row)
    session.flush()
    record_exhibitor(session, fair, ikm_id, "checkin")
    session.flush()
    return row


def _checked_in_already(day: date) -> ApiError:
    return ApiError(409, "conflict", f"IKM ini sudah tercatat hadir pada {day}.",
                    f"This IKM has already checked in on {day}.",
                    [FieldError(field="day", message="Sudah hadir hari itu.",
                                message_en="Already checked in that day.")])


def list_checkins(session: Session, fair: Exhibition) -> CheckinsPublic:
    rows = session.exec(
        select(Checkin, IkmProfile).join(IkmProfile, col(IkmProfile.ikm_id) == col(Checkin.ikm_id))
        .where(Checkin.exhibition_id == fair.id).order_by(col(Checkin.day), col(Checkin.checked_in_at))).all()
    per_day: dict[date, int] = {}
    for c, _ in rows:
        per_day[c.day] = per_day.get(c.day, 0) + 1
    return CheckinsPublic(
        per_day=[CheckinDayPublic(day=d, count=n) for d, n in sorted(per_day.items())],
        items=[CheckinPublic(ikm_id=c.ikm_id, ikm_name=p.name, day=c.day, checked_in_by=c.checked_in_by,
                             checked_in_at=c.checked_in_at) for c, p in rows])


# --- manual moves -------------------------------------------------------------------------------


def _holder(session: Session, booth: Booth, field: str) -> Application:
    application = session.exec(select(Application).where(Application.booth_id == booth.id)).first()
    if application is None:
        raise invalid(field, f"Stan {booth.code} tidak sedang ditempati.", f"Booth {booth.code} is not held.")
    return application


def _sector_of(session: Session, application: Application) -> str:
    profile = session.get(IkmProfile, application.ikm_id)
    assert profile is not None
    return profile.sector


def _moved(session: Session, fair: Exhibition, application: Application, old: Booth, new: Booth,
           reason: str, reason_en: str, confirm_days: int) -> None:
    """Stage the two facts of a move: the old booth released, the new one allocated (to be confirmed)."""
    application.reason, application.reason_en, application.updated_at = reason, reason_en, utcnow()
    application.confirm_by, application.confirmed_at = _confirm_by(fair, application.updated_at, confirm_days), None
    session.add(application)
    add_event(session, new_event("exhibition.booth_released", BoothReleasedV1(
        exhibition_id=fair.id, exhibition_name=fair.name, ikm_id=application.ikm_id, booth_code=old.code,
        reason=reason)))
    add_event(session, new_event("exhibition.booth_allocated", BoothAllocatedV1(
        exhibition_id=fair.id, exhibition_name=fair.name, ikm_id=application.ikm_id, booth_code=new.code,
        reason=reason)))


def move_booth(session: Session, fair: Exhibition, code: str, to: str, confirm_days: int) -> Application:
    """The holder of `code` moves to the free booth `to`, which must take its sector (409 when taken). A
    new booth is a new hold: it must be confirmed within `confirm_days`, as after a published run."""
    old = _booth_by_code(session, fair, code)
    application = session.exec(select(Application).where(Application.booth_id == old.id)).first()
    if application is None:
        raise ApiError(404, "not_found", f"Stan {code} tidak sedang ditempati.", f"Booth {code} is not held.")
    if to == code:
        raise invalid("to", "Stan tujuan sama dengan stan asal.", "The target booth is the booth it holds.")
    new = _booth_in_request(session, fair, to, "to")
    if session.exec(select(Application.id).where(Application.booth_id == new.id)).first() is not None:
        raise ApiError(409, "conflict", f"Stan {to} sudah ditempati IKM lain.", f"Booth {to} is already taken.",
                       [FieldError(field="to", message="Stan sudah terisi.", message_en="Booth taken.")])
    sector = _sector_of(session, application)
    if not rules.booth_accepts(_slot(new), sector):
        raise invalid("to", f"Stan {to} tidak menerima sektor {sector}.", f"Booth {to} does not take sector {sector}.")
    application.booth_id = new.id
    _booths_changed(session, fair)
    session.add(application)
    session.flush()
    _moved(session, fair, application, old, new, f"Dipindah panitia dari stan {code} ke stan {to}.",
           f"Moved by the organisers from booth {code} to booth {to}.", confirm_days)
    session.flush()
    fill_from_waitlist(session, fair, None)  # the booth left behind may suit someone waiting
    return application


def swap_booths(session: Session, fair: Exhibition, code_a: str, code_b: str,
                confirm_days: int) -> tuple[Application, Application]:
    """Two holders exchange booths; each booth must take the other holder's sector. Each confirms its new
    booth within `confirm_days`."""
    booth_a, booth_b = _booth_in_request(session, fair, code_a, "a"), _booth_in_request(session, fair, code_b, "b")
    holder_a, holder_b = _holder(session, booth_a, "a"), _holder(session, booth_b, "b")
    problems: list[FieldError] = []
    for booth, holder, field in ((booth_b, holder_a, "b"), (booth_a, holder_b, "a")):
        sector = _sector_of(session, holder)
        if not rules.booth_accepts(_slot(booth), sector):
            problems.append(FieldError(field=field, message=f"Stan {booth.code} tidak menerima sektor {sector}.",
                                       message_en=f"Booth {booth.code} does not take sector {sector}."))
    if problems:
        raise ApiError(422, "invalid_input", "Kedua stan tidak dapat ditukar.", "The two booths cannot be swapped.",
                       problems)
    holder_a.booth_id = None  # the unique booth_id holds mid-swap: free one booth first
    _booths_changed(session, fair)
    session.add(holder_a)
    session.flush()
    holder_b.booth_id = booth_a.id
    session.add(holder_b)
    session.flush()
    holder_a.booth_id = booth_b.id
    session.add(holder_a)
    session.flush()
    _moved(session, fair, holder_a, booth_a, booth_b, f"Ditukar panitia: dari stan {code_a} ke stan {code_b}.",
           f"Swapped by the organisers: from booth {code_a} to booth {code_b}.", confirm_days)
    _moved(session, fair, holder_b, booth_b, booth_a, f"Ditukar panitia: dari stan {code_b} ke stan {code_a}.",
           f"Swapped by the organisers: from booth {code_b} to booth {code_a}.", confirm_days)
    session.flush()
    return holder_a, holder_b


def _booth_in_request(session: Session, fair: Exhibition, code: str, field: str) -> Booth:
    booth = session.exec(select(Booth).where(Booth.exhibition_id == fair.id, Booth.code == code)).first()
    if booth is None:
        raise invalid(field, f"Stan {code} tidak ada di denah pameran ini.",
                      f"Booth {code} is not on this fair's floor plan.")
    if not booth.active:
        raise invalid(field, *_replaced(session, booth))
    return booth


# --- hold confirmation --------------------------------------------------------------------------


def confirm_hold(session: Session, fair: Exhibition, ikm_id: uuid.UUID) -> Application:
    """The exhibitor confirms the booth it holds; a confirmed hold no longer expires."""
    application = _application(session, fair, ikm_id)
    if application.status != "allocated" or application.booth_id is None:
        raise ApiError(409, "conflict", "IKM ini tidak sedang memegang stan di pameran ini.",
                       "This IKM does not hold a booth at this fair.")
    if application.confirmed_at is None:
        application.confirmed_at = utcnow()
        application.updated_at = application.confirmed_at
        session.add(application)
        session.flush()
    return application


def release_unconfirmed(session: Session, now: datetime) -> list[Application]:
    """Release every allocated hold not confirmed by its deadline: withdrawn, with the reason in words;
    the waitlist moves up through the ordinary release path."""
    due = session.exec(select(Application.id, Application.exhibition_id).where(
        Application.status == "allocated", col(Application.booth_id).is_not(None),
        col(Application.confirmed_at).is_(None), col(Application.confirm_by).is_not(None),
        col(Application.confirm_by) < now).order_by(col(Application.exhibition_id))).all()
    released: list[Application] = []
    for application_id, exhibition_id in due:
        fair = get_exhibition(session, exhibition_id, lock=True)
        application = session.get(Application, application_id)
        # Re-read under the fair's lock: an organiser may have confirmed or moved it meanwhile.
        if application is None or application.status != "allocated" or application.booth_id is None \
                or application.confirmed_at is not None or application.confirm_by is None \
                or application.confirm_by >= now:
            continue
        booth = session.get(Booth, application.booth_id)
        code = booth.code if booth is not None else "?"
        deadline = application.confirm_by.date().isoformat()
        _release(session, fair, application, None, "withdrawn",
                 f"Stan {code} dilepas karena tidak dikonfirmasi sampai batas waktu {deadline}.",
                 f"Booth {code} was released because it was not confirmed by the deadline, {deadline}.")
        released.append(application)
    return released
