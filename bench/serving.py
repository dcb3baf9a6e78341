"""Server CPU per recommendation answer, with `wrk` as the load generator: bare query, cached, computed, first
answer after a restart, and throughput with learners acting during the run.

It reuses `bench/recommend.py`'s workspace (the Coursera catalog of 1,000 courses, 1,000 seeded learners,
`pathwise train`: hybrid over content, cf, sequence and popular) and its servers:

- `bare`: Strawberry on Starlette with the same cache extensions, one field returning 10 static objects of the
  query's shape, run by uvicorn as `pathwise serve` runs it;
- `cached`: `pathwise serve` with the recommendation cache on (its default), every learner asked once before;
- `computed`: a second `pathwise serve` with `PATHWISE_RECOMMENDATION_CACHE_SECONDS=0`: no answer is cached,
  every answer is computed on the request path (from the learner's serving state);
- `cold`: the cached server restarted, then each of the 1,000 learners asked once (`WRK_ONCE`): a learner's
  first answer after a restart.

Each phase is `wrk -t2 -c<clients> -d<duration>` with `bench/serving.lua` (each request for the next learner,
with that learner's own token). The server's CPU comes from /proc/<pid>/stat before and after the phase,
divided by the requests wrk counted; the store's is reported apart. Phases alternate (bare, cached, computed)
for `--rounds` rounds and the medians are reported. `--actions-per-second N` adds N learners a second rating a
course through `trackEvents` during the pathwise phases (so their next answers are computed afresh): a second
`wrk` makes them (`bench/actions.lua`; its latency is wrk's own), or with `--actions-by python` (and
`--next-answer`, which needs it) the Python client of `bench/recommend.py`, whose own time on these two cores is
in the latency it reports.

    .venv/bin/python bench/serving.py --workdir /tmp/rbench                # CPU per answer, 3 rounds
    .venv/bin/python bench/serving.py --workdir /tmp/rbench --actions-per-second 20 --only bare cached
    .venv/bin/python bench/serving.py --workdir /tmp/rbench --actions-per-second 20 --only bare cached \
        --measure quiet --clients 2                                   # actions alone, then at 2 clients

Not a test: run it by hand. Needs `wrk` (Debian package) and the Coursera catalog in ../shared/data.
"""

import argparse
import json
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import recommend as bench

LUA = Path(__file__).resolve().parent / "serving.lua"
ACTIONS_LUA = Path(__file__).resolve().parent / "actions.lua"
ACTION_CONNECTIONS = 4  # wrk connections making the actions, each pausing between its answer and its next call
PHASES = ("bare", "cached", "computed")


def wrk(port: int, tokens: Path, clients: int, duration: float, once: bool = False, offset: int = 0
        ) -> dict[str, Any]:
    env = {**os.environ, "WRK_TOKENS": str(tokens), "WRK_BODY": json.dumps({"query": bench.QUERY}),
           "WRK_THREADS": "2", "WRK_ONCE": "1" if once else "0", "WRK_OFFSET": str(offset)}
    started = time.monotonic()
    done = subprocess.run(["wrk", "-t2", f"-c{clients}", f"-d{max(1, round(duration))}s", "--timeout", "30s",
                           "-s", str(LUA), f"http://127.0.0.1:{port}/graphql"],
                          env=env, capture_output=True, text=True, check=False)
    wall = time.monotonic() - started
    found = re.search(r"WRK requests=(\d+) errors=(\d+) p50_us=(\d+) p99_us=(\d+)", done.stdout)
    if done.returncode != 0 or found is None:
        raise SystemExit(f"wrk failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    if done.stderr.strip():
        raise SystemExit(f"bad answers:\n{done.stderr[:2000]}")
    requests, errors, p50, p99 = map(int, found.groups())
    if errors:
        raise SystemExit(f"wrk counted {errors} errors:\n{done.stdout}")
    return {"requests": requests, "wall_s": wall, "p50_ms": p50 / 1000, "p99_ms": p99 / 1000}


IDLE: dict[int, float] = {}  # server pid -> its CPU seconds per second when no request comes (pollers, feed)


def wait_quiet(pid: int, below: float = 0.05, timeout_s: float = 1_800) -> float:
    """Seconds until the server's background work (embedding the catalog's labels and learners' profiles after a
    start) is done: under `below` CPU seconds per second over 5 s."""
    started = time.monotonic()
    while time.monotonic() - started < timeout_s:
        if idle_rate(pid) < below:
            return time.monotonic() - started
    raise SystemExit(f"the server (pid {pid}) stayed busy for {timeout_s:.0f} s with no request")


def idle_rate(pid: int, seconds: float = 5.0) -> float:
    """The server's background CPU per second of wall time, with no request coming: netted out of phases."""
    before, started = bench.cpu_s(pid), time.monotonic()
    time.sleep(seconds)
    IDLE[pid] = (bench.cpu_s(pid) - before) / (time.monotonic() - started)
    return IDLE[pid]


def measured(pid: int, store_pid: int, run: Any) -> dict[str, Any]:
    before, store_before = bench.cpu_s(pid), bench.cpu_s(store_pid)
    numbers: dict[str, Any] = run()
    cpu, store = bench.cpu_s(pid) - before, bench.cpu_s(store_pid) - store_before
    cpu -= IDLE.get(pid, 0.0) * numbers["wall_s"]
    per = max(numbers["requests"], 1)
    return {**numbers, "server_cpu_ms": cpu * 1000 / per, "store_cpu_ms": store * 1000 / per,
            "per_second": numbers["requests"] / numbers["wall_s"]}


def show(name: str, numbers: dict[str, Any]) -> None:
    acted = (f"  actions {numbers['actions']} (one-event trackEvents p50 {numbers['action_p50_ms']:.1f}, "
             f"p99 {numbers['action_p99_ms']:.1f} ms)") if numbers.get("actions") else ""
    if "action_max_ms" in numbers:
        acted = acted[:-1] + f", max {numbers['action_max_ms']:.1f} ms, {numbers['actions'] / numbers['wall_s']:.1f}/s)"
    if "next_p50_ms" in numbers:
        acted += f"; next answer p50 {numbers['next_p50_ms']:.1f}, p99 {numbers['next_p99_ms']:.1f} ms"
    print(f"  {name:<10} {numbers['requests']:>7} req {numbers['per_second']:>8.1f}/s  server CPU "
          f"{numbers['server_cpu_ms']:6.2f} ms/req  store {numbers['store_cpu_ms']:5.2f}  p50 {numbers['p50_ms']:6.1f} "
          f"p99 {numbers['p99_ms']:6.1f} ms{acted}", flush=True)


def wait_ready(port: int, timeout_s: float = 600) -> float:
    """Seconds until /readyz says 200 (learners' serving states built at start-up)."""
    import httpx

    started = time.monotonic()
    while time.monotonic() - started < timeout_s:
        if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5).status_code == 200:
            return time.monotonic() - started
        time.sleep(0.2)
    raise SystemExit(f"/readyz did not say 200 within {timeout_s:.0f} s")


def median_of(rows: list[dict[str, Any]], key: str) -> float:
    return statistics.median(row[key] for row in rows)


def start_servers(args: argparse.Namespace, workspace: bench.Workspace, ports: dict[str, int], token: str
                  ) -> dict[str, subprocess.Popen[bytes]]:
    servers: dict[str, subprocess.Popen[bytes]] = {}
    if "bare" in args.only:
        servers["bare"] = bench.start_bare(workspace.root, ports["bare"])
    if "cached" in args.only:
        servers["cached"] = bench.start_pathwise(workspace, ports["cached"], token, None, args.server_env)
    if "computed" in args.only:
        servers["computed"] = bench.start_pathwise(workspace, ports["computed"], token, 0, args.server_env)
    return servers


def cold_pass(port: int, pid: int, store_pid: int, tokens: Path, seconds: float) -> dict[str, Any]:
    """Each learner asked once (within `seconds`), once the server says it is ready."""
    ready_s = wait_ready(port)
    quiet_s = wait_quiet(pid)
    print(f"/readyz 200 {ready_s:.1f} s after the recommenders were READY (serving states warmed); background work "
          f"done {quiet_s:.0f} s later; server idle CPU {IDLE[pid] * 1000:.1f} ms/s, netted out below")
    cold = measured(pid, store_pid, lambda: wrk(port, tokens, 8, seconds, once=True))
    print("first answer of each learner after a restart:")
    show("cold", cold)
    return cold


class WrkActions:
    """`per_second` one-event `trackEvents` calls a second made by a second `wrk` (`bench/actions.lua`) for
    `duration` s, started beside the phase's own: their latency as wrk measures it, from the request's write to
    its answer, with no Python client on the machine's cores. Each of the connections pauses `delay` ms between its
    answer and its next call, the pause shortened by the calls' expected ~10 ms so the rate comes near `per_second`;
    the rate reached is reported."""

    def __init__(self, port: int, admin: str, courses: Path, per_second: float, duration: float) -> None:
        self.command = ["wrk", "-t1", f"-c{ACTION_CONNECTIONS}", f"-d{max(1, round(duration))}s", "--timeout", "30s",
                        "-s", str(ACTIONS_LUA), f"http://127.0.0.1:{port}/graphql"]
        delay_ms = max(0.0, ACTION_CONNECTIONS * 1000 / per_second - 10) if per_second > 0 else 0
        self.env = {**os.environ, "WRK_COURSES": str(courses), "WRK_LEARNERS": str(bench.LEARNERS),
                    "WRK_ADMIN": admin, "WRK_NONCE": secrets.token_hex(6), "WRK_DELAY_MS": str(round(delay_ms)),
                    "WRK_SEED": str(bench.SEED)}
        self.per_second = per_second
        self.process: subprocess.Popen[str] | None = None
        self.numbers: dict[str, float] = {}

    def __enter__(self) -> "WrkActions":
        if self.per_second > 0:
            self.process = subprocess.Popen(self.command, env=self.env, stdout=subprocess.PIPE,
                                            stderr=subprocess.PIPE, text=True)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process is None:
            return
        out, err = self.process.communicate(timeout=120)
        found = re.search(r"WRK requests=(\d+) errors=(\d+) p50_us=(\d+) p99_us=(\d+) max_us=(\d+)", out)
        if self.process.returncode != 0 or found is None or err.strip():
            raise SystemExit(f"the actions' wrk failed ({self.process.returncode}):\n{out}\n{err[:2000]}")
        requests, errors, p50, p99, most = map(int, found.groups())
        if errors:
            raise SystemExit(f"the actions' wrk counted {errors} errors:\n{out}")
        self.numbers = {"actions": requests, "action_p50_ms": p50 / 1000, "action_p99_ms": p99 / 1000,
                        "action_max_ms": most / 1000}


def one_phase(args: argparse.Namespace, name: str, ports: dict[str, int], pid: int, store_pid: int, tokens: Path,
              admin: str, courses: list[str], offset: int) -> dict[str, Any]:
    acting = args.actions_per_second if name != "bare" else 0
    if args.actions_by == "wrk":
        with WrkActions(ports[name], admin, tokens.parent / "courses.txt", acting, args.duration) as made:
            numbers = measured(pid, store_pid, lambda: wrk(ports[name], tokens, args.clients, args.duration,
                                                           offset=offset))
        numbers.update(made.numbers)
        show(name, numbers)
        return numbers
    learners = tokens.read_text().split() if args.next_answer else None
    with bench.Actors(ports[name], admin, courses, acting, learners) as actors:
        numbers = measured(pid, store_pid, lambda: wrk(ports[name], tokens, args.clients, args.duration, offset=offset))
    numbers["actions"] = actors.sent
    if actors.latencies:  # each action is one single-event trackEvents call, under the phase's load
        numbers["action_p50_ms"] = bench.percentile(actors.latencies, .5) * 1000
        numbers["action_p99_ms"] = bench.percentile(actors.latencies, .99) * 1000
    if actors.next_latencies:  # the acted learner's next answer: computed afresh, under the phase's load
        numbers["next_p50_ms"] = bench.percentile(actors.next_latencies, .5) * 1000
        numbers["next_p99_ms"] = bench.percentile(actors.next_latencies, .99) * 1000
    show(name, numbers)
    return numbers


def quiet_actions(args: argparse.Namespace, port: int, admin: str, courses: list[str], courses_file: Path) -> None:
    """The actions alone on the cached server for `--duration` s: a one-event call's latency with no other load,
    the floor under the phases' numbers."""
    if args.actions_by == "wrk":
        with WrkActions(port, admin, courses_file, args.actions_per_second, args.duration) as made:
            pass
        print(f"  quiet      actions {made.numbers['actions']} (one-event trackEvents p50 "
              f"{made.numbers['action_p50_ms']:.1f}, p99 {made.numbers['action_p99_ms']:.1f} ms, max "
              f"{made.numbers['action_max_ms']:.1f}), no other load", flush=True)
        return
    with bench.Actors(port, admin, courses, args.actions_per_second) as actors:
        time.sleep(args.duration)
    if actors.latencies:
        print(f"  quiet      actions {actors.sent} (one-event trackEvents p50 "
              f"{bench.percentile(actors.latencies, .5) * 1000:.1f}, p99 "
              f"{bench.percentile(actors.latencies, .99) * 1000:.1f} ms), no other load", flush=True)


def report(results: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    keys = ("server_cpu_ms", "store_cpu_ms", "per_second", "p50_ms", "p99_ms")
    summary = {name: {key: median_of(rows, key) for key in keys} for name, rows in results.items()}
    print("\nmedians:")
    for name, numbers in summary.items():
        print(f"  {name:<10} server CPU {numbers['server_cpu_ms']:6.2f} ms/answer, store "
              f"{numbers['store_cpu_ms']:5.2f}, {numbers['per_second']:7.1f}/s, p99 {numbers['p99_ms']:.1f} ms")
    bare = summary.get("bare")
    for name in ("cached", "computed"):
        if bare is not None and name in summary:
            print(f"  {name} / bare: CPU {summary[name]['server_cpu_ms'] / bare['server_cpu_ms']:.2f}x, "
                  f"throughput {summary[name]['per_second'] / bare['per_second']:.2f}x")
    return summary


def run(args: argparse.Namespace, workspace: bench.Workspace, store_pid: int) -> dict[str, Any]:
    from app.core.settings import Settings
    from app.core.tokens import Role, issue_token

    settings = Settings(jwt_secret=workspace.secret)
    tokens = [issue_token(settings, f"learner-{i:04d}", [Role.LEARNER], timedelta(hours=4))
              for i in range(bench.LEARNERS)]
    token_file = workspace.root / "tokens.txt"
    token_file.write_text("\n".join(tokens) + "\n")
    admin = issue_token(settings, "bench-platform", [Role.ADMIN], timedelta(hours=4))
    courses = bench.course_ids(workspace.uri)
    if any(set(course) & set('"\\') for course in courses):
        raise SystemExit("a course id holds a quote or a backslash: bench/actions.lua writes ids into JSON as is")
    (workspace.root / "courses.txt").write_text("\n".join(courses) + "\n")
    ports = {"bare": bench.free_port(), "cached": bench.free_port(), "computed": bench.free_port()}
    servers = start_servers(args, workspace, ports, tokens[0])
    try:
        results: dict[str, list[dict[str, Any]]] = {name: [] for name in servers}
        if "cold" in args.measure and "cached" in servers:
            results["cold"] = [cold_pass(ports["cached"], servers["cached"].pid, store_pid, token_file,
                                         args.cold_seconds)]
        for name in servers:  # warm-up: every learner asked, not reported; then the idle CPU of each server
            if name != "bare":
                wait_ready(ports[name])  # the serving states warmed at start, as in production
            wrk(ports[name], token_file, 8, 120, once=True)  # each learner once (a timed pass missed some)
            quiet_s = wait_quiet(servers[name].pid)
            print(f"  {name}: background work done after {quiet_s:.0f} s; idle CPU "
                  f"{IDLE[servers[name].pid] * 1000:.1f} ms/s (netted out)")
        if "quiet" in args.measure and "cached" in servers and args.actions_per_second:
            quiet_actions(args, ports["cached"], admin, courses, token_file.parent / "courses.txt")
        print(f"phases ({args.clients} clients, {args.duration:.0f} s each):")
        for round_ in range(args.rounds):
            for name in (phase for phase in PHASES if phase in servers):
                results[name].append(one_phase(args, name, ports, servers[name].pid, store_pid, token_file, admin,
                                               courses, round_ * 337))
        summary = report(results)
        if "cached" in servers:
            memory = bench.proc_status(servers["cached"].pid)
            print(f"  pathwise VmRSS {memory['VmRSS'] / 1024:.0f} MiB, VmHWM {memory['VmHWM'] / 1024:.0f} MiB")
        return {"rounds": results, "summary": summary}
    finally:
        for process in servers.values():
            process.terminate()
            process.wait(timeout=60)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, help="bench/recommend.py's workspace (prepared if new; kept)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=float, default=10, help="seconds per phase")
    parser.add_argument("--clients", type=int, default=8, help="wrk connections")
    parser.add_argument("--only", nargs="+", choices=PHASES, default=list(PHASES))
    parser.add_argument("--measure", nargs="*", choices=["cold", "quiet"], default=["cold"],
                        help="also the first answer of each learner after the cached server's start (cold); "
                             "the actions' latency on the quiet cached server, without wrk (quiet)")
    parser.add_argument("--cold-seconds", type=float, default=30, help="wall time of the cold pass (its requests "
                        "are counted; wrk waits this long even when every learner was asked sooner)")
    parser.add_argument("--actions-per-second", type=float, default=0)
    parser.add_argument("--actions-by", choices=["wrk", "python"],
                        help="who makes the actions: a second wrk (bench/actions.lua; the default) or the Python "
                             "client of bench/recommend.py (the default with --next-answer, which needs it)")
    parser.add_argument("--next-answer", action="store_true", help="each actor then asks for their recommendations "
                        "(the acted learner's next answer, computed afresh): its latency under the phase's load")
    parser.add_argument("--server-env", nargs="*", default=[], metavar="PATHWISE_NAME=VALUE")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    if args.actions_by is None:
        args.actions_by = "python" if args.next_answer else "wrk"
    if args.next_answer and args.actions_by != "python":
        parser.error("--next-answer needs --actions-by python")
    return args


def main() -> None:
    args = parse_args()
    if not bench.COURSES_CSV.exists():
        print(f"skipped: the Coursera catalog is not at {bench.COURSES_CSV}")
        return
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk)")
    from app.core.store.embedded import embedded_store

    with tempfile.TemporaryDirectory(prefix="pathwise-serving-") as tmp:
        root = args.workdir or Path(tmp)
        root.mkdir(parents=True, exist_ok=True)
        secret_file = root / "bench-secret"
        if not secret_file.exists():
            secret_file.write_text(secrets.token_urlsafe(32))
        with embedded_store(root / "store", "bench") as state:
            workspace = bench.Workspace(root, state.uri, secret_file.read_text())
            bench.prepare(workspace)
            numbers = run(args, workspace, state.child_pid)
    if args.json:
        args.json.write_text(json.dumps(numbers, indent=1))


if __name__ == "__main__":
    main()
