"""The importer: works through queued imports in the background of the registry process.

An asyncio task finds work (woken by a new upload, else polling) and runs each import in a thread,
so the service keeps answering while 15,000 rows go in. Rows are committed in chunks; each chunk
commits its new IKM, their outbox rows and the import's progress together, and each row runs in a
savepoint, so a bad row never takes its neighbours with it. After a crash the import is taken over
(by this process after a restart, or by another replica) once its lease runs out, and resumes after
the last committed row: nothing is registered or published twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
import uuid
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import or_
from sqlalchemy.engine import Engine
from sqlalchemy.orm import defer
from sqlmodel import Session, col, select

from registry import service
from registry.import_format import read_import_file
from registry.import_mapping import Mapping
from registry.settings import RegistrySettings
from registry.tables import ImportJob
from shared.auth import Principal
from shared.errors import ApiError
from shared.events import utcnow
from shared.worker import BackgroundWorker

log = logging.getLogger("sentra.registry.importer")
# The job's row without its file: the file (up to SENTRA_IMPORT_MAX_BYTES, sealed) is read and
# decrypted once per import, not again with every chunk's progress.
WITHOUT_FILE = [defer(ImportJob.content)]  # type: ignore[arg-type]


class Importer(BackgroundWorker):
    name = "importer"

    def __init__(self, engine: Engine, settings: RegistrySettings, on_commit: Callable[[], None]) -> None:
        super().__init__(settings.import_poll_s)
        self._engine = engine
        self._settings = settings
        self._on_commit = on_commit  # wakes the outbox relay
        self._running: asyncio.Future[None] | None = None

    async def one_pass(self) -> bool:
        job_id = await asyncio.to_thread(self._claim)
        if job_id is None:
            return False
        self._running = asyncio.ensure_future(asyncio.to_thread(self._work, job_id))
        # Shielded: on shutdown the thread finishes its chunk instead of being abandoned.
        await asyncio.shield(self._running)
        return True

    async def stop(self) -> None:
        """Let the running chunk commit, then stop; the import resumes at the next start."""
        await super().stop()
        if self._running is not None:
            with contextlib.suppress(Exception):
                await self._running
            self._running = None

    def _lease(self) -> timedelta:
        return timedelta(seconds=self._settings.import_lease_s)

    def _claim(self) -> uuid.UUID | None:
        """Take the oldest queued import, or a running one whose worker stopped renewing its lease."""
        now = utcnow()
        with Session(self._engine, expire_on_commit=False) as session:
            job = session.exec(
                select(ImportJob)
                .where(col(ImportJob.status).in_(("queued", "running")),
                       or_(col(ImportJob.lease_until).is_(None), col(ImportJob.lease_until) < now))
                .order_by(col(ImportJob.created_at)).limit(1).with_for_update(skip_locked=True)
            ).first()
            if job is None:
                return None
            if job.status == "running":
                log.info("resuming import %s after row %d of %d", job.id, job.processed, job.total)
            job.status = "running"
            job.lease_until = now + self._lease()
            job.updated_at = now
            session.commit()
            return job.id

    def _work(self, job_id: uuid.UUID) -> None:
        try:
            self._import(job_id)
        except Exception as exc:
            log.exception("import %s failed", job_id)
            with Session(self._engine) as session:
                job = session.get(ImportJob, job_id, options=WITHOUT_FILE)
                if job is not None:
                    job.status = "failed"
                    job.error = "Impor berhenti karena kesalahan server; unggah ulang berkasnya (baris yang sudah " \
                                "masuk akan dilewati)."
                    job.error_en = f"The import stopped on a server error ({type(exc).__name__}); upload the " \
                                   "file again (rows already in are skipped)."
                    job.finished_at = job.updated_at = utcnow()
                    job.lease_until = None
                    session.commit()

    def _import(self, job_id: uuid.UUID) -> None:
        settings = self._settings
        with Session(self._engine) as session:
            job = session.get(ImportJob, job_id)
            if job is None or job.content is None:
                return
            start, content, filename = job.processed, job.content, job.filename
            mapping, regency = Mapping.from_json(job.mapping), job.regency_code
            principal = Principal(username=job.created_by, roles=frozenset({"registrar"}))
        try:
            parsed = read_import_file(content, filename, settings.import_max_rows, mapping, regency)
        except ApiError as exc:  # checked at upload; only a changed limit gets here
            self._finish(job_id, "failed", exc.body.message, exc.body.message_en)
            return
        rows, labels = parsed.rows, parsed.labels
        exit_after = settings.fault_import_exit_after_rows
        position = start
        while position < len(rows):
            if self.stopping.is_set():
                return
            chunk = rows[position:position + settings.import_chunk_rows]
            with Session(self._engine, expire_on_commit=False) as session:
                job = session.get(ImportJob, job_id, options=WITHOUT_FILE)
                if job is None or job.processed != position:
                    return  # another worker took it over
                sentra_ids = service.sentra_ids_by_name(session)
                for row_number, result in service.import_rows(session, chunk, sentra_ids, principal, labels):
                    service.record_row(session, job, row_number, result, labels)
                    if exit_after is not None and job.processed >= exit_after:
                        session.flush()  # the chunk's rows reach the database, uncommitted, as in a real crash
                        log.critical("fault point: exiting mid-import %s at row %d", job_id, row_number)
                        os._exit(137)
                job.updated_at = utcnow()
                job.lease_until = job.updated_at + self._lease()
                session.commit()
            self._on_commit()
            position += len(chunk)
            time.sleep(0.002)  # let a request waiting for the write lock take it between chunks
        self._finish(job_id, "done")

    def _finish(self, job_id: uuid.UUID, status: str, error: str | None = None, error_en: str | None = None) -> None:
        with Session(self._engine) as session:
            job = session.get(ImportJob, job_id, options=WITHOUT_FILE)
            if job is None:
                return
            job.status = status
            job.error, job.error_en = error, error_en
            job.content = None  # the rows are in the register now; the file is not kept
            job.lease_until = None
            job.finished_at = job.updated_at = utcnow()
            session.commit()
        log.info("import %s %s", job_id, status)
