"""Assembling a service: one FastAPI app with its database, broker, outbox relay and consumer.

Every service calls `create_service_app`; the differences between services are their routers,
their event handlers, the events they publish and their migrations.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from faststream.redis import RedisBroker
from faststream.specification import AsyncAPI
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from redis.asyncio import Redis
from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.auth import Principal, require_roles
from shared.consumer import EventConsumer, Handler, ensure_groups
from shared.db import database_reachable, make_engine, make_read_engine, migrate, session_scope
from shared.docs_ui import install_docs
from shared.errors import install_error_handlers
from shared.events import EVENT_TYPES
from shared.headers import safe_correlation_id, security_headers
from shared.ids import new_id
from shared.limits import BodyLimit
from shared.logs import configure_logging, correlation
from shared.openapi import install as declare_error_replies
from shared.outbox import OutboxRelay
from shared.retention import StreamTrimmer
from shared.revocation import RevocationRefresher, Revocations
from shared.settings import ServiceSettings, UnsafeSettings

log = logging.getLogger("sentra.web")

HTTP_REQUESTS = Counter("sentra_http_requests_total", "HTTP requests", ["method", "route", "status"])
HTTP_LATENCY = Histogram("sentra_http_request_seconds", "HTTP request latency", ["method", "route"])


class Runtime:
    """What a running service holds: settings, database, broker, relay and consumer."""

    def __init__(self, settings: ServiceSettings, handlers: dict[str, Handler]) -> None:
        self.settings = settings
        url = settings.resolved_database_url()
        self.engine: Engine = make_engine(url)
        self.read_engine: Engine = make_read_engine(url, self.engine)
        # FastStream logs every subscriber start and task callback at INFO: keep that for debugging only.
        broker_log = logging.getLogger(f"sentra.{settings.service_name}.broker")
        broker_log.setLevel(logging.DEBUG if settings.log_level.upper() == "DEBUG" else logging.WARNING)
        self.broker = RedisBroker(settings.redis_url, logger=broker_log)
        self.redis: Redis = Redis.from_url(settings.redis_url, socket_timeout=5, socket_connect_timeout=2)
        self.relay = OutboxRelay(self.engine, self.redis, read_engine=self.read_engine,
                                 poll_s=settings.relay_poll_s, linger_s=settings.batch_linger_ms / 1000,
                                 batch=settings.relay_batch, lock_name=settings.service_name,
                                 keep_published=timedelta(days=settings.outbox_retain_days))
        self.trimmer = StreamTrimmer(self.redis, settings.service_name, settings.stream_retain_s,
                                     settings.stream_trim_s)
        # Where an `api` process's commits wake the `worker`'s relay (ADR 0015).
        self.wake_channel = f"sentra:{settings.service_name}:outbox"
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Task[None] | None = None
        self.consumer: EventConsumer | None = None
        if handlers:
            self.consumer = EventConsumer(
                self.broker, self.redis, self.engine,
                group=settings.service_name,
                consumer_name=settings.consumer_name or f"{settings.service_name}-{socket.gethostname()}",
                handlers=handlers,
                max_deliveries=settings.max_deliveries,
                claim_idle_ms=settings.claim_idle_ms,
                read_batch=settings.read_batch,
                max_event_bytes=settings.max_event_bytes,
                linger_s=settings.batch_linger_ms / 1000,
                on_applied=self.relay.notify,
            )
        for event_type in EVENT_TYPES.values():
            if event_type.producer == settings.service_name:
                self.broker.publisher(event_type.stream, title=event_type.name,
                                      description=event_type.summary,
                                      schema=event_type.versions[event_type.current_version])
        self._supervisor: asyncio.Task[None] | None = None
        self._timers: list[asyncio.Task[None]] = []
        self.broker_started = False
        self.revocations = Revocations()
        self.revocation_refresher = RevocationRefresher(self.redis, self.revocations, settings.revocation_refresh_s)

    async def start(self, migrations_dir: Path) -> None:
        self._loop = asyncio.get_running_loop()
        if self.settings.run_migrations:
            await asyncio.to_thread(migrate, self.engine, migrations_dir)
        self.revocation_refresher.start()
        if not self.settings.does_background_work:
            # An `api` process: its commits leave outbox rows for the `worker` process's relay.
            return
        self.relay.start()
        self.trimmer.start()
        self._supervisor = asyncio.create_task(self._supervise(), name="broker-supervisor")
        if self.settings.role == "worker":
            self._timers.append(asyncio.create_task(self._listen_for_wakes(), name="relay-wakes"))

    def notify_relay(self) -> None:
        """Outbox rows were committed: wake the relay that publishes them (callable from any thread).

        In-process when this process runs the relay; from an `api` process, a PUBLISH on
        `wake_channel` that the `worker` listens to (one at a time: wake-ups that come while one is
        on its way ride with it). If Redis is away the wake-up is lost, and the worker's relay finds
        the rows at its next poll (`SENTRA_RELAY_POLL_S`)."""
        if self.settings.does_background_work:
            self.relay.notify()
            return
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._send_wake)

    def _send_wake(self) -> None:
        # A commit made while a wake-up is on its way is seen by it: the worker reads the outbox
        # only after the message arrives (and its linger).
        if self._wake is None or self._wake.done():
            self._wake = asyncio.create_task(self._publish_wake(), name="relay-wake")

    async def _publish_wake(self) -> None:
        try:
            await self.redis.publish(self.wake_channel, b"1")
        except Exception as exc:  # Redis away: the worker's relay polls
            log.debug("relay wake-up not sent: %s", exc)

    async def _listen_for_wakes(self) -> None:
        """A `worker` process: wake the relay whenever an `api` process of the service committed."""
        delay = 0.5
        while True:
            try:
                async with self.redis.pubsub(ignore_subscribe_messages=True) as pubsub:
                    await pubsub.subscribe(self.wake_channel)
                    delay = 0.5
                    while True:
                        # A bounded wait, not `listen()`: the client's 5 s socket timeout would
                        # end a silent listen as if Redis had gone.
                        if await pubsub.get_message(timeout=1.0) is not None:
                            self.relay.notify()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("relay wake-ups unavailable (%s); polling every %.1fs meanwhile",
                            exc, self.settings.relay_poll_s)
                self.relay.notify()  # rows may have been committed while the channel was away
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)

    async def _supervise(self) -> None:
        """Start the broker once Redis answers, and restart it if a subscriber stops.

        A subscriber stops for good when Redis lost its group (restarted without persistence):
        recreating the groups and restarting keeps the service consuming (STACK.md, trap 5).
        """
        delay = 0.5
        while True:
            try:
                if not self.broker_started:
                    if self.consumer is not None:
                        await ensure_groups(self.redis, self.consumer.streams, self.consumer.group)
                    await self.broker.start()
                    self.broker_started = True
                    delay = 0.5
                    log.info("broker started")
                elif any(not sub.running for sub in self.broker.subscribers):
                    log.warning("a subscriber stopped; recreating groups and restarting the broker")
                    await self.broker.stop()
                    self.broker_started = False
                    continue
                await asyncio.sleep(2.0)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("Redis not ready (%s); retrying in %.1fs", exc, delay)
                with contextlib.suppress(Exception):
                    await self.broker.stop()
                self.broker_started = False
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)

    def run_periodically(self, name: str, interval_s: float, work: Callable[[Session], int]) -> None:
        """Run `work` every `interval_s` seconds in its own write transaction: the one mechanism for
        a service's timers (approvals expiring, booth holds lapsing). `work` returns how many things
        it changed; a pass that changed any wakes the relay for the events it staged. A failed pass
        is logged and tried again at the next tick. Stopped with the service. Not run in an `api`
        process (its `worker` runs it)."""
        if not self.settings.does_background_work:
            return

        def one_pass() -> int:
            with session_scope(self.engine) as session:
                changed = work(session)
            if changed:
                log.info("%s: %d changed", name, changed)
                self.notify_relay()
            return changed

        async def forever() -> None:
            while True:
                try:
                    await asyncio.to_thread(one_pass)
                except asyncio.CancelledError:
                    raise
                except Exception:
                    log.exception("%s failed; trying again in %.0fs", name, interval_s)
                await asyncio.sleep(interval_s)

        self._timers.append(asyncio.create_task(forever(), name=name))

    async def stop(self) -> None:
        if self._wake is not None:
            self._timers.append(self._wake)
        for timer in self._timers:
            timer.cancel()
        for timer in self._timers:
            with contextlib.suppress(asyncio.CancelledError):
                await timer
        if self._supervisor is not None:
            self._supervisor.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._supervisor
        await self.relay.stop()
        await self.trimmer.stop()
        await self.revocation_refresher.stop()
        with contextlib.suppress(Exception):
            await self.broker.stop()
        with contextlib.suppress(Exception):
            await self.redis.aclose()
        self.engine.dispose()
        self.read_engine.dispose()


def runtime_of(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


class UnitOfWork:
    """A request's transaction: business rows and outbox rows commit together, then the relay wakes."""

    def __init__(self, session: Session, runtime: Runtime) -> None:
        self.session = session
        self._runtime = runtime

    def commit(self) -> None:
        self.session.commit()
        self._runtime.notify_relay()


def _unit_of_work(request: Request) -> Iterator[UnitOfWork]:
    runtime = runtime_of(request)
    with Session(runtime.engine, expire_on_commit=False) as session:
        try:
            yield UnitOfWork(session, runtime)
        finally:
            session.rollback()


def _session(request: Request) -> Iterator[Session]:
    with Session(runtime_of(request).read_engine) as session:
        yield session


UnitOfWorkDep = Annotated[UnitOfWork, Depends(_unit_of_work)]
SessionDep = Annotated[Session, Depends(_session)]


def _ops_router() -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get("/healthz", summary="The process is alive")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/readyz", summary="Database and Redis are reachable",
                responses={503: {"description": "Not ready: the database or Redis does not answer (same body)"}})
    async def readyz(request: Request) -> JSONResponse:
        runtime = runtime_of(request)
        db_ok = await asyncio.to_thread(database_reachable, runtime.read_engine)
        try:
            redis_ok = bool(await asyncio.wait_for(runtime.redis.ping(), timeout=2))
        except Exception:
            redis_ok = False
        ok = db_ok and redis_ok
        return JSONResponse({"status": "ready" if ok else "not_ready", "database": db_ok, "redis": redis_ok,
                             "consuming": runtime.broker_started, "role": runtime.settings.role},
                            status_code=200 if ok else 503)

    @router.get("/metrics", summary="Prometheus metrics", response_class=Response,
                responses={200: {"content": {"text/plain": {}}, "description": "Prometheus text format"}})
    def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    # Operators' reading: it names the Redis server the service uses.
    @router.get("/asyncapi", summary="AsyncAPI document of the events this service publishes and consumes")
    def asyncapi(request: Request, _: Annotated[Principal, Depends(require_roles("operator"))]) -> JSONResponse:
        runtime = runtime_of(request)
        spec = AsyncAPI(runtime.broker, title=f"Sentra {runtime.settings.service_name} events",
                        version="1", description="Streams, consumer group and payloads (shared/events.py).")
        return JSONResponse(spec.to_specification().to_jsonable())

    return router


class RequestMetrics:
    """Every request: its correlation id (the caller's `x-correlation-id` if short and plain, or a
    new one) on each log line and on the reply, the security headers, and its latency and status in
    the metrics. Plain ASGI: Starlette's
    `BaseHTTPMiddleware` cost about a millisecond of CPU per request (bench/chain.py, API run)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = safe_correlation_id(next((v for k, v in scope.get("headers", ())
                                               if k == b"x-correlation-id"), None)) or new_id().hex
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                message["headers"] = [*headers, *security_headers(scope["path"], headers),
                                      (b"x-correlation-id", request_id.encode("ascii"))]
            await send(message)

        try:
            with correlation(request_id):
                await self.app(scope, receive, send_with_id)
        finally:
            path = getattr(scope.get("route"), "path", "unmatched")
            HTTP_LATENCY.labels(scope["method"], path).observe(time.perf_counter() - started)
            HTTP_REQUESTS.labels(scope["method"], path, str(status)).inc()


def settle_heap() -> None:
    """Once start-up has loaded what the service keeps (code, schemas, mappers and, in the registry,
    the BPS regions: about 250,000 objects), move it out of the garbage collector's sight and let
    the young generation grow larger before a collection. Every full collection used to walk all
    of it: a third of the CPU of a bulk import (8,000 rows in-process: 1.9-2.2 s of CPU with
    Python's defaults, 1.4 s frozen with a threshold of 10,000; ADR 0013)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)


def create_service_app(
    *,
    settings: ServiceSettings,
    title: str,
    description: str,
    routers: list[APIRouter],
    handlers: dict[str, Handler],
    migrations_dir: Path,
    on_startup: Callable[[Runtime], Awaitable[None]] | None = None,
) -> FastAPI:
    configure_logging(settings.service_name, settings.log_level, settings.log_json)
    try:
        for problem in settings.refuse_if_unsafe():
            log.warning("development mode (SENTRA_DEV_MODE): %s", problem)
    except UnsafeSettings as exc:
        log.critical("%s", exc)
        raise SystemExit(2) from exc
    runtime = Runtime(settings, handlers)

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await runtime.start(migrations_dir)
        if on_startup is not None:
            await on_startup(runtime)
        settle_heap()
        try:
            yield
        finally:
            await runtime.stop()

    app = FastAPI(title=title, description=description, version="0.1.0", lifespan=lifespan,
                  docs_url=None, redoc_url=None)
    install_docs(app, title)
    app.state.runtime = runtime
    app.state.settings = settings
    app.state.revocations = runtime.revocations
    install_error_handlers(app)
    declare_error_replies(app)

    app.add_middleware(BodyLimit, body_max_bytes=settings.body_max_bytes, upload_max_bytes=settings.upload_max_bytes)
    app.add_middleware(RequestMetrics)  # added last: outermost, so a 413 is counted and carries its id

    app.include_router(_ops_router())
    if settings.serves_api:
        for router in routers:
            app.include_router(router)
    return app
