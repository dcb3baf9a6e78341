"""Prometheus metrics of this process: the metric objects, and the calls that count into them.

Every label has a bounded set of values: routes, operation names, error codes, strategies, reason codes and
command names, never user or course ids. A label fed from what clients send keeps its first
`MAX_LABEL_VALUES` values; later ones count as "other". Read at `GET /metrics` (app/core/http/metrics_endpoint.py).
"""

import re
import threading
from collections import Counter as Tally
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import TypeVar

from prometheus_client import Counter, Gauge, Histogram
from prometheus_client.core import REGISTRY, CounterMetricFamily, Metric
from prometheus_client.metrics import MetricWrapperBase
from prometheus_client.registry import Collector

from app.core.store.supervision import restart_count
from app.core.timestamps import utcnow

MAX_LABEL_VALUES = 200
MAX_LABEL_LENGTH = 64
OTHER = "other"
_PRINTABLE = re.compile(r"^[\x21-\x7e]+$")
FAST_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)

HTTP_DURATION = Histogram("pathwise_http_request_duration_seconds",
                          "Time to answer an HTTP request but a GraphQL one, by route (the route's path template) "
                          "and method.",
                          ["route", "method"])
HTTP_REQUESTS = Counter("pathwise_http_requests", "HTTP requests answered, by route and status code.",
                        ["route", "status"])
GRAPHQL_DURATION = Histogram("pathwise_graphql_request_duration_seconds",
                             "Time to answer a GraphQL request, by operation (its name, else its root fields "
                             "sorted; \"anonymous\" when unknown).", ["operation"])
GRAPHQL_ERRORS = Counter("pathwise_graphql_errors", "Top-level GraphQL errors sent, by `extensions.code`.",
                         ["code"])
RECOMMENDATIONS = Counter("pathwise_recommendations_served",
                          "Recommendation lists served, by strategy, basis (PERSONALIZED, NOT_CONSENTED, ...) and "
                          "whether the fallback answered.", ["strategy", "basis", "fallback"])
CACHE_LOOKUPS = Counter("pathwise_recommendation_cache_lookups",
                        "Lookups in the recommendation cache, by result (hit, miss).", ["result"])
EVENTS = Counter("pathwise_events", "Events ingested, by status (accepted, duplicate, rejected) and the "
                 "rejection's code (\"none\" otherwise).", ["status", "code"])
EVENT_QUEUE = Gauge("pathwise_event_queue_depth", "Events waiting in the ingestion buffer (read at scrape time).")
EVENT_LAG = Histogram("pathwise_event_ingestion_lag_seconds",
                      "Time from an event's arrival at the server to its storage.", buckets=FAST_BUCKETS)
STORE_DURATION = Histogram("pathwise_store_command_duration_seconds",
                           "Time of a database command, by command name (failed ones included).", ["command"],
                           buckets=FAST_BUCKETS)
STORE_FAILURES = Counter("pathwise_store_command_failures", "Database commands that failed, by command name.",
                         ["command"])
CACHE_HIT = CACHE_LOOKUPS.labels("hit")
Labelled = TypeVar("Labelled", bound=MetricWrapperBase)
_children: dict[tuple[int, tuple[str, ...]], MetricWrapperBase] = {}


def child(metric: Labelled, *labels: str) -> Labelled:
    """`metric.labels(*labels)`, remembered: a dict lookup instead of prometheus_client's locked one (the
    labels are bounded, so this is too)."""
    found = _children.get((id(metric), labels))
    if found is None:
        found = _children[(id(metric), labels)] = metric.labels(*labels)
    return found  # type: ignore[return-value]
CACHE_MISS = CACHE_LOOKUPS.labels("miss")


class BoundedLabel:
    """The values one label may take: the first `limit` distinct ones seen, then `OTHER`."""

    def __init__(self, limit: int = MAX_LABEL_VALUES, known: Iterable[str] = ()) -> None:
        self.limit = limit
        self._seen: set[str] = set(known)
        self._lock = threading.Lock()

    def __call__(self, value: str) -> str:
        if value in self._seen:
            return value
        if len(value) > MAX_LABEL_LENGTH or not _PRINTABLE.match(value):
            return OTHER
        with self._lock:
            if len(self._seen) >= self.limit:
                return OTHER
            self._seen.add(value)
        return value


OPERATIONS = BoundedLabel()
ERROR_CODES = BoundedLabel(limit=50)
STRATEGIES = BoundedLabel(limit=50)
COMMANDS = BoundedLabel(limit=100)


def graphql_error(code: str) -> None:
    child(GRAPHQL_ERRORS, ERROR_CODES(code)).inc()


def recommendation_served(strategy: str, basis: str, fallback: bool) -> None:
    child(RECOMMENDATIONS, STRATEGIES(strategy), basis, "true" if fallback else "false").inc()


def cache_lookup(hit: bool) -> None:
    (CACHE_HIT if hit else CACHE_MISS).inc()


def events_ingested(outcomes: Iterable[tuple[str, str | None]]) -> None:
    """Count events by (status, rejection code or None): one increment per kind, not per event."""
    for (status, code), count in Tally(outcomes).items():
        child(EVENTS, status, ERROR_CODES(code) if code else "none").inc(count)


def events_stored(documents: Iterable[dict[str, object]], now: datetime | None = None) -> None:
    """Observe the lag of stored event documents, from their `server_timestamp`."""
    now = now or utcnow()
    # one call's events share their arrival time: one observation per distinct time, weighted by its count
    for arrived, count in Tally(document.get("server_timestamp") for document in documents).items():
        if isinstance(arrived, datetime):
            observe_many(EVENT_LAG, max((now - arrived).total_seconds(), 0.0), count)


def observe_many(histogram: Histogram, amount: float, count: int) -> None:
    """`histogram.observe(amount)` `count` times, in one step: prometheus-client has no weighted observation, and
    500 observations of one value cost ~1 ms of a 500-event call. Falls back to observing `count` times where
    the histogram's layout is not the one this was written against (tests/app/core/test_metrics.py)."""
    buckets, bounds, total = (getattr(histogram, name, None) for name in ("_buckets", "_upper_bounds", "_sum"))
    if not (isinstance(buckets, list) and isinstance(bounds, list) and len(buckets) == len(bounds) and total):
        for _ in range(count):
            histogram.observe(amount)
        return
    total.inc(amount * count)
    for bucket, bound in zip(buckets, bounds, strict=True):
        if amount <= bound:
            bucket.inc(count)
            break


def watch_event_queue(depth: Callable[[], int]) -> None:
    """Read the ingestion buffer's depth from `depth` at scrape time (the last writer started wins)."""
    EVENT_QUEUE.set_function(depth)


def store_command(command: str, seconds: float, failed: bool) -> None:
    label = COMMANDS(command)
    child(STORE_DURATION, label).observe(seconds)
    if failed:
        child(STORE_FAILURES, label).inc()


class _StoreRestarts(Collector):
    """`pathwise_store_restarts_total`, read from the supervisor at scrape time."""

    def collect(self) -> Iterator[Metric]:
        yield CounterMetricFamily("pathwise_store_restarts", "Restarts of the supervised embedded store in this "
                                  "process.", value=restart_count())


REGISTRY.register(_StoreRestarts())
