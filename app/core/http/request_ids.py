"""Random ids for requests and recommendation lists: 32 hex digits from a generator seeded once from the
system's randomness. `uuid.uuid4()` asks the kernel each time, and that call releases the GIL, so on the
event loop it hands the interpreter to any busy recommender thread for up to a switch interval (5 ms).
These ids correlate requests and feedback; they grant nothing, so they need uniqueness, not secrecy."""

import random

_GENERATOR = random.Random()  # seeded from os.urandom


def new_id() -> str:
    return f"{_GENERATOR.getrandbits(128):032x}"
