"""Event contracts: the envelope, one payload model per event type and version, stream and group names.

Events are immutable, past-tense facts. A payload never carries personal data (NIK, phone, address):
the registry keeps it. Additive changes keep the version; a breaking change adds a new model under a
new version and consumers keep accepting the old one while it can still be in a stream.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.ids import new_id

# Consumer groups are named after the consuming service (SPEC.md, Events).
REGISTRY = "registry"
CURATION = "curation"
EXHIBITIONS = "exhibitions"


def utcnow() -> datetime:
    return datetime.now(UTC)


class Payload(BaseModel):
    """Base of every payload: unknown fields are ignored so additive changes keep the version."""

    model_config = ConfigDict(extra="ignore", frozen=True)


class ProductInfo(Payload):
    product_id: uuid.UUID
    name: str
    category: str | None = None
    price_idr: int | None = None
    monthly_capacity: int | None = None
    # What a buyer reads in the catalogue (issue 16); added in place: older consumers ignore it.
    description: str | None = None


class IkmRegisteredV1(Payload):
    ikm_id: uuid.UUID
    nib: str | None
    name: str
    sector: str
    kbli: str | None = None
    regency_code: str
    district_code: str
    village_code: str
    sentra_id: uuid.UUID | None = None
    workers: int
    needs_accessible_booth: bool = False
    products: list[ProductInfo]
    # Names for the catalogue (issue 16), added in place: the regency's BPS name and the sentra's.
    regency_name: str | None = None
    sentra_name: str | None = None


class IkmUpdatedV1(Payload):
    ikm_id: uuid.UUID
    changed: dict[str, Any]
    sector: str
    regency_code: str
    sentra_id: uuid.UUID | None = None
    # The IKM's current business name and names for the catalogue (issue 16), added in place.
    name: str | None = None
    regency_name: str | None = None
    sentra_name: str | None = None


class ProductSubmittedV1(Payload):
    ikm_id: uuid.UUID
    sector: str
    product: ProductInfo


class PhotoSize(Payload):
    """One stored size of a photo: its name in the photo's URL and its pixels."""

    name: str
    width: int
    height: int


class PhotoRef(Payload):
    """A photo by reference: the registry serves the bytes (GET .../photos/{photo_id}/{size})."""

    photo_id: uuid.UUID
    hash: str = Field(description="SHA-256 of the display size; files are named by it")
    position: int
    sizes: list[PhotoSize]


class ProductPhotosChangedV1(Payload):
    """A product's photos after a change: the whole ordered list, so the newest event alone tells."""

    ikm_id: uuid.UUID
    product_id: uuid.UUID
    photos: list[PhotoRef]
    added: list[uuid.UUID] = Field(default_factory=list, description="photos this change added")
    removed: list[uuid.UUID] = Field(default_factory=list, description="photos this change removed")


class ProductWithdrawnV1(Payload):
    """A registrar took a product out of the catalogue (the IKM no longer makes it, say)."""

    ikm_id: uuid.UUID
    product_id: uuid.UUID


class CatalogueChangedV1(Payload):
    """A product entered or left curation's public catalogue, and why."""

    ikm_id: uuid.UUID
    product_id: uuid.UUID
    product_name: str
    listed: bool
    reason: Literal["approved", "expired", "withdrawn", "not_approved"]
    grade: Literal["A", "B", "C", "D"] | None = None
    valid_until: date | None = None


class CaseOpenedV1(Payload):
    case_id: uuid.UUID
    ikm_id: uuid.UUID
    product_id: uuid.UUID
    product_name: str
    sector: str
    status: Literal["open", "in_review"]
    curators: list[str] = Field(default_factory=list, description="usernames assigned; empty while waiting")


class CurationDecidedV1(Payload):
    case_id: uuid.UUID
    ikm_id: uuid.UUID
    product_id: uuid.UUID
    outcome: Literal["approved", "approved_with_conditions", "needs_improvement", "rejected"]
    grade: Literal["A", "B", "C", "D"] | None = None
    total: float | None = None
    valid_until: date | None = None
    reason: str | None = None
    # True when an earlier approval lapsed at `valid_until`: the outcome is the one that expired, and it
    # no longer stands (the product needs re-curation). Added in place: older consumers ignore it.
    expired: bool = False


class BoothAllocatedV1(Payload):
    exhibition_id: uuid.UUID
    exhibition_name: str
    ikm_id: uuid.UUID
    booth_code: str
    reason: str


class BoothReleasedV1(Payload):
    exhibition_id: uuid.UUID
    exhibition_name: str
    ikm_id: uuid.UUID
    booth_code: str
    reason: str


class WaitlistedV1(Payload):
    exhibition_id: uuid.UUID
    exhibition_name: str
    ikm_id: uuid.UUID
    waitlist_rank: int
    reason: str


class EventType(BaseModel):
    """One event type: its stream, the service that produces it and its payload models by version."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    name: str
    producer: str
    versions: dict[int, type[Payload]]
    summary: str
    # The services whose consumer group reads the stream: a stream is trimmed only once each of
    # them has its group (shared.retention), and a unit test holds this to their HANDLERS.
    consumers: tuple[str, ...] = ()

    @property
    def stream(self) -> str:
        return self.name

    @property
    def dead_letter_stream(self) -> str:
        return dead_letter_stream(self.name)

    @property
    def current_version(self) -> int:
        return max(self.versions)


def dead_letter_stream(stream: str) -> str:
    return f"{stream}.dlq"


EVENT_TYPES: dict[str, EventType] = {
    t.name: t
    for t in [
        EventType(name="ikm.registered", producer=REGISTRY, versions={1: IkmRegisteredV1},
                  summary="An IKM was entered in the register, with its products.",
                  consumers=(CURATION, EXHIBITIONS)),
        EventType(name="ikm.updated", producer=REGISTRY, versions={1: IkmUpdatedV1},
                  summary="Fields of a registered IKM changed (personal data excluded).",
                  consumers=(CURATION, EXHIBITIONS)),
        EventType(name="product.submitted", producer=REGISTRY, versions={1: ProductSubmittedV1},
                  summary="A product was added to a registered IKM.", consumers=(CURATION,)),
        EventType(name="product.photos_changed", producer=REGISTRY, versions={1: ProductPhotosChangedV1},
                  summary="A product's photos were added, removed or reordered (references, never bytes).",
                  consumers=(CURATION,)),
        EventType(name="product.withdrawn", producer=REGISTRY, versions={1: ProductWithdrawnV1},
                  summary="A registrar withdrew a product from the catalogue.", consumers=(CURATION,)),
        EventType(name="catalogue.changed", producer=CURATION, versions={1: CatalogueChangedV1},
                  summary="A product entered or left the curated catalogue, and why.", consumers=(REGISTRY,)),
        EventType(name="curation.case_opened", producer=CURATION, versions={1: CaseOpenedV1},
                  summary="A curation case was opened for a product, with the curators assigned.",
                  consumers=(REGISTRY,)),
        EventType(name="curation.decided", producer=CURATION, versions={1: CurationDecidedV1},
                  summary="A curation case was decided: outcome, grade, total and validity.",
                  consumers=(REGISTRY, EXHIBITIONS)),
        EventType(name="exhibition.booth_allocated", producer=EXHIBITIONS, versions={1: BoothAllocatedV1},
                  summary="An IKM was given a booth at a fair.", consumers=(REGISTRY,)),
        EventType(name="exhibition.booth_released", producer=EXHIBITIONS, versions={1: BoothReleasedV1},
                  summary="An IKM's booth at a fair was released.", consumers=(REGISTRY,)),
        EventType(name="exhibition.waitlisted", producer=EXHIBITIONS, versions={1: WaitlistedV1},
                  summary="An IKM was placed on a fair's waitlist, with its rank.", consumers=(REGISTRY,)),
    ]
}


class Envelope(BaseModel):
    """What travels on every stream (SPEC.md, Events)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    event_id: uuid.UUID = Field(default_factory=new_id)
    event_type: str
    event_version: int
    occurred_at: datetime = Field(default_factory=utcnow)
    producer: str
    correlation_id: uuid.UUID
    causation_id: uuid.UUID | None = None
    data: dict[str, Any]

    def payload(self) -> Payload:
        """The typed payload; raises `UnknownEvent` or pydantic's ValidationError."""
        event_type = EVENT_TYPES.get(self.event_type)
        if event_type is None:
            raise UnknownEvent(f"unknown event type {self.event_type!r}")
        model = event_type.versions.get(self.event_version)
        if model is None:
            raise UnknownEvent(f"unsupported version {self.event_version} of {self.event_type!r}")
        return model.model_validate(self.data)


class UnknownEvent(ValueError):
    """An event type or version this build does not understand: retrying cannot help."""


def new_event(
    event_type: str,
    payload: Payload,
    *,
    correlation_id: uuid.UUID | None = None,
    causation: Envelope | None = None,
) -> Envelope:
    """Build an envelope for `payload`. Within a chain, pass the event that caused this one."""
    spec = EVENT_TYPES[event_type]
    version = next((v for v, model in spec.versions.items() if isinstance(payload, model)), None)
    if version is None:
        raise TypeError(f"{type(payload).__name__} is not a payload of {event_type!r}")
    event_id = new_id()
    if causation is not None:
        correlation_id = causation.correlation_id
    return Envelope(
        event_id=event_id,
        event_type=event_type,
        event_version=version,
        producer=spec.producer,
        correlation_id=correlation_id or event_id,
        causation_id=causation.event_id if causation else None,
        data=payload.model_dump(mode="json"),
    )
