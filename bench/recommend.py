"""Recommendation serving benchmark: `recommendations(first: 10)` over HTTP against a bare Strawberry query.

One run, in a temporary directory (or `--workdir`, kept and reused):

1. set-up: the embedded store (nx-27017), the Coursera catalog through `pathwise import-courses`, 1,000
   synthetic learners (seeded; User, Enrollment and Rating documents built with the Beanie models and
   bulk-inserted with the raw driver), `pathwise train` (every enabled recommender), then `pathwise serve`,
   waited on until `recommenders` shows cf, content, sequence and popular READY;
2. a bare app in this script: Strawberry + Starlette with the same ParserCache/ValidationCache extensions
   as schema/schema.py, one static `recommendations` field returning 10 objects of the same shape, served by
   uvicorn with one worker and the same uvicorn settings as `pathwise serve`;
3. a cold pass (each learner's first request: profile vectors are not cached yet), then `--rounds` rounds
   that alternate bare and recommendations phases of `--duration` seconds at each of `--concurrency`. The
   clients are a separate process (raw asyncio streams, HTTP/1.1 keep-alive, pre-encoded requests; each
   request for the next learner, by their own token), which reports its own CPU time;
4. the server's VmRSS / VmHWM from /proc/<pid>/status after the run.

See bench/README.md for the commands and the targets. Not a test: run it by hand.
"""

import argparse
import asyncio
import json
import os
import random
import secrets
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

COURSES_CSV = REPO.parent / "shared" / "data" / "courses" / "coursera_courses.csv"
DATABASE = "bench"
LEARNERS = 1_000
SEED = 7
QUERY = ("{ recommendations(first: 10) { requestId strategy fallback "
         "items { course { id title } score source reasons { code text } } } }")
STATUS_QUERY = "{ recommenders { name status problem } }"
MUST_BE_READY = ("cf", "content", "sequence", "popular")
JOBS = ["Data Analyst", "Software Engineer", "Product Manager", "Nurse", "Teacher", "Marketing Specialist",
        "Accountant", "Student", "Project Manager", "Business Analyst", "Designer", "Sales Representative"]


# --- the bare app (run in its own process: `recommend.py _bare PORT`) --------------------------------------

def bare_app() -> Any:
    """Strawberry on Starlette, the same cache extensions as the product schema, 10 static objects."""
    import uuid

    import strawberry
    from starlette.applications import Starlette
    from starlette.routing import Route
    from strawberry.asgi import GraphQL
    from strawberry.extensions import ParserCache, ValidationCache

    @strawberry.type
    class Course:
        id: strawberry.ID
        title: str

    @strawberry.type
    class Reason:
        code: str
        text: str

    @strawberry.type
    class RecommendedCourse:
        course: Course
        score: float
        source: str
        reasons: list[Reason]

    @strawberry.type
    class Recommendations:
        request_id: str
        strategy: str
        fallback: bool
        items: list[RecommendedCourse]

    items = [RecommendedCourse(course=Course(id=strawberry.ID(f"course-{i}"), title=f"A static course number {i}"),
                               score=1.0 - i / 20, source="cf",
                               reasons=[Reason(code="POPULAR_WITH_SIMILAR", text="Popular with learners like you")])
             for i in range(10)]

    @strawberry.type
    class Query:
        @strawberry.field
        async def recommendations(self, first: int = 10) -> Recommendations:
            return Recommendations(request_id=uuid.uuid4().hex, strategy="hybrid", fallback=False, items=items[:first])

    schema = strawberry.Schema(query=Query, extensions=[lambda: ParserCache(maxsize=256),
                                                        lambda: ValidationCache(maxsize=256)])
    return Starlette(routes=[Route("/graphql", GraphQL(schema, graphql_ide=None), methods=["GET", "POST"])])


def serve_bare(port: int) -> None:
    import uvicorn

    # as `pathwise serve` calls it, at log level warning (no access log)
    uvicorn.run(bare_app(), host="127.0.0.1", port=port, log_level="warning", timeout_graceful_shutdown=10)


# --- the clients (run in their own process: `recommend.py _client ...`) -------------------------------------

def request_bytes(port: int, token: str) -> bytes:
    body = json.dumps({"query": QUERY}).encode()
    head = (f"POST /graphql HTTP/1.1\r\nhost: 127.0.0.1:{port}\r\ncontent-type: application/json\r\n"
            f"authorization: Bearer {token}\r\ncontent-length: {len(body)}\r\n\r\n")
    return head.encode() + body


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


async def _clients(port: int, requests: list[bytes], concurrency: int, duration: float, warmup: float,
                   limit: int | None) -> dict[str, Any]:
    """`concurrency` keep-alive connections sending the requests round-robin; numbers over the measured window
    (after `warmup` seconds), or over the first `limit` requests when `limit` is set (no warm-up)."""
    latencies: list[float] = []
    outcome: Counter[str] = Counter()
    sent = 0
    begin = time.monotonic() + (0 if limit else warmup)
    deadline = begin + duration

    async def client() -> None:
        nonlocal sent
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while (limit is None and time.monotonic() < deadline) or (limit is not None and sent < limit):
                request = requests[sent % len(requests)]
                sent += 1
                started = time.monotonic()
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                              if line.lower().startswith(b"content-length:"))
                body = await reader.readexactly(length)
                finished = time.monotonic()
                if limit is None and not begin <= started <= finished <= deadline:
                    continue  # outside the measured window
                latencies.append(finished - started)
                status_ok = head[9:12] == b"200" and b'"errors"' not in body
                outcome["ok" if status_ok else "error"] += 1
                if b'"fallback":true' in body or b'"fallback": true' in body:
                    outcome["fallback"] += 1
                if not status_ok and outcome["error"] == 1:
                    print(f"first error: {head[:12]!r} {body[:400]!r}", file=sys.stderr)
        finally:
            writer.close()

    cpu_before = sum(os.times()[:2])
    wall_before = time.monotonic()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    cpu = sum(os.times()[:2]) - cpu_before
    window = duration if limit is None else time.monotonic() - wall_before
    count = len(latencies)
    return {"requests": count, "rps": count / window, "p50_ms": percentile(latencies, .5) * 1000,
            "p95_ms": percentile(latencies, .95) * 1000, "p99_ms": percentile(latencies, .99) * 1000,
            "max_ms": max(latencies, default=float("nan")) * 1000, "fallbacks": outcome["fallback"],
            "errors": outcome["error"], "client_cpu_ms_per_request": cpu * 1000 / max(sent, 1)}


def run_clients(argv: list[str]) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("port", type=int)
    parser.add_argument("tokens", type=Path)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--warmup", type=float, default=1)
    parser.add_argument("--limit", type=int)
    parser.add_argument("--offset", type=int, default=0, help="start at this learner")
    args = parser.parse_args(argv)
    tokens = json.loads(args.tokens.read_text())
    tokens = tokens[args.offset % len(tokens):] + tokens[:args.offset % len(tokens)]
    requests = [request_bytes(args.port, token) for token in tokens]
    print(json.dumps(asyncio.run(_clients(args.port, requests, args.concurrency, args.duration, args.warmup,
                                          args.limit))))


# --- set-up ------------------------------------------------------------------------------------------------

@dataclass
class Workspace:
    root: Path
    uri: str
    secret: str

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    def env(self) -> dict[str, str]:
        return {**{k: v for k, v in os.environ.items() if not k.startswith("PATHWISE_")},
                "PATHWISE_MONGODB_URI": self.uri, "PATHWISE_DATABASE": DATABASE, "PATHWISE_JWT_SECRET": self.secret,
                "PATHWISE_LOG_LEVEL": "warning"}

    def cli(self, *args: str) -> str:
        started = time.monotonic()
        done = subprocess.run([sys.executable, "-m", "app", *args, "--data-dir", str(self.data_dir)], cwd=REPO,
                              env=self.env(), check=False, capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"pathwise {args[0]} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
        print(f"  pathwise {args[0]}: {time.monotonic() - started:.1f} s; {done.stdout.strip()}")
        return done.stdout


def learner_documents(courses: list[dict[str, Any]], count: int, seed: int, now: datetime) -> list[tuple[str, list[
        dict[str, Any]]]]:
    """Synthetic learners, as (collection, documents): interests drawn from the catalog's skills, 3–15
    enrolments concentrated on 1–3 focus skills, ratings on about half the completed ones, a few
    not-interested skills and courses. Every learner allows personalization."""
    from app.core.documents import Enrollment, EnrollmentStatus, Rating, User
    from app.core.documents.profiles import Preferences

    rng = random.Random(seed)
    by_skill: dict[str, list[str]] = {}
    for course in courses:
        for skill in dict.fromkeys(course.get("skills") or []):
            by_skill.setdefault(skill, []).append(course["_id"])
    skills = [skill for skill, ids in by_skill.items() if len(ids) >= 3]
    skill_weights = [len(by_skill[skill]) for skill in skills]
    all_ids = [course["_id"] for course in courses]
    users, enrollments, ratings = [], [], []
    for number in range(count):
        user_id = f"learner-{number:04d}"
        focus = list(dict.fromkeys(rng.choices(skills, skill_weights, k=rng.randint(1, 3))))
        pool = list(dict.fromkeys(c for skill in focus for c in by_skill[skill]))
        taken: list[str] = []
        for _ in range(rng.randint(3, 15)):
            options = pool if rng.random() < 0.8 else all_ids
            choice = rng.choice(options)
            if choice not in taken:
                taken.append(choice)
        for course_id in taken:
            started = now - timedelta(days=rng.uniform(1, 365), minutes=rng.randint(0, 1440))
            roll = rng.random()
            status = (EnrollmentStatus.COMPLETED if roll < 0.4 else EnrollmentStatus.ACTIVE if roll < 0.9
                      else EnrollmentStatus.DROPPED)
            completed = min(now, started + timedelta(days=rng.uniform(3, 60))) if status == "completed" else None
            enrollments.append(Enrollment(
                id=Enrollment.key(user_id, course_id), user_id=user_id, course_id=course_id, status=status,
                progress=1.0 if completed else round(rng.uniform(0.05, 0.95), 2), started_at=started,
                completed_at=completed, last_active_at=completed or started + timedelta(days=1)))
            if completed and rng.random() < 0.5:
                stars = rng.choices([5, 4, 3, 2, 1], [40, 35, 15, 6, 4])[0]
                ratings.append(Rating(id=Rating.key(user_id, course_id), user_id=user_id, course_id=course_id,
                                      rating=stars, created_at=completed, updated_at=completed))
        others = [skill for skill in rng.sample(skills, 6) if skill not in focus]
        blocked_courses = [rng.choice(all_ids)] if rng.random() < 0.2 else []
        users.append(User(
            id=user_id, display_name=f"Learner {number}", languages=["en"],
            interests=focus + others[:rng.randint(0, 1)], goals=focus[:1] if rng.random() < 0.3 else [],
            job_title=rng.choice(JOBS) if rng.random() < 0.6 else None,
            consents={"essential": True, "personalization": True},
            preferences=Preferences(not_interested_topics=others[1:1 + rng.choice([0, 0, 1, 2])],
                                    not_interested_courses=blocked_courses),
            created_at=now - timedelta(days=400), updated_at=now))
    return [(name, [document.model_dump(by_alias=True) for document in documents])
            for name, documents in (("users", users), ("enrollments", enrollments), ("ratings", ratings))]


async def seed_learners(uri: str) -> dict[str, int]:
    from app.core.store.db import init_database, make_client

    client: Any = make_client(uri)
    try:
        await init_database(client, DATABASE)  # Beanie bound, so the models can be built
        database = client[DATABASE]
        courses = await database["courses"].find({}, {"skills": 1}).to_list()
        counts = {}
        for name, documents in learner_documents(courses, LEARNERS, SEED, datetime.now(UTC)):
            await database[name].insert_many(documents, ordered=False)
            counts[name] = len(documents)
        return counts
    finally:
        await client.close()


def prepare(workspace: Workspace) -> None:
    """Import the catalog, seed the learners and train, unless `workspace` was prepared before."""
    marker = workspace.root / "prepared.json"
    if marker.exists():
        print(f"set-up: reusing {workspace.root}")
        return
    print("set-up:")
    workspace.cli("import-courses", str(COURSES_CSV))
    started = time.monotonic()
    counts = asyncio.run(seed_learners(workspace.uri))
    print(f"  learners: {counts} in {time.monotonic() - started:.1f} s")
    workspace.cli("train")
    marker.write_text(json.dumps(counts))


# --- the servers -------------------------------------------------------------------------------------------

def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(process: subprocess.Popen[bytes], check: Any, log: Path, what: str, timeout_s: float = 300) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{what} exited:\n{log.read_text()[-4000:]}")
        try:
            if check():
                return
        except Exception:  # noqa: BLE001 - not up yet
            pass
        time.sleep(0.25)
    raise SystemExit(f"{what} did not become ready in {timeout_s:.0f} s:\n{log.read_text()[-4000:]}")


def start_pathwise(workspace: Workspace, port: int, token: str, cache_seconds: float | None,
                   server_env: list[str]) -> subprocess.Popen[bytes]:
    import httpx

    log = workspace.root / "serve.log"
    command = [sys.executable, "-m", "app"]
    env = {**workspace.env(), **dict(setting.split("=", 1) for setting in server_env)}
    if cache_seconds is not None:
        env["PATHWISE_RECOMMENDATION_CACHE_SECONDS"] = str(cache_seconds)
    process = subprocess.Popen([*command, "serve", "--port", str(port), "--data-dir", str(workspace.data_dir)],
                               cwd=REPO, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    statuses: dict[str, str] = {}

    def ready() -> bool:
        response = httpx.post(f"http://127.0.0.1:{port}/graphql", json={"query": STATUS_QUERY},
                              headers={"authorization": f"Bearer {token}"}, timeout=5)
        statuses.update({r["name"]: r["status"] for r in response.json()["data"]["recommenders"]})
        return all(statuses.get(name) == "READY" for name in MUST_BE_READY)

    started = time.monotonic()
    wait_for(process, ready, log, "pathwise serve", 900)
    print(f"pathwise serve (pid {process.pid}) ready in {time.monotonic() - started:.1f} s: {statuses}")
    return process


def start_bare(root: Path, port: int) -> subprocess.Popen[bytes]:
    import httpx

    log = root / "bare.log"
    process = subprocess.Popen([sys.executable, __file__, "_bare", str(port)], cwd=REPO, stdout=log.open("wb"),
                               stderr=subprocess.STDOUT)
    wait_for(process, lambda: httpx.post(f"http://127.0.0.1:{port}/graphql", json={"query": QUERY},
                                         timeout=5).status_code == 200, log, "the bare app", 60)
    return process


def proc_status(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM of `pid`, in KiB."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found[key] = int(value.split()[0])
    return found


def cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# --- the run ---------------------------------------------------------------------------------------------

CACHE_QUERY = "{ recommendationCache { hits misses } }"
ACT = ("mutation($e: [EventInput!]!, $u: ID) { trackEvents(events: $e, userId: $u) { accepted "
       "errors { code message } } }")


class Actors:
    """While a recommendations phase runs: `per_second` learners, chosen at random, each rate a random
    course (a `rate` event through `trackEvents`, as their platform would send it), so their next request is
    computed afresh. Runs in a thread of this process, beside the client process."""

    def __init__(self, port: int, admin_token: str, courses: list[str], per_second: float,
                 learner_tokens: list[str] | None = None) -> None:
        self.port, self.token, self.courses, self.per_second = port, admin_token, courses, per_second
        self.learner_tokens = learner_tokens  # given: each actor then asks for their recommendations
        self.sent = 0
        self.error: Exception | None = None
        self.latencies: list[float] = []
        self.next_latencies: list[float] = []  # the acted learner's next answer (computed afresh)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> "Actors":
        if self.per_second > 0:
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        if self.error is not None:
            raise SystemExit(f"the actors stopped: {self.error!r}")

    def _run(self) -> None:
        import httpx

        try:
            self._act()
        except (httpx.HTTPError, RuntimeError, KeyError, ValueError) as error:  # reported by __exit__
            self.error = error

    def _act(self) -> None:
        asyncio.run(self._act_at_rate())

    async def _act_at_rate(self) -> None:
        """One action every 1 / per_second s, each in its own task: an action's latency does not slow the rate."""
        import httpx

        rng = random.Random(SEED)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{self.port}", timeout=60,
                                     headers={"authorization": f"Bearer {self.token}"}) as client:
            running = []
            while not self._stop.is_set():
                running.append(asyncio.create_task(self._one(client, rng.randrange(LEARNERS),
                                                             rng.choice(self.courses), rng.choice([4, 5]))))
                await asyncio.sleep(1 / self.per_second)
            await asyncio.gather(*running)

    async def _one(self, client: Any, number: int, course: str, rating: int) -> None:
        event = {"eventId": f"act-{uuid.uuid4().hex}", "type": "rate", "courseId": course,
                 "properties": {"rating": rating}}
        sent = time.monotonic()
        response = await client.post("/graphql", json={"query": ACT, "variables": {
            "e": [event], "u": f"learner-{number:04d}"}})
        self.latencies.append(time.monotonic() - sent)
        body = response.json()
        if body.get("errors") or body["data"]["trackEvents"]["accepted"] != 1:
            raise RuntimeError(f"an action was refused: {body}")
        self.sent += 1
        if self.learner_tokens:  # the learner's next answer, as their app would ask right after
            sent = time.monotonic()
            response = await client.post("/graphql", json={"query": QUERY}, headers={
                "authorization": f"Bearer {self.learner_tokens[number]}"})
            self.next_latencies.append(time.monotonic() - sent)
            if response.json().get("errors"):
                raise RuntimeError(f"a learner's next answer failed: {response.text[:300]}")


def cache_counts(port: int, partner_token: str | None) -> tuple[int, int]:
    """The recommendation cache's hits and misses so far (0, 0 for the bare app, which has none)."""
    if partner_token is None:
        return 0, 0
    import httpx

    response = httpx.post(f"http://127.0.0.1:{port}/graphql", json={"query": CACHE_QUERY},
                          headers={"authorization": f"Bearer {partner_token}"}, timeout=10)
    counts = response.json()["data"]["recommendationCache"]
    return counts["hits"], counts["misses"]


def phase(port: int, tokens: Path, pids: dict[str, int], *options: str, partner_token: str | None = None
          ) -> dict[str, Any]:
    """One client process against `port`; its numbers plus the servers' and the store's CPU per request, and
    the share of requests answered from the recommendation cache."""
    cached_before = cache_counts(port, partner_token)
    before = {name: cpu_s(pid) for name, pid in pids.items()}
    done = subprocess.run([sys.executable, __file__, "_client", str(port), str(tokens), *options],
                          check=False, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"the clients failed:\n{done.stderr}")
    if done.stderr.strip():
        print(done.stderr.strip())
    numbers: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    for name, pid in pids.items():
        numbers[f"{name}_cpu_ms_per_request"] = (cpu_s(pid) - before[name]) * 1000 / max(numbers["requests"], 1)
    hits, misses = (after - earlier for after, earlier in zip(cache_counts(port, partner_token), cached_before,
                                                              strict=True))
    numbers["cached_share"] = hits / max(hits + misses, 1)
    return numbers


HEADER = (f"{'phase':<16}{'clients':>8}{'round':>6}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
          f"{'max ms':>9}{'fallback':>10}{'errors':>7}   CPU ms/request: client server store   load  cached  acts")


def row(name: str, clients: int, round_: int | str, n: dict[str, Any], server: str) -> None:
    fallback = n["fallbacks"] / max(n["requests"], 1)
    print(f"{name:<16}{clients:>8}{round_!s:>6}{n['rps']:>9,.0f}{n['p50_ms']:>9.1f}{n['p95_ms']:>9.1f}"
          f"{n['p99_ms']:>9.1f}{n['max_ms']:>9.1f}{fallback:>10.2%}{n['errors']:>7}   "
          f"{n['client_cpu_ms_per_request']:>14.2f} {n[f'{server}_cpu_ms_per_request']:>6.2f}"
          f" {n['store_cpu_ms_per_request']:>5.2f}   {os.getloadavg()[0]:4.1f}  {n.get('cached_share', 0):6.1%}"
          f"{n.get('actions', 0):6d}",
          flush=True)


def summary(results: list[dict[str, Any]], concurrency: list[int]) -> dict[str, Any]:
    """Per concurrency: total requests / total time for each side, the ratio, the worst round's p99, and the
    p99 over all rounds (the median of the per-round p99s)."""
    import statistics

    out: dict[str, Any] = {}
    print("\nsummary (over the rounds; req/s = all requests / all measured seconds):")
    for clients in concurrency:
        sides = {}
        for name in ("bare", "recommendations"):
            chosen = [r for r in results if r["phase"] == name and r["clients"] == clients]
            rps = sum(r["requests"] for r in chosen) / sum(r["requests"] / r["rps"] for r in chosen)
            sides[name] = {"rps": rps, "p99_median_ms": statistics.median(r["p99_ms"] for r in chosen),
                           "p99_worst_ms": max(r["p99_ms"] for r in chosen),
                           "fallback_share": sum(r["fallbacks"] for r in chosen) / sum(r["requests"] for r in chosen),
                           "cached_share": sum(r.get("cached_share", 0) * r["requests"] for r in chosen)
                           / sum(r["requests"] for r in chosen)}
        ratio = sides["recommendations"]["rps"] / sides["bare"]["rps"]
        rec = sides["recommendations"]
        print(f"  {clients:>2} clients: recommendations {rec['rps']:,.0f} req/s, bare {sides['bare']['rps']:,.0f} "
              f"req/s, ratio {ratio:.2f} (target >= 0.5: {'met' if ratio >= 0.5 else 'NOT met'}); "
              f"recommendations p99 median {rec['p99_median_ms']:.1f} ms, worst {rec['p99_worst_ms']:.1f} ms"
              + (f" (target <= 25 ms at 16: {'met' if rec['p99_worst_ms'] <= 25 else 'NOT met'})"
                 if clients == 16 else "") + f"; bare p99 median {sides['bare']['p99_median_ms']:.1f} ms; "
              f"fallback {rec['fallback_share']:.2%}; answered from the cache {rec['cached_share']:.1%}")
        out[str(clients)] = {**sides, "ratio": ratio}
    return out


def course_ids(uri: str) -> list[str]:
    from pymongo import MongoClient

    with MongoClient(uri) as client:
        return [doc["_id"] for doc in client[DATABASE]["courses"].find({}, {"_id": 1})]


def measure(args: argparse.Namespace, workspace: Workspace) -> dict[str, Any]:
    from app.core.settings import Settings
    from app.core.tokens import Role, issue_token

    settings = Settings(jwt_secret=workspace.secret)
    tokens = [issue_token(settings, f"learner-{i:04d}", [Role.LEARNER], timedelta(hours=4)) for i in range(LEARNERS)]
    token_file = workspace.root / "tokens.json"
    token_file.write_text(json.dumps(tokens))
    pathwise_port, bare_port = free_port(), free_port()
    pathwise = start_pathwise(workspace, pathwise_port, tokens[0], args.cache_seconds, args.server_env)
    bare = start_bare(workspace.root, bare_port)
    try:
        pids = {"pathwise": pathwise.pid, "bare": bare.pid, "store": args.store_pid}
        memory_loaded = proc_status(pathwise.pid)
        print(f"{os.cpu_count()} CPUs shared by the clients, both servers and the store; "
              f"pathwise RSS after start-up {memory_loaded['VmRSS'] / 1024:.0f} MiB\n")
        print(HEADER)
        partner = issue_token(settings, "bench-ops", [Role.PARTNER], timedelta(hours=4))
        courses = course_ids(workspace.uri)
        admin = issue_token(settings, "bench-platform", [Role.ADMIN], timedelta(hours=4))  # names `userId`
        cold = phase(pathwise_port, token_file, pids, "--concurrency", "8", "--limit", str(LEARNERS),
                     partner_token=partner)
        row("cold (1st/learner)", 8, "-", cold, "pathwise")
        for clients in args.concurrency:  # warm-up of both sides at each concurrency, not reported
            for port in (bare_port, pathwise_port):
                phase(port, token_file, pids, "--concurrency", str(clients), "--duration", "3", "--warmup", "0")
        results = []
        for round_ in range(1, args.rounds + 1):
            for clients in args.concurrency:
                for name, port in (("bare", bare_port), ("recommendations", pathwise_port)):
                    acting = args.actions_per_second if port == pathwise_port else 0
                    with Actors(pathwise_port, admin, courses, acting) as actors:
                        numbers = phase(port, token_file, pids, "--concurrency", str(clients), "--duration",
                                        str(args.duration), "--offset", str(round_ * 337 + clients * 101),
                                        partner_token=partner if port == pathwise_port else None)
                    numbers["actions"] = actors.sent
                    if actors.latencies:
                        print(f"  actions: {actors.sent}, latency p50 {percentile(actors.latencies, .5) * 1000:.0f} ms")
                    row(name, clients, round_, numbers, "bare" if name == "bare" else "pathwise")
                    results.append({"phase": name, "clients": clients, "round": round_, **numbers})
        numbers = summary(results, args.concurrency)
        memory = proc_status(pathwise.pid)
        print(f"\npathwise serve memory after the run: VmRSS {memory['VmRSS'] / 1024:.0f} MiB, VmHWM "
              f"{memory['VmHWM'] / 1024:.0f} MiB (target <= 1.5 GB: "
              f"{'met' if memory['VmHWM'] <= 1.5e9 / 1024 else 'NOT met'}); bare app VmRSS "
              f"{proc_status(bare.pid)['VmRSS'] / 1024:.0f} MiB")
        return {"cold": cold, "rounds": results, "summary": numbers, "memory_after_start_kib": memory_loaded,
                "memory_after_run_kib": memory}
    finally:
        for process in (pathwise, bare):
            process.terminate()
            process.wait(timeout=60)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="bare and recommendations phases alternate this often")
    parser.add_argument("--duration", type=float, default=10, help="measured seconds per phase")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[8, 16], help="concurrent clients")
    parser.add_argument("--workdir", type=Path, help="keep the store, artifacts and tokens here, and reuse them")
    parser.add_argument("--json", type=Path, help="also write the numbers to this file")
    parser.add_argument("--server-env", nargs="*", default=[], metavar="PATHWISE_NAME=VALUE",
                        help="more settings for `pathwise serve`, e.g. PATHWISE_RECOMMENDATION_THREADS=1")
    parser.add_argument("--actions-per-second", type=float, default=0,
                        help="during recommendations phases, this many learners a second (at random) rate a course "
                        "through trackEvents, so their next request is computed afresh")
    parser.add_argument("--cache-seconds", type=float,
                        help="PATHWISE_RECOMMENDATION_CACHE_SECONDS of the server (0: every request computed afresh; "
                        "default: the server's default)")
    return parser.parse_args()


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "_bare":
        serve_bare(int(sys.argv[2]))
        return
    if len(sys.argv) > 1 and sys.argv[1] == "_client":
        run_clients(sys.argv[2:])
        return
    args = parse_args()
    if not COURSES_CSV.exists():
        print(f"skipped: the Coursera catalog is not at {COURSES_CSV}")
        return
    from app.core.store.embedded import embedded_store

    with tempfile.TemporaryDirectory(prefix="pathwise-bench-") as tmp:
        root = args.workdir or Path(tmp)
        root.mkdir(parents=True, exist_ok=True)
        secret_file = root / "bench-secret"
        if not secret_file.exists():
            secret_file.write_text(secrets.token_urlsafe(32))
        with embedded_store(root / "store", "bench") as state:
            workspace = Workspace(root, state.uri, secret_file.read_text())
            prepare(workspace)
            args.store_pid = state.child_pid
            numbers = measure(args, workspace)
    if args.json:
        args.json.write_text(json.dumps({**{k: str(v) for k, v in vars(args).items()}, **numbers}, indent=1))


if __name__ == "__main__":
    main()
