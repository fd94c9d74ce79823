"""Every call the console makes to the three APIs, with the signed-in user's token. A 401 becomes
`SignedOut` (back to /login); any other failure becomes `ApiFailure` carrying the API's own message."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx

Service = Literal["registry", "curation", "exhibitions"]


class SignedOut(Exception):
    """The API refused the token (expired, or signed with another key)."""


@dataclass
class ApiFailure(Exception):
    """An answer the page cannot use: the API's status and error body (the one error shape), or 503
    with no body when the service did not answer."""

    status: int
    body: dict[str, Any] = field(default_factory=dict)

    def field_errors(self) -> list[dict[str, str]]:
        errors = self.body.get("errors")
        return [e for e in errors if isinstance(e, dict)] if isinstance(errors, list) else []


@dataclass(frozen=True)
class ApiUrls:
    registry: str
    curation: str
    exhibitions: str

    def of(self, service: Service) -> str:
        return str(getattr(self, service)).rstrip("/")


class Api:
    """The APIs as one user sees them (one per request)."""

    def __init__(self, http: httpx.AsyncClient, urls: ApiUrls, token: str | None) -> None:
        self.http = http
        self.urls = urls
        self.token = token

    async def request(self, service: Service, method: str, path: str, **kw: Any) -> httpx.Response:
        headers = dict(kw.pop("headers", {}))
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        try:
            response = await self.http.request(method, f"{self.urls.of(service)}{path}", headers=headers, **kw)
        except httpx.HTTPError as exc:
            raise ApiFailure(503, {"code": "unavailable"}) from exc
        if response.status_code == 401 and self.token:
            raise SignedOut
        if response.status_code >= 400:
            try:
                body = response.json()
            except ValueError:
                body = {}
            raise ApiFailure(response.status_code, body if isinstance(body, dict) else {})
        return response

    async def get(self, service: Service, path: str, **params: Any) -> Any:
        clean = {k: v for k, v in params.items() if v not in (None, "")}
        return (await self.request(service, "GET", path, params=clean)).json()

    async def post(self, service: Service, path: str, body: Any) -> Any:
        return (await self.request(service, "POST", path, json=body)).json()

    async def put(self, service: Service, path: str, body: Any) -> Any:
        return (await self.request(service, "PUT", path, json=body)).json()

    async def sign_in(self, username: str, password: str, browser_address: str | None = None) -> str:
        """The registry's OAuth2 password form; raises ApiFailure (401 included, 429 when throttled).
        The browser's address goes along as X-Forwarded-For: the registry throttles failed sign-ins
        per address, and every sign-in through the console would otherwise share the console's."""
        headers = {"X-Forwarded-For": browser_address} if browser_address else {}
        try:
            response = await self.http.post(f"{self.urls.registry.rstrip('/')}/auth/token", headers=headers,
                                            data={"username": username, "password": password})
        except httpx.HTTPError as exc:
            raise ApiFailure(503, {"code": "unavailable"}) from exc
        if response.status_code != 200:
            raise ApiFailure(response.status_code, _json_or_empty(response))
        token: str = response.json()["access_token"]
        return token


def _json_or_empty(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


class RegionNames:
    """Region names by BPS code, asked of the registry once per process: names do not change while
    it runs, and a page of 25 IKM would otherwise ask for the same nine regencies again and again."""

    def __init__(self) -> None:
        self._names: dict[str, str] = {}
        self._children: dict[str, list[dict[str, str]]] = {}

    async def name(self, api: Api, code: str | None) -> str:
        if not code:
            return "–"
        if code not in self._names:
            try:
                region = await api.get("registry", f"/regions/{code}")
            except ApiFailure:
                return code  # shown as the code only when the registry cannot name it
            self._names[code] = str(region["name"])
        return self._names[code]

    async def names(self, api: Api, codes: list[str]) -> dict[str, str]:
        unique = [c for c in dict.fromkeys(codes) if c]
        found = await asyncio.gather(*(self.name(api, c) for c in unique))
        return dict(zip(unique, found, strict=True))

    async def children(self, api: Api, code: str) -> list[dict[str, str]]:
        """The regions directly below `code`, sorted by name; their names join the cache. (A village an
        admin adds appears in the forms after the console restarts.)"""
        if code not in self._children:
            try:
                items = await api.get("registry", f"/regions/{code}/children")
            except ApiFailure:
                return []
            for item in items:
                self._names[item["code"]] = item["name"]
            self._children[code] = sorted(({"code": i["code"], "name": i["name"]} for i in items),
                                          key=lambda r: r["name"])
        return self._children[code]
