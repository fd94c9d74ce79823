"""The console: `uvicorn --factory console.app:create_app` (port CONSOLE_PORT, default 8000).

Server-rendered pages (Jinja2) with htmx served from console/static; no database, no Redis: every
piece of data comes from the three APIs with the signed-in user's token."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from urllib.parse import quote

import httpx
from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles

from console.client import ApiFailure, ApiUrls, RegionNames, SignedOut
from console.i18n import LANG_COOKIE, LANGUAGES
from console.pages import auth, cases, home, ikms, photos
from console.security import SESSION_COOKIE, security_headers
from console.settings import ConsoleSettings
from console.web import CsrfRejected, build_environments, page_context
from shared.limits import BodyLimit
from shared.logs import configure_logging
from shared.settings import UnsafeSettings

STATIC = Path(__file__).resolve().parent / "static"
YEAR = 365 * 24 * 3600
# htmx and the stylesheet change only with a release of the console.
STATIC_MAX_AGE = 24 * 3600


def create_app(settings: ConsoleSettings | None = None) -> FastAPI:
    settings = settings or ConsoleSettings()
    configure_logging("console", settings.log_level, settings.log_json)
    # The key signs the console's CSRF tokens: a published or short one would let any site forge them.
    log = logging.getLogger("sentra.console")
    try:
        for problem in settings.refuse_if_unsafe():
            log.warning("development mode (SENTRA_DEV_MODE): %s", problem)
    except UnsafeSettings as exc:
        log.critical(str(exc))
        raise SystemExit(2) from exc
    # One line per API call would drown the console's own messages (and name IKM ids in every line).
    logging.getLogger("httpx").setLevel(logging.WARNING)

    @contextlib.asynccontextmanager
    async def lifespan(a: FastAPI) -> AsyncIterator[None]:
        async with httpx.AsyncClient(timeout=settings.api_timeout_s) as http:
            a.state.http = http
            yield

    app = FastAPI(title="Sentra console", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    app.state.settings = settings
    app.add_middleware(BodyLimit, body_max_bytes=settings.body_max_bytes, upload_max_bytes=settings.upload_max_bytes)
    app.state.urls = ApiUrls(settings.registry_url, settings.curation_url, settings.exhibitions_url)
    app.state.regions = RegionNames()
    app.state.environments = build_environments(settings.timezone)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for module in (auth, home, ikms, cases, photos):
        app.include_router(module.router)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", include_in_schema=False)
    async def readyz() -> JSONResponse:
        """Ready when the three APIs answer: without them no page can be drawn."""
        http: httpx.AsyncClient = app.state.http
        urls: ApiUrls = app.state.urls

        async def answers(url: str) -> bool:
            try:
                return (await http.get(f"{url}/healthz", timeout=2)).status_code == 200
            except httpx.HTTPError:
                return False

        checks = await asyncio.gather(*(answers(urls.of(s)) for s in ("registry", "curation", "exhibitions")))
        return JSONResponse({"status": "ok" if all(checks) else "waiting"}, status_code=200 if all(checks) else 503)

    @app.middleware("http")
    async def headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response = await call_next(request)
        is_static = request.url.path.startswith("/static/")
        for name, value in security_headers(page=not is_static).items():
            response.headers.setdefault(name, value)
        if is_static:
            response.headers["Cache-Control"] = f"public, max-age={STATIC_MAX_AGE}"
        chosen = request.query_params.get("lang")
        if chosen in LANGUAGES and request.cookies.get(LANG_COOKIE) != chosen:
            response.set_cookie(LANG_COOKIE, chosen, max_age=YEAR, httponly=True, samesite="lax", path="/")
        return response

    @app.exception_handler(SignedOut)
    async def signed_out(request: Request, _: SignedOut) -> Response:
        target = "/login"
        if request.method == "GET" and request.url.path not in ("/", "/login"):
            target += "?next=" + quote(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
        if request.headers.get("HX-Request"):
            response: Response = Response(status_code=204, headers={"HX-Redirect": target})
        else:
            response = Response(status_code=303, headers={"Location": target})
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    @app.exception_handler(ApiFailure)
    async def api_failure(request: Request, exc: ApiFailure) -> Response:
        page = await page_context(request)
        status = exc.status if exc.status in (403, 404, 409, 422) else 502 if exc.status != 503 else 503
        return page.render("error.html", status_code=status, status=status, message=page.api_message(exc.body))

    @app.exception_handler(CsrfRejected)
    async def csrf_rejected(request: Request, _: CsrfRejected) -> Response:
        page = await page_context(request)
        return page.render("error.html", status_code=403, status=403, message=page.gettext(
            "This form has expired. Go back, reload the page and send it again."))

    @app.exception_handler(RequestValidationError)  # a malformed id in a page's path or query
    @app.exception_handler(404)
    async def not_found(request: Request, exc: Exception) -> Response:
        if request.url.path.startswith("/static/"):
            return JSONResponse({"detail": "Not Found"}, status_code=404)
        page = await page_context(request)
        return page.render("error.html", status_code=404, status=404,
                           message=page.gettext("There is no such page."))

    return app
