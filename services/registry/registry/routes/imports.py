"""Bulk imports of a kabupaten's file (docs/import-format.md)."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile, status
from fastapi.responses import PlainTextResponse

from registry import import_preview, service
from registry.import_schemas import ImportAnswer, ImportPreview, MappingUpdate
from registry.schemas import ImportPublic, ImportSummary, Page
from shared.auth import Principal, require_roles
from shared.bounds import Limit, Offset
from shared.errors import ApiError
from shared.limits import UPLOAD, size_words
from shared.web import SessionDep, UnitOfWorkDep

router = APIRouter(tags=["imports"])

Registrar = Annotated[Principal, Depends(require_roles("registrar"))]

TEMPLATE = Path(__file__).resolve().parent.parent / "data" / "import-template.csv"


def _too_large(limit: int) -> ApiError:
    return ApiError(413, "file_too_large", f"Berkas terlalu besar: paling besar {size_words(limit)}; bagi berkasnya.",
                    f"The file is too large: at most {size_words(limit)}; split it.")


def _wake_importer(request: Request) -> None:
    importer = getattr(request.app.state, "importer", None)
    if importer is not None:
        importer.notify()
    # else an `api` process (ADR 0015): the `worker`'s importer finds the job at its next poll.


@router.post("/imports", status_code=status.HTTP_202_ACCEPTED, response_model=ImportAnswer,
             summary="Upload a CSV or XLSX file of IKM: a file in the template's format (GET /imports/template.csv) "
                     "runs at once, any other waits in status preview (GET /imports/{id}/preview)",
             openapi_extra=UPLOAD)
def start_import(
    request: Request, uow: UnitOfWorkDep, principal: Registrar,
    file: Annotated[UploadFile, File(description="CSV (comma or semicolon) or XLSX, one IKM per row")],
    mapping: Annotated[Literal["proposed"] | None, Form(
        description="'proposed': run at once with the proposed mapping, without a preview")] = None,
    regency_code: Annotated[str | None, Form(
        pattern=r"^[0-9]{4}$", description="the kabupaten, for a file that names it in neither its title nor "
                                           "a column")] = None,
) -> ImportAnswer:
    settings = request.app.state.settings
    limit: int = settings.import_max_bytes
    # The body was bounded as it arrived (SENTRA_UPLOAD_MAX_BYTES) and spooled to a temporary file;
    # the file itself may be smaller still.
    content = file.file.read(limit + 1)
    if len(content) > limit:
        raise _too_large(limit)
    filename = file.filename or "import"
    received = import_preview.receive(uow.session, filename, content, settings.import_max_rows, principal,
                                      run_now=mapping == "proposed", regency_code=regency_code)
    job, parsed = received.job, received.parsed
    answer = ImportAnswer(id=job.id, status=job.status, sheet=parsed.sheet, header_row=parsed.header_line,
                          warnings=list(parsed.warnings), profile=received.profile)
    uow.commit()
    if answer.status == "queued":
        _wake_importer(request)
    return answer


@router.get("/imports/{import_id}/preview", response_model=ImportPreview,
            summary="An import in preview: the table chosen, each column's field, the values that cannot be read, "
                    "the first rows as they would be stored")
def get_preview(import_id: uuid.UUID, request: Request, session: SessionDep, principal: Registrar) -> ImportPreview:
    return import_preview.preview(session, import_id, request.app.state.settings.import_max_rows, principal)


@router.put("/imports/{import_id}/mapping", response_model=ImportPreview,
            summary="Correct an import's columns, map its values (e.g. Kerajinan → kriya), optionally save the "
                    "mapping under a name; answers with the new preview")
def put_mapping(import_id: uuid.UUID, update: MappingUpdate, request: Request, uow: UnitOfWorkDep,
                principal: Registrar) -> ImportPreview:
    max_rows = request.app.state.settings.import_max_rows
    sheets = import_preview.set_mapping(uow.session, import_id, update, max_rows, principal)
    uow.commit()
    return import_preview.preview(uow.session, import_id, max_rows, principal, sheets)


@router.post("/imports/{import_id}/start", status_code=status.HTTP_202_ACCEPTED, response_model=ImportAnswer,
             summary="Run an import in preview with its mapping (422 with every problem left)")
def start_previewed(import_id: uuid.UUID, request: Request, uow: UnitOfWorkDep, _: Registrar) -> ImportAnswer:
    job, parsed = import_preview.start(uow.session, import_id, request.app.state.settings.import_max_rows)
    answer = ImportAnswer(id=job.id, status="queued", sheet=parsed.sheet, header_row=parsed.header_line,
                          warnings=list(parsed.warnings), profile=(job.mapping or {}).get("profile"))
    uow.commit()
    _wake_importer(request)
    return answer


@router.get("/imports/template.csv", response_class=PlainTextResponse, summary="The import template (header line)",
            responses={200: {"content": {"text/csv": {}}}})
def template(_: Registrar) -> PlainTextResponse:
    return PlainTextResponse(TEMPLATE.read_text(encoding="utf-8"), media_type="text/csv",
                             headers={"Content-Disposition": 'attachment; filename="import-template.csv"'})


@router.get("/imports", response_model=Page[ImportSummary], summary="Imports, newest first")
def list_imports(
    session: SessionDep, _: Registrar,
    limit: Limit = 50, offset: Offset = 0,
) -> Page[ImportSummary]:
    items, total = service.list_imports(session, limit, offset)
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.get("/imports/{import_id}", response_model=ImportPublic,
            summary="An import's progress, and each row not accepted with its reasons")
def get_import(
    import_id: uuid.UUID, session: SessionDep, _: Registrar,
    rows_offset: Offset = 0, rows_limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
) -> ImportPublic:
    return service.import_public(session, import_id, rows_offset, rows_limit)
