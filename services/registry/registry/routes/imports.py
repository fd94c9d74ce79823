"""Bulk imports of a kabupaten's file (docs/import-format.md)."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, File, Query, Request, UploadFile, status
from fastapi.responses import PlainTextResponse

from registry import service
from registry.import_format import read_import_file
from registry.schemas import ImportPublic, ImportStarted, ImportSummary, Page
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


@router.post("/imports", status_code=status.HTTP_202_ACCEPTED, response_model=ImportStarted,
             summary="Start importing a CSV or XLSX file of IKM (see GET /imports/template.csv)", openapi_extra=UPLOAD)
def start_import(
    request: Request, uow: UnitOfWorkDep, principal: Registrar,
    file: Annotated[UploadFile, File(description="CSV (comma or semicolon) or XLSX, one IKM per row")],
) -> ImportStarted:
    settings = request.app.state.settings
    limit: int = settings.import_max_bytes
    # The body was bounded as it arrived (SENTRA_UPLOAD_MAX_BYTES) and spooled to a temporary file;
    # the file itself may be smaller still.
    content = file.file.read(limit + 1)
    if len(content) > limit:
        raise _too_large(limit)
    filename = file.filename or "import"
    parsed = read_import_file(content, filename, settings.import_max_rows)
    job = service.create_import(uow.session, filename, content, parsed, principal)
    uow.commit()
    importer = getattr(request.app.state, "importer", None)
    if importer is not None:
        importer.notify()
    # else an `api` process (ADR 0015): the `worker`'s importer finds the job at its next poll.
    return ImportStarted(id=job.id, sheet=parsed.sheet, header_row=parsed.header_line, warnings=list(parsed.warnings))


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
