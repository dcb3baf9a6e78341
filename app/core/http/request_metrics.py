"""ASGI middleware timing every HTTP request for `/metrics`: requests by route and status; durations by route
and method, except GraphQL requests, timed by operation (the label the GraphQL layer leaves in the scope under
`OPERATION_KEY`) instead."""

import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core import metrics

OPERATION_KEY = "pathwise.operation"
GRAPHQL_PATH = "/graphql"
ANONYMOUS = "anonymous"
UNMATCHED = "unmatched"
METHODS = frozenset({"GET", "POST", "OPTIONS", "HEAD", "PUT", "PATCH", "DELETE"})


class RequestMetricsMiddleware:
    """Observe each HTTP request's duration (until the app returns) once it is answered."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._paths: frozenset[str] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500  # what the server answers when the app fails before it starts a response

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        started = time.perf_counter()
        try:
            await self.app(scope, receive, send_noting_status)
        finally:
            self._observe(scope, status, time.perf_counter() - started)

    def _observe(self, scope: Scope, status: int, seconds: float) -> None:
        route = self._route(scope)
        metrics.child(metrics.HTTP_REQUESTS, route, str(status)).inc()
        if route != GRAPHQL_PATH:
            method = scope["method"] if scope["method"] in METHODS else metrics.OTHER
            metrics.child(metrics.HTTP_DURATION, route, method).observe(seconds)
            return
        operation = scope.get(OPERATION_KEY)
        metrics.child(metrics.GRAPHQL_DURATION, operation or ANONYMOUS).observe(seconds)
        if operation is None and status == 429:  # refused by the rate limit before GraphQL saw it
            metrics.graphql_error("RATE_LIMITED")

    def _route(self, scope: Scope) -> str:
        """The matched route's path template; for a request answered before routing, its path if a route has
        it (else "unmatched")."""
        route = getattr(scope.get("route"), "path", None)
        if isinstance(route, str):
            return route
        if self._paths is None:
            app = scope.get("app")
            self._paths = frozenset(path for r in getattr(app, "routes", []) if isinstance(path := getattr(
                r, "path", None), str))
        return scope["path"] if scope["path"] in self._paths else UNMATCHED
