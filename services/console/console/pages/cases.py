"""The curator's pages: my queue, and one case with the rubric to score it."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from console.client import ApiFailure
from console.forms import errors_by_field, queue_state, scores_body
from console.pages.photos import photos_of
from console.vocab import QUEUE_FILTERS
from console.web import Form, Page, UserPage, redirect

router = APIRouter()

QUEUE_LIMIT = 500


@router.get("/cases")
async def queue(page: UserPage, show: str = "waiting", stepped_down: int = 0) -> Response:
    """My cases, filtered: waiting for my score, scored by me, or decided (the API filters by curator
    and status; "my score" is read from each case's assignments)."""
    assert page.user is not None
    show = show if show in QUEUE_FILTERS else "waiting"
    error = None
    try:
        found = await page.api.get("curation", "/cases", curator_id="me", limit=QUEUE_LIMIT,
                                   status="decided" if show == "decided" else None)
    except ApiFailure as failure:
        if failure.status != 422:
            raise
        found, error = {"items": [], "total": 0}, page.api_message(failure.body)
    cases = [c for c in found["items"] if queue_state(c, page.user.username) == show]
    return page.render("cases/list.html", cases=cases, show=show, error=error, stepped_down=bool(stepped_down))


async def _case_view(page: Page, case_id: uuid.UUID) -> dict[str, Any]:
    case = await page.api.get("curation", f"/cases/{case_id}")
    rubric, ikm, pictures = await asyncio.gather(
        page.api.get("curation", f"/rubrics/{case['rubric_version']}"), _ikm_or_none(page, case["ikm_id"]),
        photos_of(page, case["ikm_id"], [case["product_id"]]))
    regency = await page.regions.name(page.api, ikm["regency_code"]) if ikm else None
    assert page.user is not None
    mine = [s for s in case.get("scores", []) if s["username"] == page.user.username]
    return {"case": case, "rubric": rubric, "ikm": ikm, "regency": regency, "photos": pictures[case["product_id"]],
            "state": queue_state(case, page.user.username), "my_score": mine[-1] if mine else None}


async def _ikm_or_none(page: Page, ikm_id: str) -> dict[str, Any] | None:
    """The IKM's sector and regency for the curator; a role the registry does not let read IKM still
    gets the case."""
    try:
        ikm: dict[str, Any] = await page.api.get("registry", f"/ikms/{ikm_id}")
    except ApiFailure:
        return None
    return ikm


@router.get("/cases/{case_id}")
async def case_page(page: UserPage, case_id: uuid.UUID, scored: int = 0) -> Response:
    return page.render("cases/show.html", values={}, errors={}, scored=bool(scored),
                       **await _case_view(page, case_id))


@router.post("/cases/{case_id}/scores")
async def score(page: UserPage, case_id: uuid.UUID, form: Form) -> Response:
    view = await _case_view(page, case_id)
    rubric = view["rubric"]
    items = [(k, v) for k, v in form.multi_items() if isinstance(v, str)]
    body = scores_body(items, [g["code"] for g in rubric["gates"]], [c["code"] for c in rubric["criteria"]])
    correcting = view["my_score"] is not None
    try:
        if correcting:
            await page.api.put("curation", f"/cases/{case_id}/scores/mine", body)
        else:
            await page.api.post("curation", f"/cases/{case_id}/scores", body)
    except ApiFailure as failure:
        if failure.status not in (403, 409, 422):
            raise
        errors = errors_by_field(failure.field_errors(), page.lang) or {"body": page.api_message(failure.body)}
        return page.render("cases/show.html", status_code=failure.status, values=dict(items), errors=errors,
                           scored=False, **view)
    return redirect(f"/cases/{case_id}?scored=1")


@router.post("/cases/{case_id}/conflicts")
async def declare_conflict(page: UserPage, case_id: uuid.UUID, form: Form) -> Response:
    """The curator steps down (curation assigns another); the case leaves their queue."""
    body = {"reason": str(form.get("reason", "")).strip()}
    note = str(form.get("note", "")).strip()
    if note:
        body["note"] = note
    try:
        await page.api.post("curation", f"/cases/{case_id}/conflicts", body)
    except ApiFailure as failure:
        if failure.status not in (403, 409, 422):
            raise
        errors = errors_by_field(failure.field_errors(), page.lang) or {"body": page.api_message(failure.body)}
        view = await _case_view(page, case_id)
        return page.render("cases/show.html", status_code=failure.status, values={}, errors={},
                           conflict_errors=errors, conflict_values=body, scored=False, **view)
    return redirect("/cases?stepped_down=1")
