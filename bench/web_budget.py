"""The learner app's budgets: JavaScript gzipped (≤ 200 KB) and the first recommendations painted (≤ 1 s after
navigation, on localhost with the demo data).

1. builds the app (`npm run build:learner` in web/) and sums its JavaScript files, raw and gzipped (level 9);
2. starts `pathwise serve` on a fresh data dir in a temporary directory, loads `pathwise demo` (which marks the
   data dir as a demo), and waits until the recommenders have loaded the demo's artifacts;
3. asks POST /demo/token for demo-ana's token and opens `/#token=...` in headless Chromium `--runs` times, each
   in a fresh browser context (empty HTTP cache): the time is the app's `pathwise:recommendations-painted`
   performance mark, in ms since navigation start (node web/tests/e2e/learner-first-paint.mjs); the median counts.

Not a test: run it by hand (`.venv/bin/python bench/web_budget.py`); `--base-url` measures a server already running
`pathwise demo` data instead of starting one.
"""

import argparse
import gzip
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.soak import Deployment, wait_ready  # noqa: E402

WEB = REPO / "web"
JS_BUDGET_KB = 200.0
PAINT_BUDGET_MS = 1000.0


def build() -> dict[str, Any]:
    """Build the learner app; the size of its JavaScript, raw and gzipped."""
    subprocess.run(["npm", "run", "--silent", "build:learner"], cwd=WEB, check=True)
    files = sorted((WEB / "dist" / "learner" / "assets").glob("*.js"))
    raw = sum(path.stat().st_size for path in files)
    gzipped = sum(len(gzip.compress(path.read_bytes(), compresslevel=9)) for path in files)
    return {"files": [path.name for path in files], "bytes": raw, "gzipBytes": gzipped,
            "gzipKB": round(gzipped / 1024, 1)}


def demo_token(base: str) -> str:
    import httpx

    response = httpx.post(f"{base}/demo/token", json={"userId": "demo-ana"}, timeout=10)
    response.raise_for_status()
    token: str = response.json()["token"]
    return token


def first_paint(base: str, runs: int) -> dict[str, Any]:
    """The first-paint runs of web/tests/e2e/learner-first-paint.mjs against `base`."""
    env = {"PATH": "/usr/bin:/bin:/usr/local/bin", "PATHWISE_BASE_URL": base, "PATHWISE_TOKEN": demo_token(base)}
    done = subprocess.run(["node", "tests/e2e/learner-first-paint.mjs", str(runs)], cwd=WEB, env=env, check=False,
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"the first-paint runs failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def measured(base: str | None, runs: int) -> dict[str, Any]:
    if base is not None:
        return first_paint(base, runs)
    with tempfile.TemporaryDirectory(prefix="pathwise-web-budget-") as root:
        deployment = Deployment(Path(root))
        deployment.start()
        try:
            deployment.cli("demo")
            wait_ready(deployment, demo_token(deployment.base))
            # one visit first, so that the server's caches and the recommenders' lazy parts are warm
            first_paint(deployment.base, 1)
            return first_paint(deployment.base, runs)
        finally:
            deployment.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="page loads to take the median of")
    parser.add_argument("--base-url", default=None, help="a server already running the demo data")
    args = parser.parse_args()
    size = build()
    paint = measured(args.base_url, args.runs)
    report = {"javascript": size, "firstRecommendationsPainted": paint,
              "budgets": {"gzipKB": JS_BUDGET_KB, "firstPaintMs": PAINT_BUDGET_MS},
              "met": {"gzipKB": size["gzipKB"] <= JS_BUDGET_KB, "firstPaintMs": paint["medianMs"] <= PAINT_BUDGET_MS}}
    print(json.dumps(report, indent=2))
    print(f"learner app JavaScript: {size['gzipKB']} KB gzipped ({size['bytes']:,} bytes raw; budget "
          f"{JS_BUDGET_KB:.0f} KB); first recommendations painted: median {paint['medianMs']} ms of {paint['runs']} "
          f"(budget {PAINT_BUDGET_MS:.0f} ms)")
    if not all(report["met"].values()):
        sys.exit(1)


if __name__ == "__main__":
    main()
