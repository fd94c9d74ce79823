"""A registrar withdraws a product from the curated catalogue (issue 16)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, status

from registry import listing
from registry.schemas import Created
from shared.auth import Principal, require_roles
from shared.web import UnitOfWorkDep

router = APIRouter(tags=["catalogue"])

Registrar = Annotated[Principal, Depends(require_roles("registrar"))]


@router.post("/ikms/{ikm_id}/products/{product_id}/withdrawal", status_code=status.HTTP_202_ACCEPTED,
             response_model=Created,
             summary="Withdraw a product from the curated catalogue (the IKM no longer makes it, say)")
def withdraw(ikm_id: uuid.UUID, product_id: uuid.UUID, uow: UnitOfWorkDep, _: Registrar) -> Created:
    product = listing.withdraw_product(uow.session, ikm_id, product_id)
    uow.commit()
    return Created(id=product.id)
