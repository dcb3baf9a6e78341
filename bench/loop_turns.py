"""How many turns of a busy event loop one store command waits for: PyMongo's async round trip, and the one
Pathwise installs (`app/core/store/wire.py`), side by side.

A server under load runs its event loop at capacity: every callback that is ready waits for the others of the
same turn. This keeps the loop that busy with one callback of `--busy-ms` of CPU per turn, sends one command at a
time on the embedded store (nx-27017), and counts the turns each command took to come back. The command's wall
time is about turns × busy-ms: what one round trip costs a request on a saturated server, however fast the
store answers.

    .venv/bin/python bench/loop_turns.py [--busy-ms 5] [--repeat 5]

Not a test: run it by hand.
"""

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pymongo import AsyncMongoClient

from app.core.store import wire
from app.core.store.embedded import embedded_store


async def measure(uri: str, busy_s: float, repeat: int) -> None:
    client: AsyncMongoClient = AsyncMongoClient(uri)
    collection = client["loop_turns"]["docs"]
    await collection.insert_one({"_id": "learner", "consents": {}})
    loop = asyncio.get_running_loop()
    turns, running = [0], [False]

    def busy_turn() -> None:  # one ready callback per turn, `busy_s` of CPU each
        turns[0] += 1
        until = time.perf_counter() + busy_s
        while time.perf_counter() < until:
            pass
        if running[0]:
            loop.call_soon(busy_turn)

    commands = {
        "find_one": lambda: collection.find_one({"_id": "learner"}, {"consents": 1}),
        "insert_one": lambda: collection.insert_one({"n": 1}),
        "update_one": lambda: collection.update_one({"_id": "learner"}, {"$set": {"n": 2}}),
    }
    for (name, command), kind in [(item, kind) for kind in ("pymongo", "pathwise") for item in commands.items()]:
        if kind == "pymongo":
            wire.uninstall()
        else:
            wire.install()
        counted, walls = [], []
        for _ in range(repeat):
            turns[0], running[0] = 0, True
            loop.call_soon(busy_turn)
            started = time.perf_counter()
            await command()
            walls.append(time.perf_counter() - started)
            running[0] = False
            counted.append(turns[0])
            await asyncio.sleep(0.01)
        wall_ms = statistics.median(walls) * 1000
        print(f"{kind:<8} {name:<11} {statistics.median(counted):4.0f} turns, {wall_ms:6.1f} ms "
              f"(median of {repeat}; a turn is {busy_s * 1000:.0f} ms of other work)")
    await client.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--busy-ms", type=float, default=5.0)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pathwise-turns-") as tmp, embedded_store(Path(tmp), "turns") as state:
        asyncio.run(measure(state.uri, args.busy_ms / 1000, args.repeat))


if __name__ == "__main__":
    main()
