"""Where one `recommendations(first: 10)` request goes: the app in-process through httpx.ASGITransport.

It reuses a workspace that `bench/recommend.py --workdir DIR` prepared (catalog, learners, trained artifacts),
or prepares one. It reports:

1. wall-clock timers around each step of the request path (the bench wraps the functions; product code is
   unchanged): loading the learner's records, `learner_of`, the recommender (in its thread, budget included),
   the re-ranking and the rest (HTTP, GraphQL, serialisation), for a second pass over the same learners. With
   the recommendation cache on (the default), the second pass is answered from it; `--cache-seconds 0`
   computes it afresh;
2. each hybrid component's `recommend` called directly, per learner (ms);
3. cProfile of the request path (main thread: HTTP, GraphQL, the database reads) and, apart, of
   `hybrid.recommend` called directly (what the recommender threads do).

    .venv/bin/python bench/profile_recommend.py --workdir /tmp/rbench --requests 300
"""

import argparse
import asyncio
import cProfile
import functools
import io
import pstats
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
import recommend as bench

from app.core.settings import Settings
from app.core.store.embedded import embedded_store
from app.core.tokens import Role, issue_token

TIMES: defaultdict[str, list[float]] = defaultdict(list)


def timed(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    if asyncio.iscoroutinefunction(function):
        @functools.wraps(function)
        async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return await function(*args, **kwargs)
            finally:
                TIMES[name].append(time.perf_counter() - started)
        return async_wrapper

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            TIMES[name].append(time.perf_counter() - started)
    return wrapper


def instrument() -> None:
    """Timers around the steps of the request path (in this process only)."""
    from resolvers.recommendations import recommend as use_cases
    from resolvers.recommendations.service import RecommendationService
    from schema.recommendations import fields

    fields.learner_records = timed("records (3 reads via DataLoaders)", fields.learner_records)
    use_cases.learner_of = timed("learner_of", use_cases.learner_of)
    RecommendationService.recommend = timed("service.recommend (thread + budget)",  # type: ignore[method-assign]
                                            RecommendationService.recommend)
    use_cases._reranked = timed("_padded + _reranked", use_cases._reranked)


def report_profile(profile: cProfile.Profile, title: str, top: int) -> None:
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out).strip_dirs()
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    print(f"\n--- cProfile: {title} ---")
    print("\n".join(line for line in out.getvalue().splitlines() if line.strip())[:12_000])


async def requests(app: Any, settings: Settings, count: int, offset: int, profile: cProfile.Profile | None
                   ) -> list[float]:
    latencies = []
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        for number in range(count):
            user = f"learner-{(offset + number) % bench.LEARNERS:04d}"
            token = issue_token(settings, user, [Role.LEARNER], timedelta(hours=1))
            started = time.perf_counter()
            if profile:
                profile.enable()
            response = await client.post("/graphql", json={"query": bench.QUERY},
                                         headers={"authorization": f"Bearer {token}"})
            if profile:
                profile.disable()
            latencies.append(time.perf_counter() - started)
            body = response.json()
            assert "errors" not in body, body
    return latencies


async def component_times(service: Any, settings: Settings, count: int, top: int) -> None:
    from app.core.documents import Enrollment, Rating, User
    from app.core.timestamps import utcnow
    from recommenders.base import RecommendationRequest
    from resolvers.purposes import default_purposes
    from resolvers.recommendations.learners import excluded_courses, learner_of

    asked = []
    for number in range(count):
        user_id = f"learner-{number:04d}"
        user = await User.get(user_id)
        enrollments = await Enrollment.find(Enrollment.user_id == user_id).to_list()
        ratings = await Rating.find(Rating.user_id == user_id).to_list()
        learner = learner_of(user, enrollments, ratings, utcnow(), settings.interest_half_life_days,
                             default_purposes(settings.default_consents))
        asked.append(RecommendationRequest(learner, 10, frozenset(excluded_courses(user, enrollments)), None,
                                           utcnow()))
    hybrid = service.model("hybrid")
    print("\nhybrid components called directly (k = 30, as hybrid asks them), ms per call:")
    print(f"  {'component':<10}{'mean':>8}{'p50':>8}{'p95':>8}{'max':>8}")
    from dataclasses import replace
    for key, component in [*hybrid.components.items(), ("hybrid", hybrid)]:
        times = []
        for request in asked:
            wider = replace(request, k=30) if key != "hybrid" else request
            started = time.perf_counter()
            component.recommend(wider)
            times.append((time.perf_counter() - started) * 1000)
        ordered = sorted(times)
        print(f"  {key:<10}{statistics.mean(times):8.2f}{ordered[len(ordered) // 2]:8.2f}"
              f"{ordered[int(len(ordered) * .95)]:8.2f}{ordered[-1]:8.2f}")
    profile = cProfile.Profile()
    profile.enable()
    for request in asked:
        hybrid.recommend(request)
    profile.disable()
    report_profile(profile, f"hybrid.recommend called directly, {len(asked)} learners", top)


async def run(args: argparse.Namespace, workspace: bench.Workspace) -> None:
    from app.factory import create_app

    cache = {} if args.cache_seconds is None else {"recommendation_cache_seconds": args.cache_seconds}
    settings = Settings(mongodb_uri=workspace.uri, database=bench.DATABASE, data_dir=workspace.data_dir,
                        jwt_secret=workspace.secret, log_level="warning", **cache)
    app = create_app(settings, workspace.uri)
    instrument()
    async with app.router.lifespan_context(app):
        service = app.state.recommendations
        print("statuses:", {s.info.name: s.status for s in service.statuses()})
        cold = await requests(app, settings, args.requests, 0, None)
        TIMES.clear()
        cpu = time.process_time()
        warm = await requests(app, settings, args.requests, 0, None)
        cpu_ms = (time.process_time() - cpu) * 1000 / args.requests
        print(f"\none request at a time, in-process, {args.requests} learners: first pass (profile vectors not "
              f"cached) mean {statistics.mean(cold) * 1000:.2f} ms, p50 {bench.percentile(cold, .5) * 1000:.2f}, "
              f"p99 {bench.percentile(cold, .99) * 1000:.2f}; second pass mean {statistics.mean(warm) * 1000:.2f} ms, "
              f"p50 {bench.percentile(warm, .5) * 1000:.2f}, p99 {bench.percentile(warm, .99) * 1000:.2f}, "
              f"CPU of this process {cpu_ms:.2f} ms per request (the client's share included)")
        total = statistics.mean(warm) * 1000
        print(f"\nsecond pass, per step (ms; mean of {args.requests}):")
        accounted = 0.0
        for name, values in TIMES.items():
            mean = statistics.mean(values) * 1000
            accounted += mean if name != "learner_of" else 0.0
            print(f"  {name:<40}{mean:8.2f}   p95 {bench.percentile(values, .95) * 1000:6.2f}")
        print(f"  {'the rest: HTTP, auth, GraphQL, serialising':<40}{total - accounted:8.2f}   (of {total:.2f})")
        if not args.no_cprofile:
            profile = cProfile.Profile()
            await requests(app, settings, args.requests, 0, profile)
            report_profile(profile, f"{args.requests} requests through the ASGI app (main thread only)", args.top)
        await component_times(service, settings, min(args.requests, bench.LEARNERS), args.top)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, required=True, help="as given to bench/recommend.py (reused)")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--no-cprofile", action="store_true")
    parser.add_argument("--cache-seconds", type=float, help="recommendation cache time to live (0: the second pass "
                        "is computed afresh, as the first; default: the server's default, so it is served cached)")
    args = parser.parse_args()
    if not bench.COURSES_CSV.exists():
        print(f"skipped: the Coursera catalog is not at {bench.COURSES_CSV}")
        return
    args.workdir.mkdir(parents=True, exist_ok=True)
    secret_file = args.workdir / "bench-secret"
    if not secret_file.exists():
        secret_file.write_text(bench.secrets.token_urlsafe(32))
    with embedded_store(args.workdir / "store", "bench") as state:
        workspace = bench.Workspace(args.workdir, state.uri, secret_file.read_text())
        bench.prepare(workspace)
        asyncio.run(run(args, workspace))


if __name__ == "__main__":
    main()
