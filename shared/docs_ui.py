"""`/docs`, the API's interactive page, served with Swagger UI's files from the project (shared/static)
instead of a CDN: an office network without internet, or with a proxy that blocks CDNs, still gets
a working page, and the page's Content-Security-Policy can name 'self' only."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import FileResponse, HTMLResponse

ASSETS = Path(__file__).with_name("static") / "swagger-ui"
_FILES = {"swagger-ui-bundle.js": "text/javascript", "swagger-ui.css": "text/css",
          "favicon-32x32.png": "image/png"}


def install_docs(app: FastAPI, title: str) -> None:
    """Add `/docs`, its OAuth2 redirect and its three files; the app must be created with
    `docs_url=None, redoc_url=None`."""

    @app.get("/docs", include_in_schema=False)
    def docs(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "").rstrip("/")
        return get_swagger_ui_html(
            openapi_url=f"{root}{app.openapi_url}", title=f"{title} – API",
            oauth2_redirect_url=f"{root}/docs/oauth2-redirect",
            swagger_js_url=f"{root}/docs/swagger-ui-bundle.js", swagger_css_url=f"{root}/docs/swagger-ui.css",
            swagger_favicon_url=f"{root}/docs/favicon-32x32.png")

    @app.get("/docs/oauth2-redirect", include_in_schema=False)
    def oauth2_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    for name, media_type in _FILES.items():
        _serve(app, name, media_type)


def _serve(app: FastAPI, name: str, media_type: str) -> None:
    path = ASSETS / name

    @app.get(f"/docs/{name}", include_in_schema=False)
    def asset() -> FileResponse:
        # The same bytes until the next release of the project: a browser may keep them a day.
        return FileResponse(path, media_type=media_type, headers={"Cache-Control": "public, max-age=86400"})
