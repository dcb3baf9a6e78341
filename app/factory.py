"""The app factory: the ASGI app for one MongoDB URI."""

import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from app import access_logs
from app.db import database_answers, init_database, make_client
from app.documents import Event
from app.middleware import BodyLimitMiddleware, RequestIdMiddleware
from app.settings import Settings
from resolvers.ingestion import EventWriter
from resolvers.recommendation_service import RecommendationService
from schema.http import PathwiseGraphQL
from schema.rest.events import events_endpoint
from schema.rest.exports import export_my_data
from schema.schema import build_schema

log = logging.getLogger("pathwise")


async def healthz(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    state = request.app.state
    if await database_answers(state.client, state.settings.database):
        return JSONResponse({"status": "ready"})
    return JSONResponse({"status": "database unavailable"}, status_code=503)


def create_app(settings: Settings, mongodb_uri: str) -> Starlette:
    """The app; its lifespan connects to `mongodb_uri` and creates indexes."""

    access_logs.install()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        client: Any = make_client(mongodb_uri)
        await init_database(client, settings.database, settings.event_retention_days)
        app.state.client = client
        app.state.settings = settings
        writer = EventWriter(Event.get_pymongo_collection(), settings.ingest_batch_size, settings.ingest_flush_ms,
                             settings.ingest_max_pending)
        await writer.start()
        app.state.event_writer = writer
        service = RecommendationService(settings)
        await service.start()
        app.state.recommendations = service
        log.info("pathwise ready on database %r", settings.database)
        try:
            yield
        finally:
            await service.stop()
            await writer.stop()  # everything acknowledged is stored; what is buffered is written now
            await client.close()

    graphql = PathwiseGraphQL(build_schema(settings), settings)
    middleware = [
        Middleware(RequestIdMiddleware),
        Middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes),
        Middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["GET", "POST", "OPTIONS"],
                   allow_headers=["authorization", "content-type", "x-request-id"], max_age=600),
    ]
    routes = [
        Route("/graphql", graphql, methods=["GET", "POST"]),
        Route("/v1/events", events_endpoint(settings), methods=["POST"]),
        Route("/v1/me/export", export_my_data, methods=["GET"]),
        Route("/healthz", healthz),
        Route("/readyz", readyz),
    ]
    return Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
