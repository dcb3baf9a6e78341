"""Requests per minute per client, on every endpoint but the health checks: 429 with `Retry-After` beyond."""

import json
from urllib.parse import parse_qs

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from app.core.http.token_buckets import TokenBuckets
from app.core.tokens import InvalidTokenError, TokenVerifier

UNLIMITED_PATHS = frozenset({"/healthz", "/readyz"})


class RateLimitMiddleware:
    """A client is the subject of a valid bearer token (or `?token=`), else its IP. Buckets live in this process:
    with several server processes, each allows the limit."""

    def __init__(self, app: ASGIApp, verifier: TokenVerifier, per_token: int, per_ip: int) -> None:
        self.app = app
        self.verifier = verifier
        self.by_token = TokenBuckets(per_token) if per_token > 0 else None
        self.by_ip = TokenBuckets(per_ip) if per_ip > 0 else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in UNLIMITED_PATHS:
            await self.app(scope, receive, send)
            return
        subject = self._subject(scope)
        buckets, key = (self.by_token, f"user:{subject}") if subject else (self.by_ip, f"ip:{_ip(scope)}")
        wait = buckets.take(key) if buckets is not None else 0
        if wait:
            await _refuse(send, wait)
            return
        await self.app(scope, receive, send)

    def _subject(self, scope: Scope) -> str | None:
        token = _bearer(scope)
        if not token:
            return None
        try:
            return self.verifier.verify(token).user_id
        except InvalidTokenError:
            return None


def _bearer(scope: Scope) -> str | None:
    scheme, _, token = Headers(scope=scope).get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    values = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("token")
    return values[0] if values else None


def _ip(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


async def _refuse(send: Send, wait: int) -> None:
    body = json.dumps({"errors": [{
        "message": f"too many requests from this client; retry in {wait} s",
        "extensions": {"code": "RATE_LIMITED", "retryAfter": wait},
    }]}).encode()
    await send({"type": "http.response.start", "status": 429,
                "headers": [(b"content-type", b"application/json"), (b"retry-after", str(wait).encode()),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
