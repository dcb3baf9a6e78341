"""GET /metrics: the Prometheus exposition of this process's metrics (app/core/metrics.py), process metrics
included. Readable from loopback (a request no proxy forwarded), with an admin's bearer token, or by anyone
when `PATHWISE_METRICS_PUBLIC` is on; otherwise 401 without a valid token, 403 for another role."""

import ipaddress
from collections.abc import Awaitable, Callable
from typing import Any

from prometheus_client import REGISTRY
from prometheus_client.exposition import choose_encoder
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from app.core.tokens import InvalidTokenError, Role, TokenVerifier

FORWARDED_HEADERS = ("forwarded", "x-forwarded-for", "x-real-ip")


def metrics_endpoint(verifier: TokenVerifier, public: bool) -> Callable[[Request], Awaitable[Response]]:
    async def metrics(request: Request) -> Response:
        refusal = None if public or from_loopback(request) else _refusal(request, verifier)
        if refusal is not None:
            return refusal
        encoder, content_type = choose_encoder(request.headers.get("accept", ""))
        return Response(encoder(REGISTRY), headers={"content-type": content_type, "cache-control": "no-store"})

    return metrics


def from_loopback(request: Request) -> bool:
    """Whether the request comes from this machine itself, not through a proxy."""
    if request.client is None or any(name in request.headers for name in FORWARDED_HEADERS):
        return False
    try:
        return ipaddress.ip_address(request.client.host).is_loopback
    except ValueError:
        return False


def _refusal(request: Request, verifier: TokenVerifier) -> Response | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return _error(401, "UNAUTHENTICATED", "metrics need an admin's bearer token off this machine")
    try:
        principal = verifier.verify(token.strip())
    except InvalidTokenError as error:
        return _error(401, "UNAUTHENTICATED", f"invalid token: {error}")
    if not principal.has_any(Role.ADMIN):
        return _error(403, "FORBIDDEN", "only admins may read metrics")
    return None


def _error(status: int, code: str, message: str) -> JSONResponse:
    body: dict[str, Any] = {"errors": [{"message": message, "extensions": {"code": code}}]}
    headers = {"www-authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, headers=headers)
