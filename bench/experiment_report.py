"""Experiment report benchmark: `experiment_report` over N impression events on the embedded store.

One run starts the embedded store (nx-27017) in a temporary directory (or `--data-dir`, reused when it already
holds the events), inserts `--events` recommendation impressions (and about `--click-rate` as many clicks) for an
experiment with two variants over `--learners` learners and `--days` days, then times `experiment_report`
`--repeats` times: wall time, this process's CPU and the store process's CPU (from /proc/<pid>/stat), median.

See bench/README.md for the commands. Not a test: run it by hand.
"""

import argparse
import asyncio
import hashlib
import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from app.core.documents import Event, Experiment, ExperimentMetric, ExperimentStatus, Variant  # noqa: E402
from app.core.settings import Settings  # noqa: E402
from app.core.store.db import init_database, make_client  # noqa: E402
from app.core.store.embedded import embedded_store  # noqa: E402
from resolvers.experiments.reports import experiment_report  # noqa: E402

DATABASE = "bench"
EXPERIMENT = "bench-hybrid-vs-popular"
START = datetime(2026, 1, 5, tzinfo=UTC)
BATCH = 10_000


def variant_of(user_id: str) -> str:
    """The assignment rule of resolvers.experiments.assignment for two 50/50 variants."""
    u = int(hashlib.sha256(f"{EXPERIMENT}:{user_id}".encode()).hexdigest()[:15], 16) / 16**15
    return "control" if u < 0.5 else "hybrid"


def events(count: int, learners: int, days: int, click_rate: float, seed: int = 7) -> list[dict[str, Any]]:
    """`count` impressions and about `click_rate` × as many clicks (10% more in the treatment)."""
    rng = random.Random(seed)
    documents = []
    for n in range(count):
        user = f"learner-{rng.randrange(learners):06d}"
        variant = variant_of(user)
        at = START + timedelta(seconds=rng.randrange(days * 86_400))
        kinds = ["recommendation_impression"]
        if rng.random() < click_rate * (1.1 if variant == "hybrid" else 1.0):
            kinds.append("recommendation_click")
        for kind in kinds:
            documents.append(Event(
                id=Event.key(user, f"b{n}-{kind[15:]}"), user_id=user, event_id=f"b{n}-{kind[15:]}", type=kind,
                course_id=f"course-{rng.randrange(500):03d}", server_timestamp=at,
                properties={"experiment": EXPERIMENT, "variant": variant, "position": rng.randrange(10),
                            "request_id": f"r{n}", "strategy": "popular" if variant == "control" else "hybrid"},
            ).model_dump(by_alias=True))
    return documents


def store_cpu_s(pid: int) -> float:
    """utime + stime of a process, in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def seed(client: Any, args: argparse.Namespace) -> dict[str, Any]:
    collection = client[DATABASE]["events"]
    if await collection.estimated_document_count() > 0:
        return {"inserted": 0, "note": "reused the events already in --data-dir"}
    await Experiment(id=EXPERIMENT, name="Bench: hybrid against popular", status=ExperimentStatus.RUNNING,
                     variants=[Variant(name="control", strategy="popular", share=0.5),
                               Variant(name="hybrid", strategy="hybrid", share=0.5)],
                     primary_metric=ExperimentMetric.CLICK_THROUGH, started_at=START).insert()
    documents = events(args.events, args.learners, args.days, args.click_rate)
    started = time.perf_counter()
    for offset in range(0, len(documents), BATCH):
        await collection.insert_many(documents[offset:offset + BATCH], ordered=False)
    seconds = time.perf_counter() - started
    return {"inserted": len(documents), "insert_s": round(seconds, 1),
            "insert_per_s": round(len(documents) / seconds)}


async def measure(uri: str, child_pid: int, args: argparse.Namespace) -> dict[str, Any]:
    client: Any = make_client(uri)
    try:
        await init_database(client, DATABASE)
        result: dict[str, Any] = await seed(client, args)
        settings = Settings(default_consents=["analytics"])
        now = START + timedelta(days=args.days)
        walls, own_cpu, store_cpu = [], [], []
        for _ in range(args.repeats):
            store_before, own_before, wall_before = store_cpu_s(child_pid), time.process_time(), time.perf_counter()
            report = await experiment_report(EXPERIMENT, now, settings)
            walls.append(time.perf_counter() - wall_before)
            own_cpu.append(time.process_time() - own_before)
            store_cpu.append(store_cpu_s(child_pid) - store_before)
        control, hybrid = report.variants
        comparison = hybrid.metrics[0].comparison
        result |= {
            "events": args.events, "learners": [control.learners, hybrid.learners],
            "impressions": control.impressions + hybrid.impressions, "clicks": control.clicks + hybrid.clicks,
            "daily_points": len(report.daily), "lift": None if comparison is None else round(comparison.lift, 4),
            "report_wall_s": round(statistics.median(walls), 2), "report_wall_all_s": [round(w, 2) for w in walls],
            "report_cpu_s": round(statistics.median(own_cpu), 2),
            "store_cpu_s": round(statistics.median(store_cpu), 2),
        }
        return result
    finally:
        await client.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--events", type=int, default=1_000_000, help="impressions to insert")
    parser.add_argument("--learners", type=int, default=50_000)
    parser.add_argument("--days", type=int, default=14)
    parser.add_argument("--click-rate", type=float, default=0.1)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--data-dir", type=Path, default=None, help="keep the store here (reused on a later run)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        data_dir = args.data_dir or Path(scratch)
        with embedded_store(data_dir, "bench experiment_report", exclusive=True) as state:
            print(json.dumps(asyncio.run(measure(state.uri, state.child_pid, args))))


if __name__ == "__main__":
    main()
