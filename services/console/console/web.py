"""What every page handler gets: the language, the signed-in user, the APIs with their token, the
CSRF token for its forms, and `render`, which fills a template in the chosen language."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

import httpx
from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.datastructures import FormData

from console import vocab
from console.client import Api, ApiUrls, RegionNames, SignedOut
from console.i18n import (
    LANG_COOKIE,
    LANGUAGES,
    Language,
    choose_language,
    format_date,
    format_datetime,
    format_decimal,
    format_money,
    format_number,
    parse_datetime,
    translations,
)
from console.security import (
    CSRF_FIELD,
    PRE_SESSION_COOKIE,
    SESSION_COOKIE,
    User,
    csrf_ok,
    csrf_token,
    read_token,
)
from console.settings import ConsoleSettings

TEMPLATES = Path(__file__).resolve().parent / "templates"


class CsrfRejected(Exception):
    """A POST without the token its form was given (a forged request, or a page left open too long)."""


def _when(value: Any) -> Any:
    return parse_datetime(value) if isinstance(value, str) else value


def _choices(mapping: dict[str, str], lang: Language) -> list[tuple[str, str]]:
    """A vocabulary as (code, label) options for a <select>, sorted by the label the user reads."""
    gettext = translations(lang).gettext
    return sorted(((code, gettext(text)) for code, text in mapping.items()), key=lambda option: option[1].lower())


def _label(mapping: dict[str, str], code: str | None, lang: Language) -> str:
    """One code in words (the code itself when the vocabulary lacks it, so nothing is hidden)."""
    if code is None:
        return "–"
    return translations(lang).gettext(mapping[code]) if code in mapping else code


def build_environments(tz: str) -> dict[Language, Environment]:
    """One Jinja2 environment per language, each with its catalogue installed and its formats bound."""
    envs: dict[Language, Environment] = {}
    for lang in LANGUAGES:
        env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                          extensions=["jinja2.ext.i18n"], trim_blocks=True, lstrip_blocks=True)
        env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
        env.filters["date"] = lambda v, lang=lang: format_date(_when(v), lang, tz)
        env.filters["datetime"] = lambda v, lang=lang: format_datetime(_when(v), lang, tz)
        env.filters["money"] = partial(format_money, lang=lang)
        env.filters["number"] = partial(format_number, lang=lang)
        env.filters["decimal"] = partial(format_decimal, lang=lang)
        env.globals["vocab"] = vocab
        env.globals["choices"] = partial(_choices, lang=lang)
        env.globals["label"] = partial(_label, lang=lang)
        env.globals["region_options"] = lambda regions: [(r["code"], r["name"]) for r in regions]
        env.globals["lang"] = lang
        envs[lang] = env
    return envs


@dataclass
class Page:
    request: Request
    settings: ConsoleSettings
    lang: Language
    user: User | None
    api: Api
    csrf: str
    regions: RegionNames

    def gettext(self, message: str) -> str:
        return translations(self.lang).gettext(message)

    def api_message(self, body: dict[str, Any]) -> str:
        """An API error's message in the page's language (the APIs answer in both)."""
        key = "message_en" if self.lang == "en" else "message"
        return str(body.get(key) or body.get("message") or self.gettext("Something went wrong."))

    def toggle_url(self) -> str:
        """This page in the other language (the query string kept, `lang` replaced)."""
        other = "en" if self.lang == "id" else "id"
        query = [(k, v) for k, v in self.request.query_params.multi_items() if k != "lang"]
        return f"{self.request.url.path}?{urlencode([*query, ('lang', other)])}"

    def render(self, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        envs: dict[Language, Environment] = self.request.app.state.environments
        html = envs[self.lang].get_template(template).render(
            page=self, user=self.user, csrf_field=CSRF_FIELD, csrf=self.csrf, path=self.request.url.path,
            **context)
        return HTMLResponse(html, status_code=status_code)


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


async def page_context(request: Request) -> Page:
    settings: ConsoleSettings = request.app.state.settings
    lang = choose_language(request.query_params.get("lang"), request.cookies.get(LANG_COOKIE))
    token = request.cookies.get(SESSION_COOKIE)
    user = read_token(token)
    binding = token if user else request.cookies.get(PRE_SESSION_COOKIE, "")
    http: httpx.AsyncClient = request.app.state.http
    urls: ApiUrls = request.app.state.urls
    return Page(request=request, settings=settings, lang=lang, user=user,
                api=Api(http, urls, token if user else None),
                csrf=csrf_token(settings.secret_key.get_secret_value(), binding) if binding else "",
                regions=request.app.state.regions)


async def signed_in(page: Annotated[Page, Depends(page_context)]) -> Page:
    if page.user is None:
        raise SignedOut
    return page


async def checked_form(request: Request, page: Annotated[Page, Depends(page_context)]) -> FormData:
    """The posted form, once its CSRF token matches the cookie it was issued for."""
    form = await request.form()
    binding = request.cookies.get(SESSION_COOKIE) if page.user else request.cookies.get(PRE_SESSION_COOKIE)
    token = form.get(CSRF_FIELD)
    if not csrf_ok(page.settings.secret_key.get_secret_value(), binding, token if isinstance(token, str) else None):
        raise CsrfRejected
    return form


AnyPage = Annotated[Page, Depends(page_context)]
UserPage = Annotated[Page, Depends(signed_in)]
Form = Annotated[FormData, Depends(checked_form)]
