"""Requests per minute per client: by token subject, else by IP; 429 with Retry-After; health checks exempt."""

from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from app.core.http.rate_limits import RateLimitMiddleware
from app.core.settings import Settings
from app.core.tokens import Role, TokenVerifier, issue_token


async def ok(request: Request) -> PlainTextResponse:
    return PlainTextResponse("ok")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path, jwt_secret=SecretStr("s" * 40))


def limited(settings: Settings, per_token: int, per_ip: int) -> RateLimitMiddleware:
    app = Starlette(routes=[Route("/graphql", ok, methods=["GET", "POST"]), Route("/v1/events", ok, methods=["POST"]),
                            Route("/healthz", ok)])
    return RateLimitMiddleware(app, TokenVerifier(settings), per_token=per_token, per_ip=per_ip)


def client(app: RateLimitMiddleware, ip: str, token: str | None = None) -> httpx.AsyncClient:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(ip, 1234)), base_url="http://t",
                             headers=headers)


async def test_an_ip_over_its_limit_gets_429_with_retry_after_and_other_ips_do_not(settings: Settings) -> None:
    app = limited(settings, per_token=100, per_ip=3)
    async with client(app, "10.0.0.1") as first, client(app, "10.0.0.2") as second:
        assert [(await first.get("/graphql")).status_code for _ in range(3)] == [200] * 3
        refused = await first.post("/graphql")
        assert (await second.get("/graphql")).status_code == 200
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "20"  # 3 a minute: one more in 20 s
    assert refused.json()["errors"][0]["extensions"] == {"code": "RATE_LIMITED", "retryAfter": 20}


async def test_a_token_is_limited_by_its_subject_wherever_it_comes_from(settings: Settings) -> None:
    app = limited(settings, per_token=2, per_ip=100)
    ana = issue_token(settings, "ana", [Role.LEARNER], timedelta(hours=1))
    ana_again = issue_token(settings, "ana", [Role.LEARNER], timedelta(hours=2))
    bob = issue_token(settings, "bob", [Role.LEARNER], timedelta(hours=1))
    async with client(app, "10.0.0.1", ana) as one, client(app, "10.0.0.2", ana_again) as two, \
            client(app, "10.0.0.1", bob) as other, client(app, "10.0.0.1") as anonymous:
        assert [(await one.get("/graphql")).status_code, (await two.get("/graphql")).status_code] == [200, 200]
        assert (await one.get("/graphql")).status_code == 429
        assert (await other.get("/graphql")).status_code == 200
        assert (await anonymous.get("/graphql")).status_code == 200


async def test_a_bad_token_counts_against_the_ip(settings: Settings) -> None:
    app = limited(settings, per_token=100, per_ip=1)
    async with client(app, "10.0.0.1", "not-a-jwt") as forged, client(app, "10.0.0.1") as anonymous:
        assert (await forged.get("/graphql")).status_code == 200
        assert (await anonymous.get("/graphql")).status_code == 429


async def test_the_query_token_of_send_beacon_counts_as_a_token(settings: Settings) -> None:
    app = limited(settings, per_token=100, per_ip=1)
    token = issue_token(settings, "ana", [Role.LEARNER], timedelta(hours=1))
    async with client(app, "10.0.0.1") as beacon:
        statuses = [(await beacon.post("/v1/events", params={"token": token})).status_code for _ in range(3)]
        anonymous = [(await beacon.post("/v1/events")).status_code for _ in range(2)]
    assert statuses == [200, 200, 200]
    assert anonymous == [200, 429]


async def test_health_checks_and_zero_limits_are_not_limited(settings: Settings) -> None:
    app = limited(settings, per_token=0, per_ip=1)
    token = issue_token(settings, "ana", [Role.LEARNER], timedelta(hours=1))
    async with client(app, "10.0.0.1") as probe, client(app, "10.0.0.1", token) as ana:
        assert [(await probe.get("/healthz")).status_code for _ in range(5)] == [200] * 5
        assert [(await ana.get("/graphql")).status_code for _ in range(5)] == [200] * 5
