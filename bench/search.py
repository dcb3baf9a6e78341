"""Course search benchmark: `courses(search: ...)` over GraphQL/HTTP against a live `pathwise serve`.

One run, in a temporary directory (or `--workdir`, kept and reused):

1. set-up: the embedded store (nx-27017), the Coursera catalog (../shared/data/courses/coursera_courses.csv)
   and the demo catalog (app/demo/courses.jsonl) through `pathwise import-courses`, then `pathwise serve`;
2. the first search, then for each typical query `--repeat` searches one after the other (after 2 not
   counted): wall latency median / p99, and the CPU time of the server and of the store per search
   (/proc/<pid>/stat);
3. the top 5 titles of a few queries, to judge relevance by eye;
4. oversized searches (`--huge` sizes, `"a " * n/2`): how long the answer takes, and the worst latency of
   `/readyz` and of a typical search sent meanwhile.

See bench/README.md. Not a test: run it by hand.
"""

import argparse
import contextlib
import json
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

from bench.recommend import COURSES_CSV, Workspace, cpu_s, free_port, percentile, wait_for  # noqa: E402

DEMO_COURSES = REPO / "app" / "demo" / "courses.jsonl"
SEARCH = ("query($s: String, $n: Int!) { courses(search: $s, first: $n) { totalCount "
          "edges { node { id title } } } }")
LONG = ("beginner friendly introduction to python programming and data analysis with pandas, sql databases, "
        "statistics, visualization and machine learning projects for a career change into data science roles!!")
QUERIES = ["python", "data analysis sql", "machine learning for beginners", LONG]  # the last: 200 characters
SPOT_CHECK = ["python", "sql", "data visualization"]


def post(client: Any, query: str, variables: dict[str, Any], timeout: float = 60) -> dict[str, Any]:
    response = client.post("/graphql", json={"query": query, "variables": variables}, timeout=timeout)
    body: dict[str, Any] = response.json()
    return body


def prepare(workspace: Workspace) -> None:
    marker = workspace.root / "prepared-search.json"
    if marker.exists():
        print(f"set-up: reusing {workspace.root}")
        return
    print("set-up:")
    workspace.cli("import-courses", str(COURSES_CSV))
    workspace.cli("import-courses", str(DEMO_COURSES))
    marker.write_text("{}")


def start_server(workspace: Workspace, port: int) -> subprocess.Popen[bytes]:
    import httpx

    log = workspace.root / "serve.log"
    process = subprocess.Popen([sys.executable, "-m", "app", "serve", "--port", str(port), "--data-dir",
                                str(workspace.data_dir)], cwd=REPO, env=workspace.env(), stdout=log.open("wb"),
                               stderr=subprocess.STDOUT)
    wait_for(process, lambda: httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5).status_code == 200, log,
             "pathwise serve")
    return process


def time_queries(client: Any, pids: dict[str, int], repeat: int) -> list[dict[str, Any]]:
    started = time.perf_counter()
    post(client, SEARCH, {"s": "python", "n": 10})
    print(f"first search once /readyz answers (it may wait for the index being built): "
          f"{(time.perf_counter() - started) * 1000:,.0f} ms", flush=True)
    rows = []
    for query in QUERIES:
        for _ in range(2):
            post(client, SEARCH, {"s": query, "n": 10})
        latencies, total = [], None
        before = {name: cpu_s(pid) for name, pid in pids.items()}
        for _ in range(repeat):
            started = time.perf_counter()
            body = post(client, SEARCH, {"s": query, "n": 10})
            latencies.append(time.perf_counter() - started)
            if body.get("errors"):
                raise SystemExit(f"search {query[:40]!r} failed: {body['errors']}")
            total = body["data"]["courses"]["totalCount"]
        cpu = {f"{name}_cpu_ms": (cpu_s(pid) - before[name]) * 1000 / repeat for name, pid in pids.items()}
        row = {"query": query, "chars": len(query), "total": total, "median_ms": statistics.median(latencies) * 1000,
               "p99_ms": percentile(latencies, .99) * 1000, **cpu}
        print(f"{query[:36]!r:<40}{len(query):>6}{total:>7}{row['median_ms']:>10.1f}{row['p99_ms']:>10.1f}"
              f"{row['server_cpu_ms']:>12.1f}{row['store_cpu_ms']:>11.1f}", flush=True)
        rows.append(row)
    return rows


def spot_check(client: Any) -> dict[str, list[str]]:
    found = {}
    for query in SPOT_CHECK:
        body = post(client, SEARCH, {"s": query, "n": 5})
        titles = [edge["node"]["title"] for edge in body["data"]["courses"]["edges"]]
        found[query] = titles
        print(f"\ntop 5 for {query!r} ({body['data']['courses']['totalCount']} found):")
        for number, title in enumerate(titles, 1):
            print(f"  {number}. {title}")
    return found


class Prober:
    """While a huge search runs: `/readyz` and a typical search, one after the other, each's worst latency."""

    def __init__(self, base: str, headers: dict[str, str], timeout: float) -> None:
        self.base, self.headers, self.timeout = base, headers, timeout
        self.worst = {"readyz": 0.0, "search": 0.0}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> "Prober":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=self.timeout)

    def _run(self) -> None:
        import httpx

        with httpx.Client(base_url=self.base, headers=self.headers, timeout=self.timeout) as client:
            while not self._stop.is_set():
                for name, send in (("readyz", lambda: client.get("/readyz")),
                                   ("search", lambda: post(client, SEARCH, {"s": "python", "n": 10}, self.timeout))):
                    started = time.perf_counter()
                    with contextlib.suppress(httpx.HTTPError):
                        send()
                    self.worst[name] = max(self.worst[name], time.perf_counter() - started)
                self._stop.wait(0.2)


def huge_searches(base: str, headers: dict[str, str], sizes: list[int], timeout: float) -> list[dict[str, Any]]:
    import httpx

    rows = []
    for size in sizes:
        search = "a " * (size // 2)
        with Prober(base, headers, timeout) as prober, httpx.Client(base_url=base, headers=headers) as client:
            time.sleep(0.5)
            started = time.perf_counter()
            try:
                body = post(client, SEARCH, {"s": search, "n": 10}, timeout)
                outcome = ",".join(e.get("extensions", {}).get("code", "?") for e in body.get("errors", [])) or "ok"
            except httpx.TimeoutException:
                outcome = f"no answer in {timeout:.0f} s"
            elapsed = time.perf_counter() - started
            time.sleep(0.5)
        row = {"bytes": len(search), "seconds": elapsed, "outcome": outcome,
               "worst_readyz_s": prober.worst["readyz"], "worst_search_s": prober.worst["search"]}
        print(f"search of {len(search):,} bytes: {outcome} after {elapsed * 1000:,.1f} ms; meanwhile the worst "
              f"/readyz took {row['worst_readyz_s'] * 1000:,.0f} ms and the worst typical search "
              f"{row['worst_search_s'] * 1000:,.0f} ms", flush=True)
        rows.append(row)
    return rows


def measure(args: argparse.Namespace, workspace: Workspace, store_pid: int) -> dict[str, Any]:
    import httpx

    from app.core.settings import Settings
    from app.core.tokens import Role, issue_token

    token = issue_token(Settings(jwt_secret=workspace.secret), "bench-partner", [Role.PARTNER], timedelta(hours=2))
    headers = {"authorization": f"Bearer {token}"}
    port = free_port()
    server = start_server(workspace, port)
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, headers=headers) as client:
            print(f"\n{args.repeat} searches per query, one at a time (CPU: ms per search)")
            print(f"{'query':<40}{'chars':>6}{'found':>7}{'p50 ms':>10}{'p99 ms':>10}{'server CPU':>12}"
                  f"{'store CPU':>11}")
            timings = time_queries(client, {"server": server.pid, "store": store_pid}, args.repeat)
            relevance = spot_check(client)
        print()
        huge = huge_searches(base, headers, args.huge, args.huge_timeout)
        return {"timings": timings, "relevance": relevance, "huge": huge}
    finally:
        server.terminate()
        server.wait(timeout=60)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=50, help="timed searches per query")
    parser.add_argument("--huge", type=int, nargs="*", default=[8_000, 100_000],
                        help="sizes in bytes of the oversized searches (none: skip them)")
    parser.add_argument("--huge-timeout", type=float, default=60, help="give up on an oversized search after this")
    parser.add_argument("--workdir", type=Path, help="keep the store here, and reuse it")
    parser.add_argument("--json", type=Path, help="also write the numbers to this file")
    return parser.parse_args()


def main() -> None:
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
            numbers = measure(args, workspace, state.child_pid)
    if args.json:
        args.json.write_text(json.dumps(numbers, indent=1))


if __name__ == "__main__":
    main()
