"""Ingestion benchmark: `trackEvents` over HTTP against the raw driver's `insert_many`, on the embedded store.

One run starts the embedded store (nx-27017) in a temporary directory and a `pathwise serve` subprocess on it,
then measures:

1. throughput, in `--rounds` rounds that together send `--events` events: each round sends its share in
   batches of `--batch` through the `trackEvents` mutation (or `POST /v1/events` with `--api rest`) from
   `--clients` concurrent HTTP clients (an admin token naming `userId`, one learner per batch); then the raw
   driver writes the same documents (read back as stored, fresh `_id`s) with `insert_many` in batches of the
   same size, as many at a time, into a collection with the same indexes on the same server. Alternating
   keeps a change in the machine's load from favouring one side. Rates and their ratio are over all rounds;
2. a soak: `--duration` seconds of continuous ingestion, with the server's resident memory (VmRSS) sampled
   every second; the first and the last minute are compared (thirds of the run when it is under 3 minutes).

See bench/README.md for the commands. Not a test: run it by hand.
"""

import argparse
import asyncio
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from pymongo import AsyncMongoClient, IndexModel

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from app.core.settings import Settings  # noqa: E402
from app.core.store.embedded import embedded_store  # noqa: E402
from app.core.tokens import Role, issue_token  # noqa: E402

DATABASE = "bench"
COURSES = [f"bench-course-{i:03d}" for i in range(50)]
MUTATION = ("mutation($e: [EventInput!]!, $u: ID) { trackEvents(events: $e, userId: $u) "
            "{ accepted duplicates rejected errors { code message } } }")
MUTATION_WITH_RESULTS = ("mutation($e: [EventInput!]!, $u: ID) { trackEvents(events: $e, userId: $u) "
                         "{ accepted duplicates rejected results { index status code } errors { code message } } }")


# --- the events ----------------------------------------------------------------------------------------------

def event(i: int, mix: str) -> dict[str, Any]:
    """The i-th event of a batch: a realistic mix of types, with context and typed properties."""
    course = COURSES[i % len(COURSES)]
    context = {"device": ("mobile", "desktop", "tablet")[i % 3], "os": "Android 14", "browser": "Chrome",
               "screen": "390x844", "locale": "en-GB", "timezone": "Europe/London", "network": "wifi",
               "appVersion": "4.2.0", "country": "GB"}
    common = {"eventId": f"@B-{i}", "timestamp": "2026-01-15T10:00:00Z", "sessionId": "@B", "context": context}
    kinds = ESSENTIAL if mix == "essential" else BEHAVIORAL
    return {**common, **kinds[i % len(kinds)](i, course)}


ESSENTIAL = [
    lambda i, c: {"type": "quiz_answer", "properties": {"item_id": f"item-{i}", "skill": "Python",
                                                        "correct": i % 2 == 0, "response_time_ms": 4000 + i}},
    lambda i, c: {"type": "progress", "courseId": c, "properties": {"progress": (i % 100) / 100}},
    lambda i, c: {"type": "follow", "properties": {"topic": "Machine Learning"}},
    lambda i, c: {"type": "rate", "courseId": c, "properties": {"rating": 1 + i % 5}},
    lambda i, c: {"type": "enroll", "courseId": c},
]
BEHAVIORAL = [
    lambda i, c: {"type": "course_view", "courseId": c},
    lambda i, c: {"type": "page_view", "properties": {"path": f"/courses/{c}", "title": "A course"}},
    lambda i, c: {"type": "video_play", "courseId": c, "properties": {"video_id": f"v{i}", "position_s": 12.5}},
    lambda i, c: {"type": "search", "properties": {"query": "python for data", "result_count": 12}},
    lambda i, c: {"type": "quiz_answer", "properties": {"item_id": f"item-{i}", "skill": "Python", "correct": True}},
]


class Bodies:
    """Request bodies, made once as a template: each batch only gets its own ids."""

    def __init__(self, batch: int, mix: str, users: int, with_results: bool, api: str) -> None:
        events = [event(i, mix) for i in range(batch)]
        query = MUTATION_WITH_RESULTS if with_results else MUTATION
        if api == "rest":
            self.template = json.dumps({"events": [{**e, "userId": "@U"} for e in events]}).encode()
        else:
            self.template = json.dumps({"query": query, "variables": {"e": events, "u": "@U"}}).encode()
        self.graphql = api == "graphql"
        self.path = "/graphql" if self.graphql else "/v1/events"
        self.users = users
        self.batch = batch
        self.next = 0
        self.batch_ids: list[str] = []  # every batch's id is also its events' sessionId
        self.lock = threading.Lock()

    def take(self) -> tuple[int, bytes]:
        batch_id = uuid.uuid4().hex[:12]
        with self.lock:
            number = self.next
            self.next += 1
            self.batch_ids.append(batch_id)
        user = f"bench-user-{number % self.users}".encode()
        return number, self.template.replace(b"@B", batch_id.encode()).replace(b"@U", user)


# --- the server ------------------------------------------------------------------------------------------------

@dataclass
class Server:
    process: subprocess.Popen[bytes]
    base_url: str
    settings: Settings

    def token(self, user: str, role: Role) -> str:
        return issue_token(self.settings, user, [role], timedelta(hours=2))


def start_server(uri: str, data_dir: Path, mix: str, log_path: Path) -> Server:
    port = _free_port()
    secret = secrets.token_urlsafe(32)
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("PATHWISE_")},
           "PATHWISE_MONGODB_URI": uri, "PATHWISE_DATABASE": DATABASE, "PATHWISE_JWT_SECRET": secret,
           "PATHWISE_LOG_LEVEL": "warning"}
    if mix == "behavioral":
        env["PATHWISE_DEFAULT_CONSENTS"] = '["behavioral_tracking"]'
    log = log_path.open("wb")
    process = subprocess.Popen([sys.executable, "-m", "app", "serve", "--port", str(port), "--data-dir",
                                str(data_dir)], cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"pathwise serve exited:\n{log_path.read_text()}")
        try:
            if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                return Server(process, base, Settings(jwt_secret=secret))
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    process.kill()
    raise SystemExit("pathwise serve did not become ready")


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def seed_courses(server: Server) -> None:
    courses = [{"id": c, "title": f"Bench course {c}", "skills": ["Python"]} for c in COURSES]
    query = "mutation($c: [CourseInput!]!) { upsertCourses(input: $c) { errors { message } } }"
    headers = {"authorization": f"Bearer {server.token('bench-partner', Role.PARTNER)}"}
    body = httpx.post(f"{server.base_url}/graphql", json={"query": query, "variables": {"c": courses}},
                      headers=headers, timeout=60).json()
    assert body["data"]["upsertCourses"]["errors"] == [], body


# --- memory --------------------------------------------------------------------------------------------------

def cpu_s(pid: int) -> float:
    """User + system CPU seconds a process has used so far (from /proc/<pid>/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class CpuMeter:
    """CPU seconds of the server, the store and this process over phases, per phase name."""

    server_pid: int
    store_pid: int
    totals: dict[str, list[float]] = field(default_factory=dict)  # phase -> [server, store, bench, wall]

    def sample(self) -> tuple[float, float, float, float]:
        return cpu_s(self.server_pid), cpu_s(self.store_pid), sum(os.times()[:2]), time.monotonic()

    def add(self, phase: str, before: tuple[float, float, float, float]) -> None:
        after = self.sample()
        totals = self.totals.setdefault(phase, [0.0, 0.0, 0.0, 0.0])
        for i in range(4):
            totals[i] += after[i] - before[i]

    def report(self, counts: dict[str, int]) -> dict[str, Any]:
        """ms of CPU per 1,000 events of each process, and the busy share of the 2 cores, per phase."""
        numbers: dict[str, Any] = {}
        print("CPU per 1,000 events (ms): phase    server   store   bench   cores busy")
        for phase, (server, store, bench, wall) in self.totals.items():
            per = 1_000_000 / max(counts[phase], 1)
            busy = (server + store + bench) / wall
            print(f"                           {phase:7s} {server * per:7.0f} {store * per:7.0f} {bench * per:7.0f}"
                  f"   {busy:4.2f}")
            numbers[f"cpu_ms_per_1000_{phase}"] = {"server": server * per, "store": store * per, "bench": bench * per,
                                                   "cores_busy": busy}
        return numbers


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


@dataclass
class MemorySampler:
    """VmRSS of the server (and of the store) every `interval_s`, in a thread."""

    server_pid: int
    store_pid: int
    interval_s: float = 1.0
    samples: list[tuple[float, int, int]] = field(default_factory=list)  # (t, server KiB, store KiB)
    _stop: threading.Event = field(default_factory=threading.Event)

    def __enter__(self) -> "MemorySampler":
        self.started = time.monotonic()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.samples.append((time.monotonic() - self.started, rss_kib(self.server_pid), rss_kib(self.store_pid)))
            self._stop.wait(self.interval_s)


# --- phases ----------------------------------------------------------------------------------------------------

@dataclass
class Progress:
    events: int = 0
    batches: int = 0
    latencies: list[float] = field(default_factory=list)
    timeline: list[tuple[float, int]] = field(default_factory=list)  # (t, events so far)


async def ingest(server: Server, bodies: Bodies, clients: int, batches: int | None, duration_s: float | None,
                 started: float) -> Progress:
    """Send batches with `clients` concurrent clients until `batches` are sent or `duration_s` has passed."""
    progress = Progress()
    token = server.token("bench-backend", Role.ADMIN)
    headers = {"authorization": f"Bearer {token}", "content-type": "application/json"}
    deadline = started + duration_s if duration_s else None

    async def client() -> None:
        async with httpx.AsyncClient(base_url=server.base_url, headers=headers, timeout=120) as http:
            while True:
                if deadline is not None and time.monotonic() >= deadline:
                    return
                number, body = bodies.take()
                if batches is not None and number >= batches:
                    return
                sent = time.monotonic()
                response = await http.post(bodies.path, content=body)
                payload = response.json()
                result = payload.get("data") and payload["data"]["trackEvents"] if bodies.graphql else payload
                if response.status_code != 200 or not result or result["accepted"] != bodies.batch:
                    raise SystemExit(f"batch {number} was not fully accepted: {str(payload)[:500]}")
                progress.latencies.append(time.monotonic() - sent)
                progress.events += result["accepted"]
                progress.batches += 1
                progress.timeline.append((time.monotonic() - started, progress.events))

    await asyncio.gather(*(client() for _ in range(clients)))
    return progress


async def raw_target(database: Any) -> Any:
    """A fresh collection with the same indexes as `events`, for the raw driver's writes."""
    source, target = database["events"], database["events_raw"]
    await target.drop()
    indexes = [IndexModel(list(index["key"].items()), name=f"raw_{index['name']}",
                          **({"expireAfterSeconds": index["expireAfterSeconds"]}
                             if "expireAfterSeconds" in index else {}))
               async for index in await source.list_indexes() if index["name"] != "_id_"]
    if indexes:
        await target.create_indexes(indexes)
    return target


async def raw_insert_many(database: Any, target: Any, batch_ids: list[str], batch: int, clients: int,
                          prefix: str, meter: CpuMeter | None = None) -> tuple[int, float]:
    """The events of these batches, read back as stored and given fresh ids, written again with the raw
    driver's insert_many (batches of `batch`, `clients` at a time); (documents, seconds)."""
    documents = await database["events"].find({"session_id": {"$in": batch_ids}}).to_list()
    for number, document in enumerate(documents):
        document["_id"] = f"raw:{prefix}:{number}"
    queue: asyncio.Queue[list[dict[str, Any]]] = asyncio.Queue()
    for i in range(0, len(documents), batch):
        queue.put_nowait(documents[i:i + batch])

    async def writer() -> None:
        while not queue.empty():
            await target.insert_many(queue.get_nowait(), ordered=False)

    before = await target.count_documents({})
    cpu_before = meter.sample() if meter else None
    started = time.monotonic()
    await asyncio.gather(*(writer() for _ in range(clients)))
    elapsed = time.monotonic() - started
    if meter and cpu_before:
        meter.add("raw", cpu_before)
    assert await target.count_documents({}) == before + len(documents)
    return len(documents), elapsed


# --- report ------------------------------------------------------------------------------------------------------

def window_stats(samples: list[tuple[float, int, int]], start: float, end: float) -> tuple[float, int, float]:
    """(mean server MiB, peak server MiB, mean store MiB) of the samples taken in [start, end)."""
    chosen = [s for s in samples if start <= s[0] < end] or samples
    return (statistics.mean(s[1] for s in chosen) / 1024, max(s[1] for s in chosen) // 1024,
            statistics.mean(s[2] for s in chosen) / 1024)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def soak_report(progress: Progress, sampler: MemorySampler, duration_s: float) -> dict[str, Any]:
    window = 60.0 if duration_s >= 180 else duration_s / 3
    first = window_stats(sampler.samples, 0, window)
    last = window_stats(sampler.samples, duration_s - window, duration_s + 5)
    print(f"\nsoak: {progress.events} events in {duration_s:.0f} s = {progress.events / duration_s:,.0f} events/s")
    print("   t(s)  events/s  server RSS MiB  store RSS MiB")
    previous_t, previous_events = 0.0, 0
    for t_s, server_kib, store_kib in sampler.samples[9::10]:
        done = max((e for t, e in progress.timeline if t <= t_s), default=0)
        rate = (done - previous_events) / max(t_s - previous_t, 1e-9)
        print(f"  {t_s:5.0f}  {rate:8,.0f}  {server_kib / 1024:14.1f}  {store_kib / 1024:13.1f}")
        previous_t, previous_events = t_s, done
    peak = max(s[1] for s in sampler.samples) / 1024
    print(f"server RSS: first {window:.0f} s mean {first[0]:.1f} MiB (peak {first[1]}), last {window:.0f} s mean "
          f"{last[0]:.1f} MiB (peak {last[1]}), overall peak {peak:.1f} MiB; growth {last[0] - first[0]:+.1f} MiB")
    print(f"store RSS: first window mean {first[2]:.1f} MiB, last window mean {last[2]:.1f} MiB")
    return {"soak_events_per_s": progress.events / duration_s, "rss_first_mib": first[0], "rss_last_mib": last[0],
            "rss_peak_mib": peak, "store_rss_first_mib": first[2], "store_rss_last_mib": last[2],
            "rss_samples": sampler.samples}


# --- main --------------------------------------------------------------------------------------------------------

def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=60_000, help="events of the throughput phase (0: skip it)")
    parser.add_argument("--rounds", type=int, default=3, help="API and raw phases alternate this many times")
    parser.add_argument("--batch", type=int, default=500, help="events per trackEvents call and per insert_many")
    parser.add_argument("--clients", type=int, default=4, help="concurrent HTTP clients (and raw writers)")
    parser.add_argument("--users", type=int, default=200, help="learners the events are spread over")
    parser.add_argument("--duration", type=float, default=60, help="seconds of the soak (the issue asks for 300)")
    parser.add_argument("--mix", choices=["essential", "behavioral"], default="essential",
                        help="event types: essential ones, or behavioural ones with consent granted by default")
    parser.add_argument("--with-results", action="store_true", help="ask for the per-event results too")
    parser.add_argument("--api", choices=["graphql", "rest"], default="graphql",
                        help="the trackEvents mutation (the issue's benchmark), or POST /v1/events")
    parser.add_argument("--json", type=Path, help="also write the numbers to this file")
    return parser.parse_args()


async def compare(args: argparse.Namespace, server: Server, uri: str, store_pid: int,
                  bodies: Bodies) -> dict[str, Any]:
    """Rounds of API ingestion, each followed by the raw driver writing the same documents, so that a change
    in the machine's load hits both sides alike; the rates are totals over the rounds."""
    client: AsyncMongoClient[Any] = AsyncMongoClient(uri, tz_aware=True)
    database = client[DATABASE]
    target = await raw_target(database)
    api_events, api_s, raw_docs, raw_s, latencies, peak = 0, 0.0, 0, 0.0, [], 0
    meter = CpuMeter(server.process.pid, store_pid)
    per_round = max(1, args.events // args.batch // args.rounds)
    try:
        for round_ in range(args.rounds):
            bodies.next, bodies.batch_ids = 0, []
            with MemorySampler(server.process.pid, store_pid) as sampler:
                cpu_before = meter.sample()
                started = time.monotonic()
                progress = await ingest(server, bodies, args.clients, per_round, None, started)
                elapsed = time.monotonic() - started
                meter.add("api", cpu_before)
            count, raw_elapsed = await raw_insert_many(database, target, bodies.batch_ids[:per_round], args.batch,
                                                       args.clients, str(round_), meter)
            assert count == progress.events, (count, progress.events)
            print(f"  round {round_ + 1}: api {progress.events / elapsed:,.0f} events/s, "
                  f"raw {count / raw_elapsed:,.0f} documents/s")
            api_events, api_s, raw_docs, raw_s = api_events + progress.events, api_s + elapsed, raw_docs + count, \
                raw_s + raw_elapsed
            latencies += progress.latencies
            peak = max(peak, *(sample[1] for sample in sampler.samples))
    finally:
        await client.close()
    api_rate, raw_rate = api_events / api_s, raw_docs / raw_s
    endpoint = "trackEvents" if args.api == "graphql" else "POST /v1/events"
    print(f"{endpoint}: {api_events} events in {api_s:.1f} s = {api_rate:,.0f} events/s ({args.clients} clients, "
          f"batches of {args.batch}; latency p50 {percentile(latencies, .5):.3f} s, p95 "
          f"{percentile(latencies, .95):.3f} s; server RSS peak {peak / 1024:.1f} MiB)")
    print(f"raw insert_many: {raw_docs} documents in {raw_s:.1f} s = {raw_rate:,.0f} documents/s")
    print(f"ratio {endpoint} / raw insert_many = {api_rate / raw_rate:.2f} (targets: ratio >= 0.7, >= 10,000 events/s)")
    cpu = meter.report({"api": api_events, "raw": raw_docs})
    return {"events_per_s": api_rate, "raw_per_s": raw_rate, "ratio": api_rate / raw_rate,
            "p50_s": percentile(latencies, .5), "p95_s": percentile(latencies, .95), **cpu}


async def run(args: argparse.Namespace, server: Server, uri: str, store_pid: int) -> dict[str, Any]:
    bodies = Bodies(args.batch, args.mix, args.users, args.with_results, args.api)
    await ingest(server, bodies, args.clients, 4, None, time.monotonic())  # warm-up: 4 batches
    numbers = await compare(args, server, uri, store_pid, bodies) if args.events > 0 else {}
    if args.duration > 0:
        bodies.next = 0
        with MemorySampler(server.process.pid, store_pid) as soak_sampler:
            soak = await ingest(server, bodies, args.clients, None, args.duration, soak_sampler.started)
        numbers |= soak_report(soak, soak_sampler, args.duration)
    return numbers


def main() -> None:
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="pathwise-bench-") as tmp, \
            embedded_store(Path(tmp) / "store", "bench") as state:
        server = start_server(state.uri, Path(tmp) / "data", args.mix, Path(tmp) / "serve.log")
        try:
            seed_courses(server)
            print(f"embedded store pid {state.child_pid}, server pid {server.process.pid}, {os.cpu_count()} CPUs, "
                  f"mix {args.mix}")
            numbers = asyncio.run(run(args, server, state.uri, state.child_pid))
        finally:
            server.process.terminate()
            server.process.wait(timeout=60)
    if args.json:
        args.json.write_text(json.dumps({**vars(args), "json": str(args.json), **numbers}, indent=1, default=str))


if __name__ == "__main__":
    main()
