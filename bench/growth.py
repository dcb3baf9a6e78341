"""Cost curves: how training and serving grow with catalog, learners and interactions (issue 15, part 3).

For each size (courses / learners / interactions) it generates a synthetic catalog and learners with skews
like real ones, then, per recommender, in fresh child processes (so peaks never mix):

- fit: the child builds the `TrainingData` (its RSS and CPU are reported apart), resets its peak RSS
  (/proc/self/clear_refs), then fits: CPU seconds of `fit`, peak RSS while fitting (VmHWM, the training data
  included), then the artifact's size on disk after `save`;
- serve: a new process loads the artifact: its RSS after loading (and the part the artifact added), then
  `recommend(k=10)` for `--requests` learners sampled from the data, each with their history as request-time
  history, their segments, and their courses excluded, as the server asks: CPU per request (median, p95).

Children run with one OpenMP and BLAS thread (`--threads`): CPU time is what is reported (the machine is
shared), and on a 2-core machine under load a second BLAS thread only spins on small products (ALS's fold-in
took 1.7 ms of CPU instead of 0.15 ms at 10,000 courses).

Synthetic data (seeded): 50 topics with Zipf(0.8) weights, 1,000 skills (20 per topic); each course has a
topic, a main skill and 1-3 more of its topic's skills, a level (50/35/15% beginner/intermediate/advanced),
and 10% of the others one prerequisite of their topic. Course popularity is Zipf(1.0) over a random order.
Learner activity is lognormal (σ = 1.2): interactions are spread over learners in proportion to it, so some
learners have none and a few have hundreds. Each learner has an interest topic and a level (their segments);
80% of their interactions are in their topic (by popularity there), 20% anywhere (by popularity). Kinds:
course_view 0.3 (45%), enroll 1.0 (30%), complete 2.0 (20%), rate 1.5 (5%), at random minutes over a year.

`content` is fitted on random vectors instead of all-MiniLM-L6-v2 (100,000 course texts would take hours of
CPU to embed here: ~66 s per 1,000, bench/README.md): a unit vector per course near its topic's centre, of
the model's 384 dimensions, so the FAISS index (flat below 20,000 courses, HNSW above) and its search are
timed as they are. Answers use history only (no profile text to embed at request time).

A recommender whose dense item × item matrices would not fit (`item_knn` ~5 x 8 x items² bytes, EASE
~3 x 8 x items²) is not started; a child passing `--max-rss-gib` or `--max-cpu-min` of CPU for one fit is
stopped, and so is any child while the machine has under 1 GiB available. The reason goes in the table, and
that recommender is not tried at larger sizes. Ingestion CPU per event is measured by bench/ingest.py, not here.

    .venv/bin/python bench/growth.py --quick                      # < 3 min: two small sizes
    nohup .venv/bin/python bench/growth.py > /tmp/growth.log 2>&1 &   # the full ladder (bench/README.md)
    .venv/bin/python bench/growth.py --sizes 10k/100k/1M:cf,cf_ease,cf_als --requests 100
"""

import argparse
import gc
import importlib
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

OUTPUT = REPO / "bench" / "growth.json"
QUICK_OUTPUT = Path("/tmp/growth-quick.json")
PLOTS = REPO / "bench" / "growth"
TOPICS, SKILLS = 50, 1000
LEVELS = ("beginner", "intermediate", "advanced")
KINDS = ("course_view", "enroll", "complete", "rate")
KIND_SHARES = (0.45, 0.30, 0.20, 0.05)
KIND_WEIGHTS = (0.3, 1.0, 2.0, 1.5)
ZIPF_COURSES, ZIPF_TOPICS, ACTIVITY_SIGMA, IN_TOPIC = 1.0, 0.8, 1.2, 0.8
START = datetime(2026, 1, 1, tzinfo=UTC)
MINUTES = 365 * 1440
PER_INTERACTION = ("user", "item", "kind", "minute")
DIMENSIONS = 384
GIB = 1024 ** 3
RECOMMENDERS = ("cf", "cf_als", "item_knn", "popular", "sequence", "content")
LADDER = ("1k/1k/10k", "1k/10k/100k", "10k/100k/1M", "100k/100k/1M", "100k/1M/10M")
QUICK = ("1k/1k/10k", "1k/10k/100k")
EASE_THRESHOLD = 20_000  # Ease().als_threshold, without importing the recommenders in the parent
SAME_AS_CF = "same as cf (ALS from 20k courses on)"


@dataclass(frozen=True)
class Size:
    courses: int
    learners: int
    interactions: int
    recommenders: tuple[str, ...] = RECOMMENDERS

    @property
    def label(self) -> str:
        return "/".join(_short(n) for n in (self.courses, self.learners, self.interactions))


def _short(n: int) -> str:
    for unit, name in ((1_000_000, "M"), (1_000, "k")):
        if n >= unit and n % unit == 0:
            return f"{n // unit}{name}"
    return str(n)


def _count(text: str) -> int:
    match = re.fullmatch(r"(\d+(?:\.\d+)?)([kKmM]?)", text)
    if match is None:
        raise argparse.ArgumentTypeError(f"not a count: {text!r}")
    return int(float(match[1]) * {"": 1, "k": 1_000, "m": 1_000_000}[match[2].lower()])


def parse_size(text: str) -> Size:
    """"courses/learners/interactions[:rec,rec]", e.g. "10k/100k/1M" or "20k/100k/1M:cf_ease"."""
    counts, _, names = text.partition(":")
    parts = counts.split("/")
    if len(parts) != 3:
        raise argparse.ArgumentTypeError(f"a size is courses/learners/interactions, not {text!r}")
    chosen = tuple(names.split(",")) if names else RECOMMENDERS
    unknown = set(chosen) - set(FACTORIES)
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown recommenders {sorted(unknown)}; known: {sorted(FACTORIES)}")
    return Size(*(_count(p) for p in parts), recommenders=chosen)


# --- synthetic data ------------------------------------------------------------------------------------------


def generate(size: Size, seed: int) -> dict[str, npt.NDArray[Any]]:
    """The catalog and the interactions of `size` as arrays (see the module docstring for the skews)."""
    rng = np.random.default_rng(seed)
    topic_weights = _zipf(TOPICS, ZIPF_TOPICS)
    course_topic = rng.choice(TOPICS, size.courses, p=topic_weights)
    per_topic = SKILLS // TOPICS
    skills = course_topic[:, None] + TOPICS * rng.integers(0, per_topic, (size.courses, 4))
    skills[:, 2:][rng.random((size.courses, 2)) < 0.5] = -1  # 2-4 skills; duplicates are dropped later
    level = rng.choice(3, size.courses, p=(0.5, 0.35, 0.15))
    popularity = _zipf(size.courses, ZIPF_COURSES)[rng.permutation(size.courses)]
    prerequisite = np.full(size.courses, -1)
    for topic in range(TOPICS):
        members = np.flatnonzero(course_topic == topic)
        chosen = members[(level[members] > 0) & (rng.random(members.size) < 0.1)]
        prerequisite[chosen] = rng.choice(members, chosen.size) if members.size > 1 else -1
    prerequisite[prerequisite == np.arange(size.courses)] = -1
    activity = rng.lognormal(0.0, ACTIVITY_SIGMA, size.learners)
    user = rng.choice(size.learners, size.interactions, p=activity / activity.sum()).astype(np.int32)
    learner_topic = rng.choice(TOPICS, size.learners, p=topic_weights)
    item = rng.choice(size.courses, size.interactions, p=popularity / popularity.sum()).astype(np.int32)
    in_topic = rng.random(size.interactions) < IN_TOPIC
    for topic in range(TOPICS):
        members = np.flatnonzero(course_topic == topic)
        where = np.flatnonzero(in_topic & (learner_topic[user] == topic))
        if members.size and where.size:
            weights = popularity[members] / popularity[members].sum()
            item[where] = rng.choice(members, where.size, p=weights)
    return {"course_topic": course_topic.astype(np.int16), "skills": skills.astype(np.int16),
            "level": level.astype(np.int8), "prerequisite": prerequisite.astype(np.int32),
            "learner_topic": learner_topic.astype(np.int16),
            "learner_level": rng.choice(3, size.learners).astype(np.int8), "user": user, "item": item,
            "kind": rng.choice(len(KINDS), size.interactions, p=KIND_SHARES).astype(np.int8),
            "minute": rng.integers(0, MINUTES, size.interactions).astype(np.int32)}


def _zipf(n: int, exponent: float) -> npt.NDArray[np.float64]:
    weights = 1.0 / np.arange(1, n + 1) ** exponent
    return weights / weights.sum()


def data_stats(arrays: dict[str, npt.NDArray[Any]]) -> dict[str, Any]:
    """How skewed the generated data is."""
    per_course = np.bincount(arrays["item"], minlength=arrays["course_topic"].size)
    per_learner = np.bincount(arrays["user"])
    top = np.sort(per_course)[::-1]
    return {"learners_with_history": int((per_learner > 0).sum()), "courses_with_history": int((per_course > 0).sum()),
            "top_1pct_courses_share": round(float(top[: max(1, top.size // 100)].sum() / top.sum()), 3),
            "interactions_per_learner_median": float(np.median(per_learner[per_learner > 0])),
            "interactions_per_learner_max": int(per_learner.max())}


def course_items(arrays: dict[str, npt.NDArray[Any]]) -> dict[str, Any]:
    from recommenders.base import Item

    items = {}
    for n, (topic, skills, level, prerequisite) in enumerate(zip(
            arrays["course_topic"].tolist(), arrays["skills"].tolist(), arrays["level"].tolist(),
            arrays["prerequisite"].tolist(), strict=True)):
        labels = tuple(dict.fromkeys(f"skill {s}" for s in skills if s >= 0))
        items[f"c{n}"] = Item(f"c{n}", title=f"Course {n}", text=f"Course {n} on {', '.join(labels)}",
                              skills=labels, topics=(f"topic {topic}",), level=LEVELS[level],
                              prerequisites=(f"c{prerequisite}",) if prerequisite >= 0 else ())
    return items


def interactions(arrays: dict[str, npt.NDArray[Any]], rows: npt.NDArray[np.intp] | None = None) -> list[Any]:
    """The interactions (all, or those at `rows`) as `Interaction`s."""
    from recommenders.base import Interaction

    pick: Callable[[str], npt.NDArray[Any]] = (lambda key: arrays[key]) if rows is None else (
        lambda key: arrays[key][rows])
    minutes, at = np.unique(pick("minute"), return_inverse=True)
    times = [START + timedelta(minutes=m) for m in minutes.tolist()]
    users = {u: f"u{u}" for u in np.unique(pick("user")).tolist()}
    courses = [f"c{n}" for n in range(arrays["course_topic"].size)]
    return [Interaction(users[u], courses[i], KIND_WEIGHTS[k], times[t], KINDS[k])
            for u, i, k, t in zip(pick("user").tolist(), pick("item").tolist(), pick("kind").tolist(),
                                  at.tolist(), strict=True)]


def _segments(topics: list[int], levels: list[int], learner: int) -> dict[str, str]:
    return {"interest": f"topic {topics[learner]}", "level": LEVELS[levels[learner]]}


def training_data(arrays: dict[str, npt.NDArray[Any]]) -> Any:
    from recommenders.base import TrainingData

    signals = interactions(arrays)
    topics, levels = arrays["learner_topic"].tolist(), arrays["learner_level"].tolist()
    segments = {f"u{u}": _segments(topics, levels, u) for u in np.unique(arrays["user"]).tolist()}
    return TrainingData(course_items(arrays), signals, segments)


# --- recommenders --------------------------------------------------------------------------------------------


# name -> (module, class, constructor arguments); a child imports only the module it needs
FACTORIES: dict[str, tuple[str, str, dict[str, Any]]] = {
    "cf": ("collaborative", "Ease", {}),
    "cf_als": ("collaborative", "Ease", {"als_threshold": 0}),
    "cf_ease": ("collaborative", "Ease", {"als_threshold": 10 ** 9}),
    "item_knn": ("collaborative", "ItemKnn", {}),
    "popular": ("popular", "Popular", {}),
    "sequence": ("sequence", "Sequence", {}),
    "content": ("content", "Content", {}),
}


def recommender_class(name: str) -> Any:
    module, cls, _ = FACTORIES[name]
    return getattr(importlib.import_module(f"recommenders.{module}"), cls)


def new_recommender(name: str) -> Any:
    return recommender_class(name)(**FACTORIES[name][2])


def dense_bytes(name: str, courses: int) -> int:
    """What the dense item × item matrices of `name` need while fitting (0 when it keeps none)."""
    if name == "item_knn":
        return 5 * 8 * courses ** 2  # gram, norms outer, similarity, partition, where: float64
    if name == "cf_ease" or (name == "cf" and courses < EASE_THRESHOLD):
        return 3 * 8 * courses ** 2  # gram and the two of LAPACK's inverse: float64
    return 0


def fake_encoder(items: dict[str, Any], seed: int) -> Callable[[Sequence[str]], Any]:
    """`embeddings.encode` stand-in: per course text, a unit vector near its topic's centre (384 dimensions)."""
    from recommenders.content import item_text

    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(TOPICS, DIMENSIONS)).astype(np.float32)
    topic_of = {item_text(item): int(item.topics[0].split()[-1]) for item in items.values()}

    def encode(texts: Sequence[str], urgent: bool = False) -> Any:
        vectors = centres[[topic_of.get(t, 0) for t in texts]] + rng.normal(size=(len(texts), DIMENSIONS))
        vectors = vectors.astype(np.float32).reshape(len(texts), DIMENSIONS)
        return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)

    return encode


def model_of(recommender: Any) -> str:
    """Which model a fitted recommender holds: EASE or ALS for cf, the FAISS index type for content."""
    if hasattr(recommender, "index") and recommender.index is not None:
        return type(recommender.index).__name__
    return str(getattr(recommender, "model", recommender.name))


# --- child processes -----------------------------------------------------------------------------------------


def status_kib(field_name: str) -> int:
    """A field of /proc/self/status in KiB (VmRSS, VmHWM)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field_name + ":"):
            return int(line.split()[1])
    return 0


def fit_child(data_file: Path, name: str, artifact: Path, seed: int) -> dict[str, Any]:
    recommender = new_recommender(name)  # imports first, so that the data's RSS below is the data's
    base_rss = status_kib("VmRSS")
    started = time.process_time()
    with np.load(data_file) as stored:
        arrays = {key: stored[key] for key in stored.files}
    data = training_data(arrays)
    del arrays
    gc.collect()
    data_cpu, data_rss, data_peak = time.process_time() - started, status_kib("VmRSS"), status_kib("VmHWM")
    Path("/proc/self/clear_refs").write_text("5")  # VmHWM := VmRSS: the peak below is the fit's (data included)
    if name == "content":
        from recommenders import embeddings

        embeddings.encode = fake_encoder(dict(data.items), seed)  # type: ignore[assignment]
    cpu, wall = time.process_time(), time.perf_counter()
    recommender.fit(data)
    fit_cpu, fit_wall = time.process_time() - cpu, time.perf_counter() - wall
    cpu = time.process_time()
    recommender.save(artifact)
    peak = status_kib("VmHWM")
    return {"model": model_of(recommender), "data_cpu_s": data_cpu, "data_mib": (data_rss - base_rss) / 1024,
            "data_build_peak_rss_mib": data_peak / 1024,
            "fit_cpu_s": fit_cpu, "fit_wall_s": fit_wall, "save_cpu_s": time.process_time() - cpu,
            "peak_rss_mib": peak / 1024, "fit_peak_over_data_mib": (peak - data_rss) / 1024,
            "artifact_bytes": sum(p.stat().st_size for p in artifact.rglob("*") if p.is_file())}


def serve_child(requests_file: Path, name: str, artifact: Path) -> dict[str, Any]:
    from recommenders.base import Learner, RecommendationRequest

    cls = recommender_class(name)
    with np.load(requests_file) as stored:
        arrays = {key: stored[key] for key in stored.files}
    history: dict[str, list[Any]] = {}
    for signal in sorted(interactions(arrays), key=lambda s: s.at):
        history.setdefault(signal.user_id, []).append(signal)
    topics, levels = arrays["learner_topic"].tolist(), arrays["learner_level"].tolist()
    asks = [RecommendationRequest(Learner(user, tuple(signals), segments=_segments(topics, levels, int(user[1:]))),
                                  k=10, exclude=frozenset(s.item_id for s in signals))
            for user, signals in history.items()]
    base_rss = status_kib("VmRSS")
    cpu = time.process_time()
    recommender = cls.load(artifact)
    load_cpu, loaded_rss = time.process_time() - cpu, status_kib("VmRSS")
    for ask in asks[:5]:  # first calls fill lazy caches (e.g. popular's per-segment rankings)
        recommender.recommend(ask)
    cpu_ms, wall_ms, answered = [], [], 0
    for ask in asks:
        cpu, wall = time.process_time_ns(), time.perf_counter_ns()
        answer = recommender.recommend(ask)
        cpu_ms.append((time.process_time_ns() - cpu) / 1e6)
        wall_ms.append((time.perf_counter_ns() - wall) / 1e6)
        answered += len(answer) == 10
    return {"load_cpu_s": load_cpu, "serve_rss_mib": loaded_rss / 1024,
            "serve_model_mib": (loaded_rss - base_rss) / 1024,
            "request_cpu_ms_median": statistics.median(cpu_ms), "request_cpu_ms_p95": _p95(cpu_ms),
            "request_wall_ms_median": statistics.median(wall_ms), "requests": len(asks),
            "full_answers": answered / max(1, len(asks))}


def _p95(values: list[float]) -> float:
    return sorted(values)[min(len(values) - 1, int(0.95 * len(values)))]


# --- the parent: children under a watchdog -------------------------------------------------------------------


@dataclass
class Limits:
    max_rss_gib: float
    max_cpu_min: float
    threads: int = 1
    min_available_gib: float = 1.0


@dataclass
class ChildResult:
    result: dict[str, Any] | None
    stopped: str | None
    cpu_s: float
    peak_rss_mib: float


def run_child(arguments: list[str], limits: Limits) -> ChildResult:
    """Run this script as a child with `arguments`; stop it past the limits."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        result_file = Path(handle.name)
    threads = str(limits.threads)
    environment = os.environ | {"OMP_NUM_THREADS": threads, "OPENBLAS_NUM_THREADS": threads, "MKL_NUM_THREADS": threads}
    process = subprocess.Popen([sys.executable, __file__, *arguments, "--result", str(result_file)], env=environment)
    stopped, cpu, peak = None, 0.0, 0.0
    while process.poll() is None:
        time.sleep(0.5)
        rss, cpu = _proc_rss_cpu(process.pid, cpu)
        peak = max(peak, rss)
        available = _available_gib()
        if rss / 1024 > limits.max_rss_gib:
            stopped = f"stopped: RSS passed {limits.max_rss_gib:g} GiB"
        elif cpu / 60 > limits.max_cpu_min:
            stopped = f"stopped: over {limits.max_cpu_min:g} CPU-min"
        elif available < limits.min_available_gib:
            stopped = f"stopped: machine below {limits.min_available_gib:g} GiB available at {rss / 1024:.1f} GiB RSS"
        if stopped:
            process.kill()
            process.wait()
    result = None
    if stopped is None and process.returncode == 0:
        result = json.loads(result_file.read_text())
    elif stopped is None:
        stopped = f"failed: exit status {process.returncode}"
    result_file.unlink(missing_ok=True)
    return ChildResult(result, stopped, cpu, peak)


def _proc_rss_cpu(pid: int, last_cpu: float) -> tuple[float, float]:
    """(VmRSS MiB, utime + stime s) of a running process; the last CPU when it is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0, last_cpu
    rss = next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0)
    return rss / 1024, (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _available_gib() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) / 1024 ** 2
    return float("inf")


@dataclass
class Row:
    size: str
    courses: int
    learners: int
    interactions: int
    recommender: str
    status: str = "ok"
    values: dict[str, Any] = field(default_factory=dict)


GivenUp = dict[str, tuple[Size, str]]  # recommender -> the size it could not be fitted at, and why


def measure_size(size: Size, args: argparse.Namespace, work: Path,
                 given_up: GivenUp) -> tuple[list[Row], dict[str, Any]]:
    started = time.process_time()
    arrays = generate(size, args.seed)
    stats = data_stats(arrays) | {"generate_cpu_s": round(time.process_time() - started, 2)}
    data_file, requests_file = work / f"{size.label.replace('/', '-')}.npz", work / "requests.npz"
    np.savez(data_file, **arrays)
    learners = np.unique(arrays["user"])
    sampled = np.random.default_rng(args.seed).choice(learners, min(args.requests, learners.size), replace=False)
    rows_of_sampled = np.flatnonzero(np.isin(arrays["user"], sampled))
    np.savez(requests_file, **{key: value[rows_of_sampled] if key in PER_INTERACTION else value
                               for key, value in arrays.items()})
    del arrays
    print(f"\n== {size.label}: {stats}", flush=True)
    rows = []
    limits = Limits(args.max_rss_gib, args.max_cpu_min, args.threads)
    for name in size.recommenders:
        row = Row(size.label, size.courses, size.learners, size.interactions, name)
        rows.append(row)
        needed = dense_bytes(name, size.courses)
        smaller = given_up.get(name)
        if smaller is not None and _at_least(size, smaller[0]):
            row.status = f"not run: {smaller[1]} at {smaller[0].label}"
        elif name == "cf_als" and "cf" in size.recommenders and size.courses >= EASE_THRESHOLD:
            row.status = SAME_AS_CF
        elif needed > args.max_rss_gib * GIB:
            row.status = f"not run: dense items² float64 matrices need ~{needed / GIB:,.0f} GiB"
        else:
            artifact = work / "artifacts" / name
            fitted = run_child(["--child", "fit", "--data", str(data_file), "--recommender", name,
                                "--artifact", str(artifact), "--seed", str(args.seed)], limits)
            if fitted.result is None:
                row.status = fitted.stopped or "failed"
                row.values = {"cpu_s_when_stopped": round(fitted.cpu_s, 1),
                              "rss_mib_when_stopped": round(fitted.peak_rss_mib)}
            else:
                row.values = fitted.result
                served = run_child(["--child", "serve", "--data", str(requests_file), "--recommender", name,
                                    "--artifact", str(artifact)], limits)
                row.values |= served.result or {"serve": served.stopped}
            shutil.rmtree(artifact, ignore_errors=True)
        if row.status not in ("ok", SAME_AS_CF) and name not in given_up:
            given_up[name] = (size, row.status.removeprefix("not run: "))
        print(f"   {name:<9} {row.status} {json.dumps(_rounded(row.values))}", flush=True)
    data_file.unlink(missing_ok=True)
    requests_file.unlink(missing_ok=True)
    return rows, stats


def _at_least(size: Size, other: Size) -> bool:
    return size.courses >= other.courses and size.learners >= other.learners and size.interactions >= other.interactions


def _rounded(values: dict[str, Any]) -> dict[str, Any]:
    return {k: round(v, 3) if isinstance(v, float) else v for k, v in values.items()}


# --- report --------------------------------------------------------------------------------------------------


def table(rows: list[dict[str, Any]]) -> str:
    lines = ["| size (courses/learners/interactions) | recommender | model | fit CPU s | peak RSS MiB (data) | "
             "artifact MiB | serving RSS MiB (model) | request CPU ms median / p95 |",
             "|---|---|---|---|---|---|---|---|"]
    for row in rows:
        v = row["values"]
        if row["status"] != "ok":
            lines.append(f"| {row['size']} | {row['recommender']} | – | {row['status']} | | | | |")
            continue
        serving = (f"{v['serve_rss_mib']:,.0f} ({v['serve_model_mib']:,.0f})" if "serve_rss_mib" in v
                   else str(v.get("serve")))
        request = (f"{v['request_cpu_ms_median']:.2f} / {v['request_cpu_ms_p95']:.2f}"
                   if "request_cpu_ms_median" in v else "")
        lines.append(f"| {row['size']} | {row['recommender']} | {v['model']} | {v['fit_cpu_s']:,.1f} | "
                     f"{v['peak_rss_mib']:,.0f} ({v['data_mib']:,.0f}) | {v['artifact_bytes'] / 2 ** 20:,.1f} | "
                     f"{serving} | {request} |")
    return "\n".join(lines)


def plots(rows: list[dict[str, Any]], directory: Path) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    directory.mkdir(parents=True, exist_ok=True)
    sizes = list(dict.fromkeys(row["size"] for row in rows))
    charts = {"fit_cpu.png": ("fit_cpu_s", "training CPU (s)", 1.0),
              "peak_rss.png": ("peak_rss_mib", "peak RSS while fitting, data included (MiB)", 1.0),
              "artifact_size.png": ("artifact_bytes", "artifact on disk (MiB)", 2 ** -20),
              "serving_rss.png": ("serve_model_mib", "RSS the loaded artifact adds to a server (MiB)", 1.0),
              "request_cpu.png": ("request_cpu_ms_median", "CPU per recommend(), median (ms)", 1.0)}
    written = []
    for filename, (key, label, scale) in charts.items():
        figure, axes = plt.subplots(figsize=(7, 4), dpi=90)
        for name in dict.fromkeys(row["recommender"] for row in rows):
            shown = [row for row in rows
                     if row["recommender"] == name and row["status"] == "ok" and key in row["values"]]
            points = [(sizes.index(row["size"]), row["values"][key] * scale) for row in shown]
            if points:
                axes.plot(*zip(*points, strict=True), marker="o", label=name)
            for row, point in zip(shown, points, strict=True):
                if name in ("cf", "content"):  # which model: EASE or ALS, a flat or an HNSW index
                    model = row["values"]["model"].removeprefix("Index").removesuffix("Flat").removesuffix("IP")
                    axes.annotate(model, point, textcoords="offset points", xytext=(4, -10), fontsize=7)
        axes.set_xticks(range(len(sizes)), sizes, rotation=15, fontsize=8)
        axes.set_yscale("log")
        axes.set_xlabel("courses / learners / interactions")
        axes.set_ylabel(label)
        axes.grid(alpha=0.3)
        axes.legend(fontsize=8)
        figure.tight_layout()
        figure.savefig(directory / filename)
        plt.close(figure)
        written.append(directory / filename)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=parse_size, nargs="+", help=f"default: {' '.join(LADDER)}")
    parser.add_argument("--quick", action="store_true", help=f"{' '.join(QUICK)}, 50 requests, no plots")
    parser.add_argument("--requests", type=int, default=200, help="learners asked per size and recommender")
    parser.add_argument("--max-rss-gib", type=float, default=20.0)
    parser.add_argument("--max-cpu-min", type=float, default=15.0, help="CPU minutes one fit may take")
    parser.add_argument("--threads", type=int, default=1, help="OpenMP and BLAS threads of each child")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--json", type=Path, help=f"default: {OUTPUT.relative_to(REPO)} (--quick: {QUICK_OUTPUT})")
    parser.add_argument("--plots", type=Path, default=PLOTS)
    parser.add_argument("--child", choices=("fit", "serve"), help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--recommender", help=argparse.SUPPRESS)
    parser.add_argument("--artifact", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child = fit_child(args.data, args.recommender, args.artifact, args.seed) if args.child == "fit" else (
            serve_child(args.data, args.recommender, args.artifact))
        args.result.write_text(json.dumps(child))
        return
    if args.quick:
        args.sizes, args.requests = args.sizes or [parse_size(s) for s in QUICK], min(args.requests, 50)
    sizes = args.sizes or [parse_size(s) for s in LADDER]
    args.json = args.json or (QUICK_OUTPUT if args.quick else OUTPUT)
    memory = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") / GIB
    settings = {key: getattr(args, key) for key in ("requests", "max_rss_gib", "max_cpu_min", "threads", "seed")}
    report: dict[str, Any] = {"started_at": datetime.now(UTC).isoformat(timespec="seconds"),
                              "machine": {"cpus": os.cpu_count(), "memory_gib": round(memory, 1)},
                              "settings": settings, "sizes": {}, "rows": []}
    given_up: GivenUp = {}
    with tempfile.TemporaryDirectory(prefix="pw-growth-") as work:
        for size in sizes:
            rows, stats = measure_size(size, args, Path(work), given_up)
            report["sizes"][size.label] = stats
            report["rows"] += [asdict(row) for row in rows]
            args.json.write_text(json.dumps(report, indent=1, default=str))
    report["parent_cpu_s"] = resource.getrusage(resource.RUSAGE_SELF).ru_utime
    args.json.write_text(json.dumps(report, indent=1, default=str))
    print("\n" + table(report["rows"]))
    if not args.quick:
        print("\nplots:", *plots(report["rows"], args.plots))


if __name__ == "__main__":
    main()
