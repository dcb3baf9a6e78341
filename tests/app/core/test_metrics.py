"""GET /metrics on a live server after real traffic, and the counting calls of app/core/metrics.py."""

from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from prometheus_client import REGISTRY, CollectorRegistry, Histogram
from prometheus_client.parser import text_string_to_metric_families

from app.core import metrics
from app.core.store.supervision import restart_count
from app.core.timestamps import utcnow
from app.core.tokens import Role
from tests.conftest import LiveServer
from tests.schema.test_http import codes, gql

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]
LEARNER = "metrics-learner-7f3a"
COURSE = "metrics-course-9c1e"
RECOMMEND = "query($s: String!) { recommendations(strategy: $s, first: 3) { strategy items { course { id } } } }"


def parsed(text: str) -> Samples:
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def total(samples: Samples, name: str, **labels: str) -> float:
    """The sum over every series of `name` that has at least `labels`."""
    wanted = set(labels.items())
    return sum(v for (n, have), v in samples.items() if n == name and wanted <= have)


def scrape(server: LiveServer) -> Samples:
    response = httpx.get(f"{server.base_url}/metrics", timeout=30)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return parsed(response.text)


@pytest.fixture(scope="module")
def traffic(live_server: LiveServer) -> Iterator[tuple[Samples, Samples]]:
    """/metrics before and after: one good query, one BAD_USER_INPUT, one recommendation list, one event batch."""
    before = scrape(live_server)
    with live_server.client("metrics-partner", Role.PARTNER) as partner:
        added = gql(partner, "mutation($c: [CourseInput!]!) { upsertCourses(input: $c) { errors { message } } }",
                    {"c": [{"id": COURSE, "title": "Metrics course"}]})
        assert added["data"]["upsertCourses"]["errors"] == []  # type: ignore[index]
    with live_server.client(LEARNER) as learner:
        assert "errors" not in gql(learner, "query ListRecommenders { recommenders { name } }")
        assert codes(gql(learner, RECOMMEND, {"s": "no-such-strategy"})) == ["BAD_USER_INPUT"]
        assert "errors" not in gql(learner, RECOMMEND, {"s": "popular"})
        events = [{"eventId": "m1", "type": "enroll", "courseId": COURSE},
                  {"eventId": "m1", "type": "enroll", "courseId": COURSE},
                  {"eventId": "m2", "type": "enroll", "courseId": "metrics-no-such-course"}]
        assert learner.post("/v1/events", json={"events": events}).json()["rejected"] == 1
    yield before, scrape(live_server)


def test_graphql_requests_are_timed_by_operation_and_errors_counted_by_code(
        traffic: tuple[Samples, Samples]) -> None:
    before, after = traffic
    count = "pathwise_graphql_request_duration_seconds_count"
    for operation, more in (("ListRecommenders", 1), ("recommendations", 2), ("upsertCourses", 1)):
        assert value(after, count, operation=operation) - value(before, count, operation=operation) == more
    errors = "pathwise_graphql_errors_total"
    assert value(after, errors, code="BAD_USER_INPUT") - value(before, errors, code="BAD_USER_INPUT") == 1


def test_requests_are_counted_by_route_and_status(traffic: tuple[Samples, Samples]) -> None:
    before, after = traffic
    requests = "pathwise_http_requests_total"
    assert value(after, requests, route="/graphql", status="200") - value(
        before, requests, route="/graphql", status="200") == 4
    assert value(after, requests, route="/v1/events", status="200") - value(
        before, requests, route="/v1/events", status="200") == 1
    assert value(after, requests, route="/metrics", status="200") >= 1  # the first scrape
    assert total(after, "pathwise_http_request_duration_seconds_count", route="/v1/events", method="POST") >= 1


def test_recommendations_are_counted_by_strategy_and_basis_with_cache_lookups(
        traffic: tuple[Samples, Samples]) -> None:
    before, after = traffic
    served = "pathwise_recommendations_served_total"
    assert total(after, served) - total(before, served) == 1
    labels = {dict(have)["basis"] for (name, have), v in after.items() if name == served and v > 0}
    assert labels <= {"PERSONALIZED", "NOT_CONSENTED", "SWITCHED_OFF", "NOTHING_KNOWN_YET", "FALLBACK"}
    lookups = "pathwise_recommendation_cache_lookups_total"
    assert value(after, lookups, result="miss") - value(before, lookups, result="miss") == 1


def test_events_are_counted_by_outcome_and_their_lag_observed(traffic: tuple[Samples, Samples]) -> None:
    before, after = traffic
    events = "pathwise_events_total"
    for status, code in (("accepted", "none"), ("duplicate", "none"), ("rejected", "NOT_FOUND")):
        assert value(after, events, status=status, code=code) - value(before, events, status=status, code=code) == 1
    lag = "pathwise_event_ingestion_lag_seconds_count"
    assert value(after, lag) - value(before, lag) >= 1
    assert value(after, "pathwise_event_queue_depth") == 0


def test_store_commands_restarts_and_the_process_are_exposed(traffic: tuple[Samples, Samples]) -> None:
    before, after = traffic
    commands = "pathwise_store_command_duration_seconds_count"
    assert value(after, commands, command="insert") > value(before, commands, command="insert")
    assert ("pathwise_store_restarts_total", frozenset()) in after
    assert value(after, "process_resident_memory_bytes") > 0


def test_no_label_names_a_user_or_a_course(traffic: tuple[Samples, Samples]) -> None:
    _, after = traffic
    values = {label for _, labels in after for _, label in labels}
    assert not any(secret in label for label in values for secret in (LEARNER, COURSE, "metrics-no-such"))


def test_labels_fed_by_clients_are_bounded() -> None:
    label = metrics.BoundedLabel(limit=2)
    assert [label(v) for v in ("a", "b", "c", "a")] == ["a", "b", metrics.OTHER, "a"]
    assert label("x" * 65) == label("bad value") == label("é") == metrics.OTHER


def test_ingestion_lag_is_read_from_the_arrival_time() -> None:
    def lag_count() -> float:
        return REGISTRY.get_sample_value("pathwise_event_ingestion_lag_seconds_count") or 0.0

    before = lag_count()
    now = utcnow()
    metrics.events_stored([{"server_timestamp": now - timedelta(seconds=2)}, {"no": "timestamp"}], now)
    assert lag_count() - before == 1


def test_a_batchs_events_are_counted_each_by_outcome() -> None:
    def count(status: str, code: str) -> float:
        return REGISTRY.get_sample_value("pathwise_events_total", {"status": status, "code": code}) or 0.0

    before = (count("accepted", "none"), count("rejected", "NOT_FOUND"), count("duplicate", "none"))
    metrics.events_ingested([("accepted", None)] * 3 + [("rejected", "NOT_FOUND"), ("accepted", None)])
    after = (count("accepted", "none"), count("rejected", "NOT_FOUND"), count("duplicate", "none"))
    assert [b - a for a, b in zip(before, after, strict=True)] == [4, 1, 0]


def test_store_restarts_are_read_from_the_supervisor_at_scrape_time() -> None:
    assert REGISTRY.get_sample_value("pathwise_store_restarts_total") == restart_count()


@pytest.mark.parametrize("amount", [0.0, 0.004, 0.1, 2.5, 1e9])
def test_a_weighted_observation_is_that_many_observations(amount: float) -> None:
    def samples(histogram: Histogram, registry: CollectorRegistry) -> list[tuple[str, dict[str, str], float]]:
        return [(s.name, s.labels, s.value) for metric in registry.collect() for s in metric.samples
                if not s.name.endswith("_created")]

    one_by_one, weighted = CollectorRegistry(), CollectorRegistry()
    first = Histogram("lag_seconds", "", buckets=metrics.FAST_BUCKETS, registry=one_by_one)
    second = Histogram("lag_seconds", "", buckets=metrics.FAST_BUCKETS, registry=weighted)
    for _ in range(7):
        first.observe(amount)
    metrics.observe_many(second, amount, 7)
    expected, got = samples(first, one_by_one), samples(second, weighted)
    assert [(name, labels) for name, labels, _ in expected] == [(name, labels) for name, labels, _ in got]
    assert [value for *_, value in got] == pytest.approx([value for *_, value in expected])


def test_a_batchs_lag_is_observed_once_per_event() -> None:
    def lag_count() -> float:
        return REGISTRY.get_sample_value("pathwise_event_ingestion_lag_seconds_count") or 0.0

    before, now = lag_count(), utcnow()
    arrived = now - timedelta(seconds=1)
    metrics.events_stored([{"server_timestamp": arrived}] * 500 + [{"server_timestamp": now}], now)
    assert lag_count() - before == 501
