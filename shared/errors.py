"""One error shape for all services, in words a registrar understands (Bahasa Indonesia first).

    {"code": "invalid_input", "message": "...", "message_en": "...",
     "errors": [{"field": "owner.nik", "message": "...", "message_en": "..."}]}
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from pydantic_core import PydanticCustomError
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger("sentra.errors")


class FieldError(BaseModel):
    field: str
    message: str
    message_en: str


class ErrorBody(BaseModel):
    code: str
    message: str
    message_en: str
    errors: list[FieldError] = []


class ApiError(Exception):
    """An error a caller can act on, with its HTTP status."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        message_en: str,
        errors: list[FieldError] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message_en)
        self.status = status
        self.body = ErrorBody(code=code, message=message, message_en=message_en, errors=errors or [])
        self.headers = headers


def invalid(field: str, message: str, message_en: str, status: int = 422) -> ApiError:
    """A single-field error raised by business rules (e.g. a region code that does not exist)."""
    return ApiError(status, "invalid_input", "Data tidak valid.", "Invalid data.",
                    [FieldError(field=field, message=message, message_en=message_en)])


def not_found(what: str, what_en: str) -> ApiError:
    return ApiError(404, "not_found", f"{what} tidak ditemukan.", f"{what_en} not found.")


def field_error(message: str, message_en: str) -> PydanticCustomError:
    """Raise inside a pydantic validator to give a bilingual message for that field."""
    return PydanticCustomError("sentra", message, {"en": message_en})


def _describe(err: dict[str, Any]) -> tuple[str, str]:
    """Indonesian and English wording of one pydantic error."""
    kind = err.get("type", "")
    ctx = err.get("ctx") or {}
    if kind == "sentra":
        return str(err["msg"]), str(ctx.get("en", err["msg"]))
    table: dict[str, tuple[str, str]] = {
        "missing": ("Wajib diisi.", "This field is required."),
        "string_too_short": ("Terlalu pendek (paling sedikit {min_length} karakter).",
                             "Too short (at least {min_length} characters)."),
        "string_too_long": ("Terlalu panjang (paling banyak {max_length} karakter).",
                            "Too long (at most {max_length} characters)."),
        "string_pattern_mismatch": ("Format tidak sesuai.", "Wrong format."),
        "string_type": ("Harus berupa teks.", "Must be text."),
        "int_parsing": ("Harus berupa bilangan bulat.", "Must be a whole number."),
        "int_type": ("Harus berupa bilangan bulat.", "Must be a whole number."),
        "int_from_float": ("Harus berupa bilangan bulat.", "Must be a whole number."),
        "float_parsing": ("Harus berupa angka.", "Must be a number."),
        "float_type": ("Harus berupa angka.", "Must be a number."),
        "bool_parsing": ("Harus ya atau tidak (true/false).", "Must be true or false."),
        "greater_than_equal": ("Tidak boleh kurang dari {ge}.", "Must be at least {ge}."),
        "greater_than": ("Harus lebih dari {gt}.", "Must be more than {gt}."),
        "less_than_equal": ("Tidak boleh lebih dari {le}.", "Must be at most {le}."),
        "less_than": ("Harus kurang dari {lt}.", "Must be less than {lt}."),
        "literal_error": ("Harus salah satu dari: {expected}.", "Must be one of: {expected}."),
        "enum": ("Harus salah satu dari: {expected}.", "Must be one of: {expected}."),
        "date_parsing": ("Tanggal tidak valid (format TTTT-BB-HH).", "Invalid date (format YYYY-MM-DD)."),
        "date_from_datetime_parsing": ("Tanggal tidak valid (format TTTT-BB-HH).",
                                       "Invalid date (format YYYY-MM-DD)."),
        "date_type": ("Tanggal tidak valid (format TTTT-BB-HH).", "Invalid date (format YYYY-MM-DD)."),
        "uuid_parsing": ("Pengenal (ID) tidak valid.", "Invalid identifier."),
        "uuid_type": ("Pengenal (ID) tidak valid.", "Invalid identifier."),
        "list_type": ("Harus berupa daftar.", "Must be a list."),
        "dict_type": ("Harus berupa objek.", "Must be an object."),
        "model_type": ("Harus berupa objek.", "Must be an object."),
        "model_attributes_type": ("Harus berupa objek.", "Must be an object."),
        "too_short": ("Terlalu sedikit isian (paling sedikit {min_length}).",
                      "Too few items (at least {min_length})."),
        "too_long": ("Terlalu banyak isian (paling banyak {max_length}).", "Too many items (at most {max_length})."),
        "extra_forbidden": ("Kolom ini tidak dikenal.", "Unknown field."),
        "json_invalid": ("Isi permintaan bukan JSON yang valid.", "The request body is not valid JSON."),
        "value_error": ("{error}", "{error}"),
    }
    if kind in table:
        id_, en = table[kind]
        try:
            return id_.format(**ctx), en.format(**ctx)
        except (KeyError, IndexError):
            return id_, en
    return str(err.get("msg", "Tidak valid.")), str(err.get("msg", "Invalid."))


def field_path(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = list(loc)
    if parts and parts[0] in ("body", "query", "path", "header", "form"):
        parts = parts[1:]
    return ".".join(str(p) for p in parts) or "body"


def validation_errors(errors: list[dict[str, Any]] | Any) -> list[FieldError]:
    out: list[FieldError] = []
    for err in errors:
        message, message_en = _describe(err)
        # For a body that is not JSON at all the location ends in a character offset, not a field.
        field = "body" if err.get("type") == "json_invalid" else field_path(err.get("loc", ()))
        out.append(FieldError(field=field, message=message, message_en=message_en))
    return out


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(exc.body.model_dump(), status_code=exc.status, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        body = ErrorBody(code="invalid_input", message="Data tidak valid.", message_en="Invalid data.",
                         errors=validation_errors(exc.errors()))
        return JSONResponse(body.model_dump(), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        words = {404: ("Tidak ditemukan.", "Not found."), 405: ("Metode tidak diizinkan.", "Method not allowed.")}
        message, message_en = words.get(exc.status_code, (str(exc.detail), str(exc.detail)))
        body = ErrorBody(code=f"http_{exc.status_code}", message=message, message_en=message_en)
        return JSONResponse(body.model_dump(), status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(DataError)
    async def _unstorable(_: Request, exc: DataError) -> JSONResponse:
        # A value the validators let through but the database refuses: the caller's input, not a
        # server fault. The statement's parameters are hidden (shared.db), so this logs no data.
        log.warning("the database refused a value: %s", type(exc.orig).__name__)
        body = ErrorBody(code="invalid_input", message="Ada nilai yang tidak dapat disimpan oleh basis data; "
                         "periksa karakter khusus atau angka yang terlalu besar.",
                         message_en="A value cannot be stored by the database; check for special characters "
                         "or numbers that are too large.")
        return JSONResponse(body.model_dump(), status_code=422)

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)
        body = ErrorBody(code="internal_error", message="Terjadi kesalahan pada server; tim TI sudah dicatat.",
                         message_en="Server error; it has been logged for the IT team.")
        return JSONResponse(body.model_dump(), status_code=500)
