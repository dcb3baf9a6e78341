"""While the database is known to be gone, each request's database work shares one short deadline: every
request is answered (UNAVAILABLE) within about a second, however many operations it makes, and each still
looks for the database, so the first one after its return succeeds."""

import asyncio

import pymongo
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.store.db import database_reachable

UNAVAILABLE_BODY = {"errors": [{"message": "the database is unavailable; retry shortly",
                                "extensions": {"code": "UNAVAILABLE"}}]}


class OutageDeadlineMiddleware:
    """Database operations fail (UNAVAILABLE) after `seconds`; as the driver looks for a server only every
    half second, a request still running a quarter second later is cut off and answered 503 UNAVAILABLE here."""

    def __init__(self, app: ASGIApp, seconds: float) -> None:
        self.app = app
        self.seconds = seconds
        self.cut_off_s = seconds + 0.25

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = getattr(scope["app"].state, "client", None) if scope["type"] == "http" else None
        if client is None or database_reachable(client):
            await self.app(scope, receive, send)
            return
        started = False

        async def tracked_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        cut_off = asyncio.timeout(self.cut_off_s)
        try:
            with pymongo.timeout(self.seconds):
                async with cut_off:
                    await self.app(scope, receive, tracked_send)
        except TimeoutError:
            if started or not cut_off.expired():
                raise
            response = JSONResponse(UNAVAILABLE_BODY, status_code=503, headers={"retry-after": "1"})
            await response(scope, receive, send)
