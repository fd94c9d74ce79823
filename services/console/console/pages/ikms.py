"""The registrar's IKM pages: search, the registration form, and one IKM's profile and timeline."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from console.client import ApiFailure
from console.forms import PRODUCT_ROWS, errors_by_field, form_to_body, unplaced_errors
from console.pages.photos import photos_of
from console.web import Form, Page, UserPage, redirect

router = APIRouter()

PAGE_SIZE = 25
FILTERS = ("q", "regency_code", "sector", "status", "certification", "need")
# Inputs of the registration form, by the API's field path: an error on any other field is listed
# at the top of the form.
FORM_INPUTS = ("name", "nib", "sector", "local_label", "kbli", "business_form", "owner.name", "owner.nik",
               "owner.phone", "owner.gender", "regency_code", "district_code", "village_code", "address",
               "workers", "investment_idr", "annual_sales_idr", "needs", "needs_accessible_booth",
               *(f"products.{i}.{f}" for i in range(PRODUCT_ROWS)
                 for f in ("name", "category", "price_idr", "monthly_capacity")))


def _filters(page: Page) -> dict[str, str]:
    params = page.request.query_params
    return {k: params[k] for k in FILTERS if params.get(k)}


@router.get("/ikms")
async def search(page: UserPage, offset: int = 0) -> Response:
    filters = _filters(page)
    offset = max(offset, 0)
    error: str | None = None
    try:
        found = await page.api.get("registry", "/ikms", limit=PAGE_SIZE, offset=offset, **filters)
    except ApiFailure as failure:
        if failure.status != 422:
            raise
        found, error = {"items": [], "total": 0}, page.api_message(failure.body)
    regencies = await page.regions.children(page.api, page.settings.province_code)
    names = await page.regions.names(page.api, [i["regency_code"] for i in found["items"]])
    query = urlencode(filters)
    return page.render("ikms/list.html", found=found, filters=filters, regencies=regencies, names=names,
                       offset=offset, page_size=PAGE_SIZE, query=query, error=error)


@router.get("/ikms.csv")
async def download(page: UserPage) -> Response:
    """The API's CSV of the same search, passed through (the token stays on the server)."""
    response = await page.api.request("registry", "GET", "/ikms.csv", params=_filters(page))
    return Response(response.content, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="ikm.csv"'})


async def _form(page: Page, values: dict[str, str], errors: dict[str, str], status_code: int = 200) -> Response:
    regencies = await page.regions.children(page.api, page.settings.province_code)
    districts, villages = await asyncio.gather(
        page.regions.children(page.api, values["regency_code"]) if values.get("regency_code") else _nothing(),
        page.regions.children(page.api, values["district_code"]) if values.get("district_code") else _nothing())
    return page.render("ikms/new.html", status_code=status_code, values=values, errors=errors,
                       top_errors=unplaced_errors(errors, FORM_INPUTS), regencies=regencies, districts=districts,
                       villages=villages, product_rows=PRODUCT_ROWS)


async def _nothing() -> list[dict[str, str]]:
    return []


@router.get("/ikms/new")
async def new_form(page: UserPage) -> Response:
    return await _form(page, {}, {})


@router.post("/ikms/new")
async def register(page: UserPage, form: Form) -> Response:
    items = [(k, v) for k, v in form.multi_items() if isinstance(v, str)]
    try:
        created = await page.api.post("registry", "/ikms", form_to_body(items))
    except ApiFailure as failure:
        if failure.status not in (409, 422):
            raise
        errors = errors_by_field(failure.field_errors(), page.lang)
        if not errors:
            errors = {"body": page.api_message(failure.body)}
        values: dict[str, Any] = {k: v for k, v in items if k != "needs"}
        values["needs"] = [v for k, v in items if k == "needs"]
        return await _form(page, values, errors, status_code=failure.status)
    return redirect(f"/ikms/{created['id']}?registered=1")


@router.get("/regions/options", response_class=HTMLResponse)
async def region_options(page: UserPage, regency_code: str = "", district_code: str = "") -> Response:
    """For the cascading selects: the districts of a regency (and an emptied village list), or the
    villages of a district, as <option> elements."""
    if district_code:
        return page.render("ikms/_options.html", options=await page.regions.children(page.api, district_code),
                           reset_villages=False)
    options = await page.regions.children(page.api, regency_code) if regency_code else []
    return page.render("ikms/_options.html", options=options, reset_villages=True)


async def _ikm_view(page: Page, ikm_id: uuid.UUID) -> dict[str, Any]:
    ikm, cases = await asyncio.gather(
        page.api.get("registry", f"/ikms/{ikm_id}"),
        page.api.get("curation", "/cases", ikm_id=str(ikm_id), limit=100))
    names = await page.regions.names(page.api, [ikm["regency_code"], ikm["district_code"], ikm["village_code"]])
    return {"ikm": ikm, "cases": cases["items"], "names": names}


@router.get("/ikms/{ikm_id}")
async def profile(page: UserPage, ikm_id: uuid.UUID, registered: int = 0) -> Response:
    view = await _ikm_view(page, ikm_id)
    pictures = await photos_of(page, str(ikm_id), [p["id"] for p in view["ikm"]["products"]])
    return page.render("ikms/show.html", registered=bool(registered), photos=pictures, **view)



@router.get("/ikms/{ikm_id}/timeline", response_class=HTMLResponse)
async def timeline(page: UserPage, ikm_id: uuid.UUID) -> Response:
    """The timeline and case list alone: what the profile page's htmx polling swaps in."""
    return page.render("ikms/_timeline.html", **await _ikm_view(page, ikm_id))
