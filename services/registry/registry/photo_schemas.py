"""API models of product photos."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from shared.text import Input

PhotoSizeName = Literal["thumbnail", "display"]


class PhotoSizePublic(BaseModel):
    name: PhotoSizeName
    width: int
    height: int
    url: str = Field(description="path of this size's bytes on the registry")


class PhotoPublic(BaseModel):
    id: uuid.UUID
    product_id: uuid.UUID
    position: int
    hash: str
    sizes: list[PhotoSizePublic]
    created_at: datetime


class PhotoUpdate(Input):
    position: Annotated[int, Field(ge=1, le=8, description="1 is shown first")]
