"""Who may read GET /metrics: loopback (not forwarded), an admin's token, or anyone when it is public."""

from datetime import timedelta
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.routing import Route
from starlette.testclient import TestClient

from app.core.http.metrics_endpoint import metrics_endpoint
from app.core.settings import Settings
from app.core.tokens import Role, TokenVerifier, issue_token

REMOTE = ("203.0.113.9", 40000)
LOOPBACK = ("127.0.0.1", 40000)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path, jwt_secret="metrics-test-secret-of-enough-length-0123456789")


def client(settings: Settings, source: tuple[str, int], public: bool = False) -> TestClient:
    app = Starlette(routes=[Route("/metrics", metrics_endpoint(TokenVerifier(settings), public))])
    return TestClient(app, client=source)


def bearer(settings: Settings, *roles: Role) -> dict[str, str]:
    return {"authorization": f"Bearer {issue_token(settings, 'ops-1', list(roles), timedelta(minutes=5))}"}


def test_loopback_reads_metrics_without_a_token(settings: Settings) -> None:
    response = client(settings, LOOPBACK).get("/metrics")
    assert response.status_code == 200
    assert "pathwise_http_requests_total" in response.text and "process_cpu_seconds_total" in response.text
    assert response.headers["cache-control"] == "no-store"


def test_a_learner_token_from_elsewhere_is_forbidden(settings: Settings) -> None:
    response = client(settings, REMOTE).get("/metrics", headers=bearer(settings, Role.LEARNER))
    assert response.status_code == 403
    assert response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"


def test_from_elsewhere_without_a_valid_token_is_unauthenticated(settings: Settings) -> None:
    for headers in ({}, {"authorization": "Bearer not-a-jwt"}):
        response = client(settings, REMOTE).get("/metrics", headers=headers)
        assert response.status_code == 401
        assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_a_request_a_proxy_forwarded_from_loopback_needs_a_token(settings: Settings) -> None:
    response = client(settings, LOOPBACK).get("/metrics", headers={"x-forwarded-for": "198.51.100.7"})
    assert response.status_code == 401


def test_an_admin_token_reads_metrics_from_anywhere(settings: Settings) -> None:
    assert client(settings, REMOTE).get("/metrics", headers=bearer(settings, Role.ADMIN)).status_code == 200


def test_public_metrics_need_nothing(settings: Settings) -> None:
    assert client(settings, REMOTE, public=True).get("/metrics").status_code == 200


def test_openmetrics_is_served_to_who_asks_for_it(settings: Settings) -> None:
    response = client(settings, LOOPBACK).get("/metrics", headers={"accept": "application/openmetrics-text"})
    assert response.headers["content-type"].startswith("application/openmetrics-text")
    assert response.text.endswith("# EOF\n")
