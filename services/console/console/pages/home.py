"""`/`: what the signed-in user has to do today, by role."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from console.client import ApiFailure
from console.forms import queue_state
from console.web import Page, UserPage

router = APIRouter()

# Enough to count a curator's queue in one call; a longer queue says "500 or more".
QUEUE_LIMIT = 500


async def registrar_work(page: Page) -> dict[str, Any]:
    """Imports still queued or running (the newest 50 are enough to find them)."""
    imports = await page.api.get("registry", "/imports", limit=50)
    running = [i for i in imports["items"] if i["status"] in ("queued", "running")]
    return {"imports": running}


async def curator_work(page: Page) -> dict[str, Any]:
    assert page.user is not None
    try:
        cases = await page.api.get("curation", "/cases", curator_id="me", limit=QUEUE_LIMIT)
    except ApiFailure as failure:
        if failure.status == 422:  # a curator role without a curator profile in curation
            return {"not_a_curator": page.api_message(failure.body)}
        raise
    waiting = [c for c in cases["items"] if queue_state(c, page.user.username) == "waiting"]
    return {"waiting": len(waiting), "waiting_capped": cases["total"] > QUEUE_LIMIT, "next_cases": waiting[:5]}


@router.get("/")
async def home(page: UserPage) -> Response:
    assert page.user is not None
    jobs: dict[str, Any] = {}
    if page.user.has("registrar"):
        jobs["registrar"] = registrar_work(page)
    if "curator" in page.user.roles:  # an admin has no queue of their own
        jobs["curator"] = curator_work(page)
    results = dict(zip(jobs, await asyncio.gather(*jobs.values()), strict=True))
    return page.render("home.html", work=results)
