"""The FastAPI application: API under /api/v1, health endpoints, problem+json errors."""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import Any, Literal

import psycopg
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.types import ASGIApp

from accounts.endpoints import router as accounts_router
from api import problems
from api.control_chars import RefuseControlChars
from api.headers import SecurityHeaders
from api.limits import BodyLimit
from api.observe import ObserveRequests
from carving.endpoints import router as carving_router
from core import metrics
from core.db import connect, database_url, make_pool
from core.settings import Settings, get_settings
from db import migrate as migrations
from embeddings.embedder import configured_embedder
from employers.endpoints import router as employers_router
from jobseekers.endpoints import router as jobseekers_router
from jobseekers.path_endpoints import router as path_router
from matching.endpoints import router as matching_router
from matching.engine import MatchingEngine, configured_engine
from matching.follower import Follower, embed_stale_and_load
from matching.snapshot import Snapshots, database_identity
from notifications import events as notice_events
from notifications.endpoints import router as notifications_router
from placements.endpoints import router as placements_router
from privacy.endpoints import router as privacy_router
from recruitment.endpoints import router as recruitment_router
from server.notify import notify_periodically
from server.retention import purge_periodically
from services.endpoints import router as services_router
from web.routes import control_character_page
from web.routes import install as install_pages

log = logging.getLogger("kohtaamo")


class Health(BaseModel):
    status: Literal["ok"]


class ReadinessChecks(BaseModel):
    database: str = Field(description="ok, or unreachable (and why)")
    migrations: str | dict[str, list[str]] | None = Field(
        default=None, description="current, or the pending ones; absent when the database is unreachable"
    )
    index: dict[str, Any] = Field(
        description="The matching index: its state, model, sizes, whether it came from its snapshots, and"
        " whether each side's BM25 is built (bm25_built; after a restart it is built after ready, and"
        " rankings use the vectors alone until then: not a readiness condition)"
    )


class Readiness(BaseModel):
    status: Literal["ready", "not ready"]
    checks: ReadinessChecks


def start_matching(settings: Settings, url: str) -> tuple[MatchingEngine, Follower]:
    """Load the embedder, embed what is stale, load the index (from its snapshots under
    ``<data_dir>/index`` when usable) and start following changes."""
    embedder = configured_embedder(settings)
    engine = configured_engine(embedder, settings)
    with connect(url) as conn:
        snapshots = Snapshots(settings.data_dir / "index", embedder.model_id, database_identity(conn))
    follower = Follower(engine, url, snapshots=snapshots)
    follower.start()
    follower.listening.wait(timeout=10)
    with connect(url) as conn:
        for kind, report in embed_stale_and_load(conn, engine, snapshots).items():
            if report.embedded:
                log.info("embedded %d %s texts at start-up", report.embedded, kind)
    return engine, follower


def _lag(app: FastAPI) -> int | None:
    """How many logged changes this process's matching index has not applied yet, or None when the
    database cannot say (it is down: ``/readyz`` tells that)."""
    follower = getattr(app.state, "follower", None)
    if follower is None:
        return None
    try:
        with connect(app.state.database_url, autocommit=True) as conn:
            return int(follower.lag(conn))
    except psycopg.Error:
        return None


def _may_read_metrics(request: Request, token: str | None) -> bool:
    """With a metrics token set, only its bearer; without one, a client on the loopback interface."""
    if token:
        given = request.headers.get("authorization", "")
        return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())
    host = request.client.host if request.client else ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the application; the lifespan migrates the database, opens the pool and purges what has
    expired (server/retention.py)."""
    settings = settings or get_settings()
    notice_events.install()  # the services' events become notices (core/signals.py)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        url = database_url(settings)
        with connect(url, autocommit=True) as conn:
            migrations.migrate(conn)
        pool = make_pool(url, settings)
        app.state.pool = pool
        app.state.settings = settings
        app.state.database_url = url
        engine, follower = start_matching(settings, url)
        app.state.engine = engine
        app.state.follower = follower
        purging = asyncio.create_task(purge_periodically(url))
        notifying = asyncio.create_task(notify_periodically(url, settings))
        try:
            yield
        finally:
            for task in (purging, notifying):
                task.cancel()
                with suppress(asyncio.CancelledError):
                    await task
            follower.stop()
            pool.close()

    app = FastAPI(
        title="Kohtaamo",
        version="0.1.0",
        description="Employer matching and hidden-job-market coordination for employment areas.",
        lifespan=lifespan,
    )
    problems.install(app)

    # Routes are tried in order. Matching first: the rankings are the busiest requests, and trying the
    # ~100 routes before them cost each ranking ~0.1 ms (bench/results/PROFILE.md); none of its paths
    # overlaps another router's. Placements before employers: its /contacts/due must be matched before
    # employers' /contacts/{contact_id}.
    routers = (
        matching_router,
        accounts_router,
        placements_router,
        employers_router,
        jobseekers_router,
        path_router,
        recruitment_router,
        services_router,
    )
    for router in (*routers, carving_router, privacy_router, notifications_router):
        app.include_router(router, prefix="/api/v1")

    @app.get("/healthz", tags=["health"], response_model=Health)
    def healthz() -> dict[str, str]:
        """The process is alive."""
        return {"status": "ok"}

    @app.get(
        "/readyz",
        tags=["health"],
        responses={
            200: {"model": Readiness, "description": "Ready to serve"},
            503: {"model": Readiness, "description": "Not ready: the checks say why"},
        },
    )
    def readyz() -> JSONResponse:
        """The database is reachable, its migrations are current and the matching index is loaded (its
        BM25, built after ready on a restart, is reported but not waited for)."""
        checks: dict[str, Any] = {}
        ready = True
        try:
            with app.state.pool.connection(timeout=2) as conn:
                conn.execute("SELECT 1")
                missing = [m.version for m in migrations.pending(conn)]
            checks["database"] = "ok"
            checks["migrations"] = "current" if not missing else {"pending": missing}
            ready = not missing
        except Exception as exc:  # any failure to reach the database means "not ready"
            checks["database"] = f"unreachable ({type(exc).__name__})"
            ready = False
            with suppress(Exception):
                app.state.pool.check()  # drop the broken connections: the pool opens new ones
        engine = getattr(app.state, "engine", None)
        checks["index"] = engine.status() if engine is not None else {"state": "not started"}
        ready = ready and engine is not None and engine.state == "ready"
        return JSONResponse(
            {"status": "ready" if ready else "not ready", "checks": checks}, status_code=200 if ready else 503
        )

    @app.get(
        "/metrics",
        tags=["health"],
        response_class=Response,
        responses={
            200: {
                "description": "Prometheus text format: request latency by route template, ranking stages,"
                " index size and lag, embedding queue",
                "content": {metrics.CONTENT_TYPE: {"schema": {"type": "string"}}},
            },
            **problems.problem_responses(403),
        },
    )
    def metrics_endpoint(request: Request) -> Response:
        """The process's metrics, for Prometheus: to a bearer of ``KOHTAAMO_METRICS_TOKEN`` when it is
        set, otherwise to requests from the local host only (names and timings, no record's values)."""
        if not _may_read_metrics(request, settings.metrics_token):
            return problems.problem(
                403,
                "forbidden",
                "Forbidden",
                "metrics are open to the local host, or to a bearer of the metrics token",
                instance=request.url.path,
            )
        engine = getattr(app.state, "engine", None)
        if engine is not None:
            status = engine.status()
            metrics.set_index_state("need", size=int(status["needs"]))
            metrics.set_index_state("jobseeker", size=int(status["jobseekers"]), lag=_lag(app))
        return Response(metrics.exposition(), media_type=metrics.CONTENT_TYPE)

    install_pages(app)  # the pages under /, after every other route: its catch-all 404 page comes last
    # The last added runs first: the body limit bounds the body that the control-character check reads whole.
    app.add_middleware(RefuseControlChars, page_reply=control_character_page)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    # The headers go outside the whole stack, error handling included, so that every reply has them: a
    # 413 or a 422 from the layers above, and the 500 that Starlette's outermost layer writes.
    docs = {url for url in (app.docs_url, app.redoc_url, app.swagger_ui_oauth2_redirect_url) if url}
    build = app.build_middleware_stack

    def secured() -> ASGIApp:
        # Every reply (a 413 or a 500 too) is timed and carries its request id.
        observed = ObserveRequests(build())
        return SecurityHeaders(observed, docs=docs, cacheable=("/static/", "/healthz", "/readyz"))

    app.build_middleware_stack = secured  # type: ignore[method-assign]
    return app
