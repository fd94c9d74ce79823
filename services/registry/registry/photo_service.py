"""Product photos in the register: rows, their order, and the events that tell curation.

The files themselves are in the photo store (registry/photo_store.py); the routes write them before
the rows commit and delete them after, so a row never names a file that is not there.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlmodel import Session, col, func, select

from registry.photo_schemas import PhotoPublic, PhotoSizePublic
from registry.photos import PreparedPhoto, photo_count_problem, placed
from registry.tables import CatalogueListing, Product, ProductPhoto
from shared.errors import ApiError, not_found
from shared.events import PhotoRef, PhotoSize, ProductPhotosChangedV1, new_event, utcnow
from shared.outbox import add_event


def photo_path(ikm_id: uuid.UUID, product_id: uuid.UUID, photo_id: uuid.UUID, size: str) -> str:
    """Where the registry serves a size of a photo (the catalogue links to it)."""
    return f"/ikms/{ikm_id}/products/{product_id}/photos/{photo_id}/{size}"


def product_of(session: Session, ikm_id: uuid.UUID, product_id: uuid.UUID, *, lock: bool = False) -> Product:
    """The product, if it belongs to this IKM; otherwise 404, as for one that does not exist."""
    query = select(Product).where(Product.id == product_id, Product.ikm_id == ikm_id)
    product = session.exec(query.with_for_update() if lock else query).first()
    if product is None:
        raise not_found("Produk", "Product")
    return product


def product_exists(session: Session, ikm_id: uuid.UUID, product_id: uuid.UUID) -> bool:
    found = session.exec(select(Product.id).where(Product.id == product_id, Product.ikm_id == ikm_id)).first()
    return found is not None


def photos_of(session: Session, product_id: uuid.UUID) -> list[ProductPhoto]:
    return list(session.exec(select(ProductPhoto).where(ProductPhoto.product_id == product_id)
                             .order_by(col(ProductPhoto.position), col(ProductPhoto.created_at))).all())


def _count_conflict(count_after: int) -> None:
    problem = photo_count_problem(count_after)
    if problem is not None:
        raise ApiError(409, "photo_count", problem[0], problem[1])


def check_room(session: Session, ikm_id: uuid.UUID, product_id: uuid.UUID) -> None:
    """404 for another IKM's product, 409 when it has its eight photos already: checked before the
    photo is decoded, and again under the product's lock when it is added."""
    product_of(session, ikm_id, product_id)
    count = session.exec(select(func.count()).select_from(ProductPhoto)
                         .where(ProductPhoto.product_id == product_id)).one()
    _count_conflict(count + 1)


def add_photo(session: Session, ikm_id: uuid.UUID, product_id: uuid.UUID, prepared: PreparedPhoto,
              position: int | None, username: str) -> ProductPhoto:
    product = product_of(session, ikm_id, product_id, lock=True)
    rows = photos_of(session, product.id)
    _count_conflict(len(rows) + 1)
    photo = ProductPhoto(product_id=product.id, ikm_id=ikm_id, position=0, hash=prepared.hash,
                         sizes=[{"name": n, "width": w, "height": h} for n, (w, h) in prepared.dimensions.items()],
                         created_by=username, created_at=utcnow())
    session.add(photo)
    _renumber(session, [*rows, photo], placed([str(r.id) for r in rows], str(photo.id), position))
    _publish(session, product, [*rows, photo], added=[photo.id])
    return photo


def move_photo(session: Session, ikm_id: uuid.UUID, product_id: uuid.UUID, photo_id: uuid.UUID,
               position: int) -> ProductPhoto:
    product = product_of(session, ikm_id, product_id, lock=True)
    rows = photos_of(session, product.id)
    photo = next((r for r in rows if r.id == photo_id), None)
    if photo is None:
        raise not_found("Foto", "Photo")
    _renumber(session, rows, placed([str(r.id) for r in rows], str(photo.id), position))
    _publish(session, product, rows)
    return photo


def delete_photo(session: Session, ikm_id: uuid.UUID, product_id: uuid.UUID, photo_id: uuid.UUID) -> str | None:
    """Remove the photo; returns its hash when no other photo shares its files (they may go)."""
    product = product_of(session, ikm_id, product_id, lock=True)
    rows = photos_of(session, product.id)
    photo = next((r for r in rows if r.id == photo_id), None)
    if photo is None:
        raise not_found("Foto", "Photo")
    _count_conflict(len(rows) - 1)
    session.delete(photo)
    rest = [r for r in rows if r.id != photo_id]
    _renumber(session, rest, [str(r.id) for r in rest])
    _publish(session, product, rest, removed=[photo.id])
    session.flush()
    shared_files = session.exec(select(ProductPhoto.id).where(ProductPhoto.hash == photo.hash).limit(1)).first()
    return None if shared_files is not None else photo.hash


def _renumber(session: Session, rows: Sequence[ProductPhoto], order: list[str]) -> None:
    by_id = {str(r.id): r for r in rows}
    for index, key in enumerate(order, start=1):
        row = by_id[key]
        if row.position != index:
            row.position = index
            session.add(row)


def _publish(session: Session, product: Product, rows: Sequence[ProductPhoto], *,
             added: Sequence[uuid.UUID] = (), removed: Sequence[uuid.UUID] = ()) -> None:
    ordered = sorted(rows, key=lambda r: r.position)
    add_event(session, new_event("product.photos_changed", ProductPhotosChangedV1(
        ikm_id=product.ikm_id, product_id=product.id,
        photos=[PhotoRef(photo_id=r.id, hash=r.hash, position=r.position,
                         sizes=[PhotoSize.model_validate(s) for s in r.sizes]) for r in ordered],
        added=list(added), removed=list(removed))))


def photo_public(photo: ProductPhoto) -> PhotoPublic:
    return PhotoPublic(id=photo.id, product_id=photo.product_id, position=photo.position, hash=photo.hash,
                       created_at=photo.created_at,
                       sizes=[PhotoSizePublic(name=s["name"], width=s["width"], height=s["height"],
                                              url=photo_path(photo.ikm_id, photo.product_id, photo.id, s["name"]))
                              for s in photo.sizes])


def is_listed(session: Session, product_id: uuid.UUID) -> bool:
    """Whether curation's catalogue lists the product (its photos are then public)."""
    listing = session.get(CatalogueListing, product_id)
    return bool(listing and listing.listed)


def readable_photo(session: Session, ikm_id: uuid.UUID, product_id: uuid.UUID,
                   photo_id: uuid.UUID) -> tuple[ProductPhoto | None, bool]:
    """The photo (None when the ids do not name one together) and whether its product is listed."""
    photo = session.exec(select(ProductPhoto).where(ProductPhoto.id == photo_id, ProductPhoto.product_id == product_id,
                                                    ProductPhoto.ikm_id == ikm_id)).first()
    return photo, bool(photo is not None and is_listed(session, product_id))
