"""Product photos: upload, reorder, delete, and each size's bytes.

A photo is read by the roles that work with the product (registrar, curator, organiser, admin) with
a token; once curation lists the product in its catalogue, by anyone (the catalogue links here).
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from registry import photo_service
from registry.photo_schemas import PhotoPublic, PhotoUpdate
from registry.photo_store import FilesystemPhotoStore, PhotoStore
from registry.photo_upload import PhotoUpload, read_photo_upload
from registry.photos import MAX_PHOTOS, SIZES, prepare_photo, storage_key
from registry.schemas import Page
from registry.settings import RegistrySettings
from shared.auth import Principal, current_principal, require_roles
from shared.errors import not_found
from shared.limits import UPLOAD
from shared.web import SessionDep, UnitOfWorkDep

router = APIRouter(tags=["photos"])

Registrar = Annotated[Principal, Depends(require_roles("registrar"))]
# Who reads the photos of a product that is not (or no longer) listed.
_readers = require_roles("registrar", "curator", "organiser")
_bearer = HTTPBearer(auto_error=False, description="Token from POST /auth/token on the registry")
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]

_PATH = "/ikms/{ikm_id}/products/{product_id}/photos"
_UPLOAD_BODY: dict[str, Any] = {**UPLOAD, "requestBody": {"required": True, "content": {"multipart/form-data": {
    "schema": {"type": "object", "required": ["file"], "properties": {
        "file": {"type": "string", "format": "binary", "description": "JPEG, PNG or WebP, judged from its content"},
        "position": {"type": "integer", "minimum": 1, "maximum": 8, "description": "1 is shown first; default last"},
    }}}}}}


def photo_store(request: Request) -> PhotoStore:
    """The process's photo store, made at first use under SENTRA_DATA_DIR/photos."""
    store: PhotoStore | None = getattr(request.app.state, "photo_store", None)
    if store is None:
        settings: RegistrySettings = request.app.state.settings
        store = FilesystemPhotoStore(settings.data_dir / "photos")
        request.app.state.photo_store = store
    return store


Store = Annotated[PhotoStore, Depends(photo_store)]


async def _upload(request: Request) -> PhotoUpload:
    settings: RegistrySettings = request.app.state.settings
    return await read_photo_upload(request.headers, request.stream(), settings.photo_max_bytes)


async def _may_read(request: Request, credentials: HTTPAuthorizationCredentials | None, listed: bool) -> None:
    """Anyone may read a listed product's photos; otherwise a token of a reader (401, 403)."""
    if not listed:
        await _readers(await current_principal(request, credentials))


@router.post(_PATH, status_code=status.HTTP_201_CREATED, response_model=PhotoPublic, openapi_extra=_UPLOAD_BODY,
             summary="Add a photo to a product (multipart: file, position); 1 to 8 photos a product")
def add_photo(ikm_id: uuid.UUID, product_id: uuid.UUID, request: Request, principal: Registrar,
              upload: Annotated[PhotoUpload, Depends(_upload)], uow: UnitOfWorkDep, store: Store) -> PhotoPublic:
    settings: RegistrySettings = request.app.state.settings
    photo_service.check_room(uow.session, ikm_id, product_id)
    uow.session.rollback()  # the decoding below holds no transaction open
    prepared = prepare_photo(upload.data, settings.photo_max_pixels)
    for size, data in prepared.files.items():
        store.put(storage_key(prepared.hash, size), data)  # before the row that names it commits
    photo = photo_service.add_photo(uow.session, ikm_id, product_id, prepared, upload.position, principal.username)
    uow.commit()
    return photo_service.photo_public(photo)


@router.get(_PATH, response_model=Page[PhotoPublic], summary="A product's photos, in order")
async def list_photos(ikm_id: uuid.UUID, product_id: uuid.UUID, request: Request, session: SessionDep,
                      credentials: Credentials) -> Page[PhotoPublic]:
    def read() -> tuple[list[PhotoPublic] | None, bool]:
        if not photo_service.product_exists(session, ikm_id, product_id):
            return None, False
        rows = photo_service.photos_of(session, product_id)
        return [photo_service.photo_public(r) for r in rows], photo_service.is_listed(session, product_id)

    items, listed = await run_in_threadpool(read)
    await _may_read(request, credentials, listed)  # before a 404 tells an anonymous caller anything
    if items is None:
        raise not_found("Produk", "Product")
    return Page(items=items, total=len(items), limit=MAX_PHOTOS, offset=0)


@router.get(_PATH + "/{photo_id}/{size}", response_class=Response,
            responses={200: {"content": {"image/jpeg": {}}, "description": "the photo in this size (JPEG)"}},
            summary="A photo's bytes in one size (public once the product is in the catalogue)")
async def photo_bytes(ikm_id: uuid.UUID, product_id: uuid.UUID, photo_id: uuid.UUID,
                      size: Annotated[str, Path(max_length=20, description="thumbnail (320 px) or display (1600 px)")],
                      request: Request, session: SessionDep, credentials: Credentials, store: Store) -> Response:
    photo, listed = await run_in_threadpool(photo_service.readable_photo, session, ikm_id, product_id, photo_id)
    # The size is checked after the caller: an unknown one is a 404 like a photo that is not there.
    await _may_read(request, credentials, listed)
    known = size in SIZES
    data = None if photo is None or not known else await run_in_threadpool(store.get, storage_key(photo.hash, size))
    if photo is None or data is None:
        raise not_found("Foto", "Photo")
    # Named by content: the bytes at this URL never change. A public photo may be cached anywhere;
    # one behind a token only by the browser that fetched it.
    cache = "public, max-age=3600" if listed else "private, max-age=300"
    return Response(data, media_type="image/jpeg", headers={"Cache-Control": cache, "ETag": f'"{photo.hash}"'})


@router.patch(_PATH + "/{photo_id}", response_model=PhotoPublic, summary="Move a photo to another position")
def move_photo(ikm_id: uuid.UUID, product_id: uuid.UUID, photo_id: uuid.UUID, data: PhotoUpdate,
               uow: UnitOfWorkDep, _: Registrar) -> PhotoPublic:
    photo = photo_service.move_photo(uow.session, ikm_id, product_id, photo_id, data.position)
    uow.commit()
    return photo_service.photo_public(photo)


@router.delete(_PATH + "/{photo_id}", status_code=status.HTTP_204_NO_CONTENT, response_class=Response,
               summary="Delete a photo (a product keeps at least one)")
def delete_photo(ikm_id: uuid.UUID, product_id: uuid.UUID, photo_id: uuid.UUID, uow: UnitOfWorkDep,
                 _: Registrar, store: Store) -> Response:
    unused = photo_service.delete_photo(uow.session, ikm_id, product_id, photo_id)
    uow.commit()
    if unused is not None:  # after the commit: a failed commit leaves the row and its files
        for size in SIZES:
            store.delete(storage_key(unused, size))
    return Response(status_code=status.HTTP_204_NO_CONTENT)
