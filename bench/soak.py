"""Soak benchmark: a realistic request mix from wrk for minutes at ~80% of the measured peak, on the embedded store.

One run, in a temporary directory:

1. set-up: `pathwise serve` on a fresh data dir (it starts its own embedded store; background work as usual),
   `pathwise demo` (and with `--coursera` the Coursera catalog, then `pathwise train`), then `--learners`
   learners (tokens signed with the deployment's secret) who grant `personalization` and
   `behavioral_tracking`, submit onboarding and send a few events;
2. wrk with bench/soak.lua: per request a learner's token (in turn) and a kind drawn from the mix: `me`,
   `recommendations(first: 10)`, `courses(search:)`, `trackEvents` and `POST /v1/events` (1-5 events with
   unique ids), `nextExercises`, `reviewQueue`. Non-2xx statuses, GraphQL `errors` and rejected events count
   as errors;
3. peak: a warm-up, then `--peak-seconds` closed-loop with `--connections` connections: requests/s at peak;
4. soak: `--minutes` consecutive 1-minute wrk runs at `--load` x peak, paced by wrk's `delay()` hook (each
   thread hands out send times evenly spaced); each minute its rps, p50/p99 and errors, with the server's and
   the store's VmRSS (sampled every 5 s) and CPU (/proc/<pid>/stat) per request.

See bench/README.md. Not a test: run it by hand.
"""

import argparse
import asyncio
import contextlib
import json
import os
import resource
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.recommend import COURSES_CSV, cpu_s, free_port, wait_for  # noqa: E402

LUA = Path(__file__).with_name("soak.lua")
MIX = [("recommendations", 0.45), ("me", 0.10), ("search", 0.10), ("track", 0.12), ("rest", 0.06),
       ("next", 0.09), ("reviews", 0.08)]
SEARCHES = ["python", "data analysis", "machine learning", "sql", "statistics", "web development", "excel",
            "project management", "deep learning for beginners", "cloud"]
ONBOARD = ("mutation($i: OnboardingInput!) { p: setConsent(purpose: PERSONALIZATION, granted: true) { errors { code } }"
           " b: setConsent(purpose: BEHAVIORAL_TRACKING, granted: true) { errors { code } }"
           " submitOnboarding(input: $i) { errors { code message } } }")
SEED_EVENTS = ("mutation($e: [EventInput!]!) { trackEvents(events: $e) { accepted rejected "
               "results { code message } errors { code } } }")
STATUS_QUERY = "{ recommenders { name status } }"


class Deployment:
    """`pathwise serve` on a fresh data dir in `root`, and the CLI on the same data dir."""

    def __init__(self, root: Path) -> None:
        self.root, self.data_dir, self.secret = root, root / "data", secrets.token_urlsafe(32)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def env(self) -> dict[str, str]:
        return {**{k: v for k, v in os.environ.items() if not k.startswith("PATHWISE_")},
                "PATHWISE_JWT_SECRET": self.secret, "PATHWISE_LOG_LEVEL": "warning", "HF_HUB_OFFLINE": "1"}

    def cli(self, *args: str) -> str:
        started = time.monotonic()
        done = subprocess.run([sys.executable, "-m", "app", *args, "--data-dir", str(self.data_dir)], cwd=REPO,
                              env=self.env(), check=False, capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"pathwise {args[0]} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
        print(f"  pathwise {args[0]}: {time.monotonic() - started:.1f} s", flush=True)
        return done.stdout

    def start(self) -> None:
        import httpx

        log = self.root / "serve.log"
        self.process = subprocess.Popen([sys.executable, "-m", "app", "serve", "--port", str(self.port),
                                         "--data-dir", str(self.data_dir)], cwd=REPO, env=self.env(),
                                        stdout=log.open("wb"), stderr=subprocess.STDOUT)
        wait_for(self.process, lambda: httpx.get(f"{self.base}/readyz", timeout=5).status_code == 200, log,
                 "pathwise serve")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=60)

    @property
    def server_pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def store_pid(self) -> int:
        """The embedded store's pid now (the server restarts it if it dies)."""
        return int(json.loads((self.data_dir / "store.json").read_text())["child_pid"])


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


# --- set-up ------------------------------------------------------------------------------------------------

def wait_ready(deployment: Deployment, token: str, timeout_s: float = 600) -> dict[str, str]:
    """Until no recommender is still loading (the demo's training published artifacts)."""
    import httpx

    deadline, statuses = time.monotonic() + timeout_s, {}
    while time.monotonic() < deadline:
        body = httpx.post(f"{deployment.base}/graphql", json={"query": STATUS_QUERY}, timeout=10,
                          headers={"authorization": f"Bearer {token}"}).json()
        statuses = {r["name"]: r["status"] for r in body["data"]["recommenders"]}
        if all(statuses.get(name) == "READY" for name in ("popular", "content", "cf")):
            return statuses
        time.sleep(1)
    raise SystemExit(f"the recommenders did not become ready: {statuses}")


async def onboard(base: str, tokens: list[str], skills: list[str], exercises: list[str], courses: list[str]) -> None:
    """Each learner grants consent, submits onboarding and sends a few events; any error stops the run."""
    import random

    import httpx

    rng = random.Random(11)
    limit = asyncio.Semaphore(4)

    async def one(client: Any, number: int, token: str) -> None:
        headers = {"authorization": f"Bearer {token}"}
        answers = {"goals": rng.sample(skills, 1), "interests": rng.sample(skills, 3), "weeklyMinutes": 120}
        events = [{"eventId": f"seed-{number}-{i}", "type": "quiz_answer",
                   "properties": {"item_id": rng.choice(exercises), "correct": rng.random() < 0.6}} for i in range(4)]
        events += [{"eventId": f"seed-{number}-c", "type": "enroll", "courseId": rng.choice(courses)}]
        async with limit:
            for query, variables in ((ONBOARD, {"i": answers}), (SEED_EVENTS, {"e": events})):
                body = (await client.post("/graphql", json={"query": query, "variables": variables},
                                          headers=headers)).json()
                payloads = (body.get("data") or {}).values()
                if body.get("errors") or any(p["errors"] or p.get("rejected") for p in payloads):
                    raise SystemExit(f"set-up of learner {number} failed: {json.dumps(body)[:600]}")

    async with httpx.AsyncClient(base_url=base, timeout=120) as client:
        await asyncio.gather(*(one(client, number, token) for number, token in enumerate(tokens)))


def catalog(deployment: Deployment, token: str) -> dict[str, list[str]]:
    import httpx

    query = "{ taxonomy { skills } courses(first: 100) { edges { node { id } } } }"
    body = httpx.post(f"{deployment.base}/graphql", json={"query": query}, timeout=30,
                      headers={"authorization": f"Bearer {token}"}).json()
    if body.get("errors"):
        raise SystemExit(f"reading the catalog failed: {body['errors']}")
    data = body["data"]
    return {"skills": data["taxonomy"]["skills"], "courses": [e["node"]["id"] for e in data["courses"]["edges"]],
            "practice_skills": _demo_ids("skills.jsonl"), "exercises": _demo_ids("exercises.jsonl")}


def _demo_ids(name: str) -> list[str]:
    """The ids of the demo's skill graph or exercises, which `pathwise demo` loaded."""
    lines = (REPO / "app" / "demo" / name).read_text().splitlines()
    return [json.loads(line)["id"] for line in lines if line.strip()]


def prepare(deployment: Deployment, args: argparse.Namespace) -> tuple[list[str], str, dict[str, list[str]]]:
    from app.core.settings import Settings
    from app.core.tokens import Role, issue_token

    print("set-up:", flush=True)
    deployment.start()
    deployment.cli("demo")
    if args.coursera:
        deployment.cli("import-courses", str(COURSES_CSV))
        deployment.cli("train")
    admin = deployment.cli("token", "soak-admin", "--role", "admin", "--ttl", "4h").strip().splitlines()[-1]
    statuses = wait_ready(deployment, admin)
    settings = Settings(jwt_secret=deployment.secret)
    tokens = [issue_token(settings, f"soak-learner-{n:04d}", [Role.LEARNER], timedelta(hours=4))
              for n in range(args.learners)]
    data = catalog(deployment, admin)
    started = time.monotonic()
    asyncio.run(onboard(deployment.base, tokens, data["skills"], data["exercises"], data["courses"]))
    print(f"  {args.learners} learners onboarded in {time.monotonic() - started:.1f} s; recommenders {statuses}; "
          f"{len(data['courses'])} courses, {len(data['practice_skills'])} practice skills", flush=True)
    return tokens, admin, data


# --- wrk -----------------------------------------------------------------------------------------------------

def lua_list(values: list[str]) -> str:
    return "{" + ",".join(json.dumps(v) for v in values) + "}"


def write_script(path: Path, tokens: list[str], data: dict[str, list[str]], rate: float, threads: int, tag: str,
                 expected: list[str]) -> None:
    header = "\n".join([
        f"TOKENS = {lua_list(tokens)}", f"COURSES = {lua_list(data['courses'])}",
        f"SKILLS = {lua_list(data['practice_skills'])}", f"EXERCISES = {lua_list(data['exercises'])}",
        f"SEARCHES = {lua_list(SEARCHES)}", "MIX = {" + ",".join(f'{{"{k}",{w}}}' for k, w in MIX) + "}",
        f"RATE = {rate:.3f}", f"THREADS = {threads}", f'TAG = "{tag}"',
        "EXPECTED = {" + ",".join(f'["{code}"]=true' for code in expected) + "}"])
    path.write_text(header + "\n" + LUA.read_text())


def run_wrk(deployment: Deployment, script: Path, seconds: float, connections: int, threads: int) -> dict[str, Any]:
    """One wrk run; its numbers, with the server's and the store's CPU and wrk's own, in ms per request."""
    pids = {"server": deployment.server_pid, "store": deployment.store_pid()}
    before = {name: cpu_s(pid) for name, pid in pids.items()}
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds:.0f}s",
                           "--timeout", "10s", "-s", str(script), deployment.base], check=False,
                          capture_output=True, text=True)
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith("SOAK ")), None)
    if done.returncode != 0 or line is None:
        raise SystemExit(f"wrk failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    numbers: dict[str, Any] = json.loads(line[5:])
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    count = max(numbers["requests"], 1)
    numbers["rps"] = numbers["requests"] / (numbers["duration_us"] / 1e6)
    numbers["errors"] = (numbers["statuses"] + numbers["graphql_errors"] + numbers["rejected"] + numbers["connect"]
                         + numbers["read"] + numbers["write"] + numbers["timeout"])
    for name, pid in pids.items():
        numbers[f"{name}_cpu_ms"] = (cpu_s(pid) - before[name]) * 1000 / count
    numbers["wrk_cpu_ms"] = (after.ru_utime + after.ru_stime - children.ru_utime - children.ru_stime) * 1000 / count
    return numbers


class MemorySampler:
    """VmRSS of the server and the store every `every` seconds, in a thread."""

    def __init__(self, deployment: Deployment, every: float = 5) -> None:
        self.deployment, self.every = deployment, every
        self.samples: list[tuple[float, int, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> "MemorySampler":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            with contextlib.suppress(OSError, ValueError, KeyError):  # the store is restarting: no sample
                self.samples.append((time.monotonic(), rss_kib(self.deployment.server_pid),
                                     rss_kib(self.deployment.store_pid())))
            self._stop.wait(self.every)

    def between(self, start: float, end: float) -> tuple[float, float]:
        """Mean RSS of the server and the store (MiB) over [start, end]."""
        chosen = [s for s in self.samples if start <= s[0] <= end] or self.samples[-1:]
        return (statistics.fmean(s[1] for s in chosen) / 1024, statistics.fmean(s[2] for s in chosen) / 1024)


# --- the run -------------------------------------------------------------------------------------------------

HEADER = (f"{'minute':>6}{'req/s':>8}{'target':>8}{'p50 ms':>8}{'p99 ms':>8}{'max ms':>8}{'errors':>7}"
          f"{'server RSS':>11}{'store RSS':>10}   CPU ms/req: server store wrk   load  cached")


def print_row(label: str, n: dict[str, Any]) -> None:
    print(f"{label:>6}{n['rps']:>8.1f}{n['rate']:>8.1f}{n['p50_us'] / 1000:>8.1f}{n['p99_us'] / 1000:>8.1f}"
          f"{n['max_us'] / 1000:>8.0f}{n['errors']:>7}{n.get('server_rss_mib', 0):>11.1f}"
          f"{n.get('store_rss_mib', 0):>10.1f}   {n['server_cpu_ms']:>17.2f} {n['store_cpu_ms']:>5.2f} "
          f"{n['wrk_cpu_ms']:>4.2f}  {n['load']:>5.2f}  {n['cached_share']:>5.0%}", flush=True)
    if n["errors"]:
        print(f"        errors by code {n['codes']}; first: {n['first_error'][:300]}", flush=True)


def cache_counts(deployment: Deployment, admin: str) -> tuple[int, int]:
    """The recommendation cache's hits and misses so far."""
    import httpx

    body = httpx.post(f"{deployment.base}/graphql", json={"query": "{ recommendationCache { hits misses } }"},
                      headers={"authorization": f"Bearer {admin}"}, timeout=30).json()
    return body["data"]["recommendationCache"]["hits"], body["data"]["recommendationCache"]["misses"]


def timings(deployment: Deployment) -> dict[str, tuple[float, float]]:
    """(count, seconds) so far from /metrics (readable from loopback): per GraphQL operation, per REST route, and
    per store command (prefixed `store:`)."""
    import httpx
    from prometheus_client.parser import text_string_to_metric_families

    found: dict[str, tuple[float, float]] = {}
    families = {"pathwise_graphql_request_duration_seconds": "operation",
                "pathwise_http_request_duration_seconds": "route", "pathwise_store_command_duration_seconds": "command"}
    for family in text_string_to_metric_families(httpx.get(f"{deployment.base}/metrics", timeout=30).text):
        if family.name not in families:
            continue
        for sample in family.samples:
            if sample.name.endswith(("_count", "_sum")):
                key = ("store:" if "store" in family.name else "") + sample.labels[families[family.name]]
                count, seconds = found.get(key, (0.0, 0.0))
                counted = sample.name.endswith("_count")
                found[key] = (count + sample.value, seconds) if counted else (count, sample.value)
    return found


def per_request(before: dict[str, tuple[float, float]], after: dict[str, tuple[float, float]],
                requests: int) -> dict[str, tuple[float, float]]:
    """Per name: how many a request (of all kinds) and the mean ms of one, between two `timings`."""
    out = {}
    for key, (count, seconds) in after.items():
        done, spent = count - before.get(key, (0, 0))[0], seconds - before.get(key, (0, 0))[1]
        if done > 0:
            out[key] = (done / max(requests, 1), spent * 1000 / done)
    return out


def measure(deployment: Deployment, tokens: list[str], admin: str, data: dict[str, list[str]],
            args: argparse.Namespace, root: Path) -> dict[str, Any]:
    script = root / "soak.lua"
    tag = secrets.token_hex(3)

    def wrk(label: str, seconds: float, rate: float) -> dict[str, Any]:
        write_script(script, tokens, data, rate, args.threads, f"{tag}{label}", args.expected_codes)
        hits, misses = cache_counts(deployment, admin)
        timed = timings(deployment)
        numbers = run_wrk(deployment, script, seconds, args.connections, args.threads)
        numbers["timings"] = per_request(timed, timings(deployment), numbers["requests"])
        hits, misses = (now - then for now, then in zip(cache_counts(deployment, admin), (hits, misses), strict=True))
        numbers.update(rate=rate, load=os.getloadavg()[0], cached_share=hits / max(hits + misses, 1))
        return numbers

    print(f"\nwrk: {args.connections} connections, {args.threads} threads; mix {dict(MIX)}")
    print(HEADER)
    print_row("warm", wrk("w", args.warmup_seconds, 0))
    peak = wrk("p", args.peak_seconds, 0)
    print_row("peak", peak)
    target = args.load * peak["rps"]
    print(f"target {target:.1f} req/s ({args.load:.0%} of peak {peak['rps']:.1f}); soak of {args.minutes} minutes")
    minutes = []
    with MemorySampler(deployment) as memory:
        for minute in range(1, args.minutes + 1):
            start = time.monotonic()
            numbers = wrk(f"m{minute}", 60, target)
            numbers["server_rss_mib"], numbers["store_rss_mib"] = memory.between(start, time.monotonic())
            numbers["minute"] = minute
            print_row(str(minute), numbers)
            if args.timings:
                print("        " + ", ".join(f"{key} {n:.2f}x {ms:.1f} ms" for key, (n, ms)
                                             in sorted(numbers["timings"].items()) if n >= 0.005), flush=True)
            minutes.append(numbers)
    return {"peak": peak, "target_rps": target, "minutes": minutes, "memory_samples": memory.samples}


def verdict(numbers: dict[str, Any]) -> dict[str, Any]:
    minutes = numbers["minutes"]
    first, last = minutes[0], minutes[-1]
    errors = sum(m["errors"] for m in minutes)
    server_change = (last["server_rss_mib"] / first["server_rss_mib"] - 1) * 100
    store_change = (last["store_rss_mib"] / first["store_rss_mib"] - 1) * 100
    p99s = [m["p99_us"] / 1000 for m in minutes]
    soak_rps = sum(m["requests"] for m in minutes) / sum(m["duration_us"] / 1e6 for m in minutes)
    print(f"\npeak {numbers['peak']['rps']:.1f} req/s; soak {soak_rps:.1f} req/s = "
          f"{soak_rps / numbers['peak']['rps']:.0%} of peak ({soak_rps / numbers['target_rps']:.0%} of the target "
          f"{numbers['target_rps']:.1f})")
    print(f"errors: {errors} in {sum(m['requests'] for m in minutes)} requests (target 0: "
          f"{'met' if errors == 0 else 'NOT met'})")
    print(f"server RSS first vs last minute: {first['server_rss_mib']:.1f} -> {last['server_rss_mib']:.1f} MiB "
          f"({server_change:+.1f}%; target within 5%: {'met' if abs(server_change) <= 5 else 'NOT met'}); "
          f"store {first['store_rss_mib']:.1f} -> {last['store_rss_mib']:.1f} MiB ({store_change:+.1f}%)")
    print(f"p99 per minute: {min(p99s):.1f}-{max(p99s):.1f} ms; load average during the soak "
          f"{min(m['load'] for m in minutes):.1f}-{max(m['load'] for m in minutes):.1f}")
    return {"errors": errors, "soak_rps": soak_rps, "server_rss_change_pct": server_change,
            "store_rss_change_pct": store_change, "p99_ms_range": [min(p99s), max(p99s)]}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=int, default=10, help="soak minutes (one wrk run each)")
    parser.add_argument("--peak-seconds", type=float, default=30, help="closed-loop run that measures the peak")
    parser.add_argument("--warmup-seconds", type=float, default=20, help="closed-loop warm-up before it, not counted")
    parser.add_argument("--load", type=float, default=0.8, help="soak rate as a share of the peak")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--learners", type=int, default=200)
    parser.add_argument("--coursera", action="store_true", help="also import the Coursera catalog and train")
    parser.add_argument("--expected-codes", nargs="*", default=[], help="error codes not counted as errors")
    parser.add_argument("--timings", action="store_true", help="print per minute, from the server's /metrics, "
                        "each operation's and each store command's count per request and mean time")
    parser.add_argument("--json", type=Path, help="also write the numbers to this file")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    if subprocess.run(["which", "wrk"], capture_output=True, check=False).returncode != 0:
        raise SystemExit("wrk is not installed (Debian: apt-get install -y wrk)")
    if args.coursera and not COURSES_CSV.exists():
        raise SystemExit(f"the Coursera catalog is not at {COURSES_CSV}")
    with tempfile.TemporaryDirectory(prefix="pathwise-soak-") as tmp:
        deployment = Deployment(Path(tmp))
        try:
            tokens, admin, data = prepare(deployment, args)
            numbers = measure(deployment, tokens, admin, data, args, Path(tmp))
            numbers["verdict"] = verdict(numbers)
        finally:
            deployment.stop()
    if args.json:
        args.json.write_text(json.dumps({"args": {k: str(v) for k, v in vars(args).items()}, **numbers}, indent=1))


if __name__ == "__main__":
    main()
