"""Where the time of one `trackEvents` call goes: the mutation run in-process (no HTTP) on the embedded store,
with wall-clock timers around each step, this process's and the store's CPU time during each step (steps run
concurrently within a call, so their CPU overlaps), and cProfile for the CPU breakdown of this process. The heap
built before the measured calls is frozen, as `pathwise serve` freezes its start-up heap.

    .venv/bin/python bench/profile_ingest.py [--batches 40] [--batch 500] [--mix essential|behavioral] [--top 25]
                                             [--no-cprofile]
"""

import argparse
import asyncio
import cProfile
import gc
import io
import json
import os
import pstats
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from starlette.requests import Request  # noqa: E402

import resolvers.events.tracking as events_module  # noqa: E402
from app.core.documents import Course, Event  # noqa: E402
from app.core.settings import Settings  # noqa: E402
from app.core.store.db import init_database, make_client  # noqa: E402
from app.core.store.embedded import embedded_store  # noqa: E402
from app.core.tokens import Principal, Role  # noqa: E402
from bench.ingest import COURSES, MUTATION, event  # noqa: E402
from resolvers.events.ingestion import EventWriter  # noqa: E402
from resolvers.profile import folding  # noqa: E402
from schema.context import Context  # noqa: E402
from schema.schema import build_schema  # noqa: E402

TIMES: dict[str, float] = defaultdict(float)
OWN_CPU: dict[str, float] = defaultdict(float)  # CPU seconds this process spent during each step
STORE_CPU: dict[str, float] = defaultdict(float)  # CPU seconds the store process spent during each step
STORE_PID = [0]
CPU: dict[str, float] = {}  # CPU seconds of each process over all the measured calls


def store_cpu_s() -> float:
    fields = Path(f"/proc/{STORE_PID[0]}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def timed(name: str, function: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        started, store_started, cpu_started = time.perf_counter(), store_cpu_s(), time.process_time()
        try:
            return await function(*args, **kwargs)
        finally:
            TIMES[name] += time.perf_counter() - started
            STORE_CPU[name] += store_cpu_s() - store_started
            OWN_CPU[name] += time.process_time() - cpu_started
    return wrapper


def timed_sync(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started, cpu_started = time.perf_counter(), time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            TIMES[name] += time.perf_counter() - started
            OWN_CPU[name] += time.process_time() - cpu_started
    return wrapper


def instrument(writer: EventWriter) -> None:
    """Timers around the steps of track_events (module attributes are looked up at call time)."""
    events_module.track_events = timed("track_events (all of the use case)", events_module.track_events)
    events_module._known_courses = timed("  _known_courses (find)", events_module._known_courses)
    events_module._learners = timed("  _learners (find users: consents and fold states)", events_module._learners)
    events_module._normalised = timed_sync("  _normalised (nulls, camelCase properties)", events_module._normalised)
    events_module._unusable = timed_sync("  _unusable (ids, storable values)", events_module._unusable)
    events_module._validated = timed_sync("  _validated (checks + EventRecord.model_validate)",
                                          events_module._validated)
    events_module._store = timed("  _store (document() + buffered insert_many)", events_module._store)
    folding.apply_events = timed("  folding.apply_events", folding.apply_events)
    events_module._practice = timed("  _practice (quiz answers: mastery and review cards)", events_module._practice)
    folding.load_course_facts = timed("    folding.load_course_facts (find courses)", folding.load_course_facts)
    writer.write = timed("    EventWriter.write (wait for the bulk write)", writer.write)  # type: ignore[method-assign]


def batch_variables(batch: int, size: int, mix: str) -> dict[str, Any]:
    template = json.dumps([event(i, mix) for i in range(size)]).replace("@B", f"p{batch}")
    return {"e": json.loads(template), "u": f"profile-user-{batch % 50}"}


async def profile(args: argparse.Namespace, uri: str) -> None:
    client: Any = make_client(uri)
    await init_database(client, "profile")
    await Course.get_pymongo_collection().insert_many([{"_id": c, "title": c} for c in COURSES])
    settings = Settings(default_consents=["behavioral_tracking"] if args.mix == "behavioral" else [])
    writer = EventWriter(Event.get_pymongo_collection(), settings.ingest_batch_size, settings.ingest_flush_ms,
                         settings.ingest_max_pending)
    await writer.start()
    schema = build_schema(settings)
    request = Request({"type": "http", "method": "POST", "path": "/graphql", "headers": []})
    admin = Principal("profile-admin", frozenset({Role.ADMIN}))
    variables = [batch_variables(b, args.batch, args.mix) for b in range(args.batches + 2)]

    async def one(values: dict[str, Any]) -> None:
        context = Context(request=request, response=None, settings=settings, principal=admin, event_writer=writer)
        result = await schema.execute(MUTATION, variable_values=values, context_value=context)
        assert result.errors is None and result.data is not None, result.errors
        assert result.data["trackEvents"]["accepted"] == args.batch, result.data

    for values in variables[:2]:  # warm-up: caches, first connections
        await one(values)
    instrument(writer)
    gc.collect()  # as `pathwise serve` does once it is warm: the start-up heap is left out of collections
    gc.freeze()
    schema_time = 0.0
    profiler = cProfile.Profile()
    started, cpu_started, store_started = time.perf_counter(), time.process_time(), store_cpu_s()
    for values in variables[2:]:
        before = time.perf_counter()
        if args.cprofile:
            profiler.enable()
        await one(values)
        if args.cprofile:
            profiler.disable()
        schema_time += time.perf_counter() - before
    elapsed = time.perf_counter() - started
    CPU["this process (the server's work)"] = time.process_time() - cpu_started
    CPU["the store"] = store_cpu_s() - store_started
    await writer.stop()
    await client.drop_database("profile")
    await client.close()
    report(args, elapsed, schema_time, profiler)


def report(args: argparse.Namespace, elapsed: float, schema_time: float, profiler: cProfile.Profile) -> None:
    n = args.batches
    print(f"{n} sequential trackEvents calls of {args.batch} events ({args.mix}): {elapsed:.2f} s, "
          f"{n * args.batch / elapsed:,.0f} events/s in-process, one at a time")
    print(f"per call: {1000 * schema_time / n:.1f} ms in schema.execute")
    print(f"  {'step':55s} {'wall':>7s}          {'own CPU':>7s}          store CPU")
    for name, seconds in TIMES.items():
        store = f"{1000 * STORE_CPU[name] / n:7.1f} ms/call" if name in STORE_CPU else ""
        print(f"  {name:55s} {1000 * seconds / n:7.1f} ms/call  {1000 * OWN_CPU[name] / n:7.1f} ms/call  {store}")
    outside = schema_time - TIMES["track_events (all of the use case)"]
    print(f"  {'GraphQL outside the use case (parse, coerce, given_fields)':55s} {1000 * outside / n:7.1f} ms/call")
    for name, seconds in CPU.items():
        print(f"CPU time of {name}: {1000 * seconds / n:.1f} ms/call")
    if not args.cprofile:
        return
    stream = io.StringIO()
    stats = pstats.Stats(profiler, stream=stream)
    stats.sort_stats(os.environ.get("PROFILE_SORT", "tottime")).print_stats(args.top)
    print(stream.getvalue())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=40)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--mix", choices=["essential", "behavioral"], default="essential")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--no-cprofile", dest="cprofile", action="store_false",
                        help="timers only (cProfile roughly doubles the cost of pure-Python code)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pathwise-profile-") as tmp, embedded_store(Path(tmp), "profile") as state:
        STORE_PID[0] = state.child_pid
        asyncio.run(profile(args, state.uri))


if __name__ == "__main__":
    main()
