"""The app factory: the ASGI app for one MongoDB URI."""

import asyncio
import contextlib
import gc
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

from pymongo.errors import PyMongoError
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from app.core.documents import Event
from app.core.encryption import data_keys
from app.core.http import access_logs
from app.core.http.metrics_endpoint import metrics_endpoint
from app.core.http.middleware import BodyLimitMiddleware, RequestIdMiddleware
from app.core.http.rate_limits import RateLimitMiddleware
from app.core.http.request_metrics import RequestMetricsMiddleware
from app.core.settings import Settings
from app.core.store.db import database_answers, init_database, make_client
from app.core.store.outages import OutageDeadlineMiddleware
from resolvers.change_feed import ChangeFeed
from resolvers.events.ingestion import EventWriter
from resolvers.privacy.audit import AuditLog, load_or_create_key
from resolvers.recommendations.keeping import StateKeeper
from resolvers.recommendations.service import RecommendationService
from schema.graphiql import BUILT_ASSETS, graphiql_routes
from schema.http import PathwiseGraphQL
from schema.rest.demo import demo_routes
from schema.rest.events import events_endpoint
from schema.rest.exports import export_my_data
from schema.rest.unavailable import database_error_response
from schema.schema import build_schema
from schema.web_apps import WebAppsFallback, web_apps

log = logging.getLogger("pathwise")
READY_TIMEOUT_S = 1.0
CLOSE_TIMEOUT_S = 2.0  # closing the client must not hold up shutdown when the database is gone


async def healthz(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    state = request.app.state
    if not await database_answers(state.client, state.settings.database, timeout_s=READY_TIMEOUT_S):
        return JSONResponse({"status": "database unavailable"}, status_code=503)
    if not state.warming.done():  # learners' serving states are being built: a restart must not be felt
        return JSONResponse({"status": "warming"}, status_code=503)
    return JSONResponse({"status": "ready"})


async def _warm(service: RecommendationService, keeper: StateKeeper, settings: Settings, freeze_heap: bool) -> None:
    """Learners' profiles embedded, then their serving states built, both within the warm-up time; /readyz says
    503 until then. Then, for a server process (`freeze_heap`), what start-up built is frozen."""
    deadline = time.monotonic() + settings.serving_state_warm_seconds
    try:
        await service.profiles_warmed(settings.serving_state_warm_seconds)
        built = await keeper.warm(settings.serving_state_size, max(0.0, deadline - time.monotonic()))
        log.info("built %d learners' serving states ahead of their requests", built)
    except Exception:  # an optimisation: learners' first requests build their states instead
        log.exception("warming learners' serving states failed")
    finally:
        if freeze_heap:
            # What start-up built (models, the catalog, warmed states: most of the heap) lives as long as the
            # process; the cycle collector's full passes over it took 0.65 s at once under load (bench/serving.py).
            # Frozen, it is left out of the collector's passes (still freed by reference counting); garbage is
            # collected first, so none is frozen with it.
            gc.collect()
            gc.freeze()
            # Collect cycles once a request's worth of objects outlives its request, not while they are in use.
            gc.set_threshold(settings.gc_young_threshold, *gc.get_threshold()[1:])


def create_app(settings: Settings, mongodb_uri: str, freeze_heap: bool = False) -> Starlette:
    """The app; its lifespan connects to `mongodb_uri` and creates indexes. `freeze_heap`: the app is the whole
    process (`pathwise serve`), so what its start-up built is frozen out of the cycle collector's way."""

    access_logs.install()
    data_keys.configure(settings)  # the keyring that opens learners' data keys (README, "Encryption at rest")

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        client: Any = make_client(mongodb_uri, select_timeout_ms=settings.database_select_timeout_ms,
                                  reply_timeout_ms=settings.database_timeout_ms)
        await init_database(client, settings.database, settings.event_retention_days, settings.audit_retention_days)
        app.state.client = client
        app.state.settings = settings
        writer = EventWriter(Event.get_pymongo_collection(), settings.ingest_batch_size, settings.ingest_flush_ms,
                             settings.ingest_max_pending)
        await writer.start()
        app.state.event_writer = writer
        audit_key = load_or_create_key(settings.data_dir)
        app.state.audit_log = audit_log = AuditLog(audit_key)
        service = RecommendationService(settings)
        await service.start()
        app.state.recommendations = service
        feed = ChangeFeed(audit_key, poll_seconds=settings.change_poll_seconds)  # other processes' writes and ours
        feed.start()
        keeper = StateKeeper(service)
        keeper.start()
        app.state.warming = asyncio.create_task(_warm(service, keeper, settings, freeze_heap),
                                                name="warm-serving-states")
        log.info("pathwise ready on database %r", settings.database)
        try:
            yield
        finally:
            app.state.warming.cancel()
            await keeper.stop()
            await feed.stop()
            await service.stop()
            # everything acknowledged is stored; what is buffered is written now, or given up (never acknowledged)
            await writer.stop(settings.shutdown_flush_seconds)
            await audit_log.flush()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(client.close(), CLOSE_TIMEOUT_S)

    assets = settings.graphiql_assets or BUILT_ASSETS
    graphql = PathwiseGraphQL(build_schema(settings), settings, assets)
    middleware = [
        Middleware(RequestMetricsMiddleware),
        Middleware(RequestIdMiddleware),
        Middleware(OutageDeadlineMiddleware, seconds=settings.database_select_timeout_ms / 1000),
        Middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes),
        Middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["GET", "POST", "OPTIONS"],
                   allow_headers=["authorization", "content-type", "x-request-id"], max_age=600),
        Middleware(RateLimitMiddleware, verifier=graphql.verifier, per_token=settings.rate_limit_per_minute,
                   per_ip=settings.rate_limit_anonymous_per_minute),
    ]
    routes = [
        Route("/graphql", graphql, methods=["GET", "POST"]),
        *graphiql_routes(settings.graphiql, assets),
        Route("/v1/events", events_endpoint(settings), methods=["POST"]),
        Route("/v1/me/export", export_my_data, methods=["GET"]),
        *demo_routes(settings),
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/metrics", metrics_endpoint(graphql.verifier, settings.metrics_public), methods=["GET"]),
    ]
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan,
                    exception_handlers={PyMongoError: database_error_response})
    # the learner app at / and the console at /console answer what no route does (web_apps.py)
    app.router.default = WebAppsFallback(web_apps(settings.web_apps_assets), app.router.default)
    return app
