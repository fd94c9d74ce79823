"""Product photos: the registry serves their bytes to a token, so the console passes them through
(the browser never holds the token). Pages list a product's photos with `photos_of`."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any, Literal

from fastapi import APIRouter
from fastapi.responses import Response

from console.client import ApiFailure
from console.web import Page, UserPage

router = APIRouter()


async def photos_of(page: Page, ikm_id: str, product_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    """Each product's photos in order (an empty list where the registry has none or refuses)."""

    async def one(product_id: str) -> list[dict[str, Any]]:
        try:
            found = await page.api.get("registry", f"/ikms/{ikm_id}/products/{product_id}/photos")
        except ApiFailure:
            return []
        items: list[dict[str, Any]] = found["items"]
        return items

    lists = await asyncio.gather(*(one(p) for p in product_ids))
    return dict(zip(product_ids, lists, strict=True))


@router.get("/ikms/{ikm_id}/products/{product_id}/photos/{photo_id}/{size}")
async def photo(page: UserPage, ikm_id: uuid.UUID, product_id: uuid.UUID, photo_id: uuid.UUID,
                size: Literal["thumbnail", "display"]) -> Response:
    response = await page.api.request("registry", "GET",
                                      f"/ikms/{ikm_id}/products/{product_id}/photos/{photo_id}/{size}")
    # Named by content, so the bytes never change; kept by this browser only (they may be personal).
    return Response(response.content, media_type="image/jpeg",
                    headers={"Cache-Control": "private, max-age=3600"})
