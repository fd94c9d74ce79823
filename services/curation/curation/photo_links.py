"""Links to the registry's photos: the registry serves the bytes, curation only names them.

The registry's public address is a setting (SENTRA_REGISTRY_PUBLIC_URL) set once when the app is
made, like `registry.personal.use_key`, so that every reader of cases and of the catalogue links the
same way without passing the settings down.
"""

from __future__ import annotations

import uuid

_base = ["http://127.0.0.1:8001"]


def use_registry_url(url: str) -> None:
    _base[0] = url.rstrip("/")


def photo_url(ikm_id: uuid.UUID, product_id: uuid.UUID, photo_id: uuid.UUID, size: str) -> str:
    """The registry's route for one size of a photo (registry/routes/photos.py)."""
    return f"{_base[0]}/ikms/{ikm_id}/products/{product_id}/photos/{photo_id}/{size}"
