"""Checks for free-form dicts (`attributes`, `properties`) before they reach MongoDB, and the check that any
value can be stored at all (BSON and the store refuse NaN, integers beyond 64 bits, lone surrogates)."""

import json
import math
from datetime import datetime
from typing import Any

MAX_DEPTH = 5
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
MIN_YEAR, MAX_YEAR = 1970, 9998  # a stored date-time, in any time zone, stays a valid UTC date-time
MAX_BYTES = 16 * 1024
# One encoder for every check: `json.dumps` with options builds a new JSONEncoder per call.
_ENCODER = json.JSONEncoder(ensure_ascii=False, default=str)
# A bound of the JSON's size from the dict's `repr`, ~2× as fast as encoding it (every event's properties are
# checked): each character `repr` writes for a string becomes at most 6 bytes of JSON (a control character's
# `\u0001`; other characters take at most 4 bytes of UTF-8), and numbers, booleans, null, quotes and separators
# are no longer in JSON than in `repr` (the walk has refused non-finite numbers before this is read).
_MAX_BYTES_PER_REPR_CHAR = 6


def free_form_problem(value: Any, max_bytes: int = MAX_BYTES, max_depth: int = MAX_DEPTH) -> str | None:
    """Why `value` may not be stored as a free-form dict, or None when it may (limits: see the defaults)."""
    if not isinstance(value, dict):
        return "must be a JSON object"
    problem = _walk(value, depth=1, max_depth=max_depth)
    if problem:
        return problem
    if len(repr(value)) * _MAX_BYTES_PER_REPR_CHAR <= max_bytes:  # small for sure: no need to encode it
        return None
    size = _encoded_size(value)
    if size > max_bytes:
        return f"is {size} bytes; at most {max_bytes} are allowed"
    return None


def _encoded_size(value: dict[str, Any]) -> int:
    """Bytes of `value` in UTF-8 as `json.dumps` writes it (values JSON does not know as their `str`)."""
    text = _ENCODER.encode(value)
    return len(text) if text.isascii() else len(text.encode())


def _walk(value: Any, depth: int, max_depth: int = MAX_DEPTH) -> str | None:
    if isinstance(value, dict):
        if depth > max_depth:
            return f"nests deeper than {max_depth} levels"
        for key, item in value.items():
            problem = _key_problem(key) or _walk(item, depth + 1, max_depth)
            if problem:
                return problem
    elif isinstance(value, list):
        if depth > max_depth:
            return f"nests deeper than {max_depth} levels"
        for item in value:
            problem = _walk(item, depth + 1, max_depth)
            if problem:
                return problem
    else:
        return scalar_problem(value)
    return None


def unstorable(value: Any, depth: int = 0, max_depth: int = 32) -> str | None:
    """Why `value` (a dict, list or scalar, nested at most `max_depth` deep) cannot be stored, or None.

    Every event of a batch goes through this, so the common scalars (ASCII text, booleans, None, 64-bit
    integers) are passed over inline rather than by a call each: ~8 → ~3 µs for a typical event with its
    context and properties (tests/resolvers/test_free_form.py holds the plain recursive definition and
    compares the two)."""
    if type(value) is str:  # the common case first: plain text is fine
        return None if value.isascii() else scalar_problem(value)
    if not isinstance(value, dict | list | tuple):
        return scalar_problem(value)
    if depth > max_depth:
        return f"nests deeper than {max_depth} levels"
    if not isinstance(value, dict):
        return next((problem for item in value if (problem := _item_problem(item, depth, max_depth))), None)
    for key, item in value.items():
        if type(key) is str and key.isascii() and type(item) is str and item.isascii():
            continue  # most of an event's entries: text under a text key
        problem = (None if type(key) is str and key.isascii() else unstorable(key)) or _item_problem(
            item, depth, max_depth)
        if problem:
            return problem
    return None


def _item_problem(item: Any, depth: int, max_depth: int) -> str | None:
    """`unstorable` of a container's item, without the call for the scalars that are always fine."""
    kind = type(item)
    if (kind is str and item.isascii()) or kind is bool or item is None or (
            kind is int and INT64_MIN <= item <= INT64_MAX):
        return None
    return unstorable(item, depth + 1, max_depth)


def scalar_problem(value: Any) -> str | None:
    """Why a single value cannot be stored: a non-finite number, an integer beyond 64 bits, a string that is
    not valid Unicode (a lone surrogate), a date-time outside the years 1970–9998; or None."""
    if isinstance(value, str):
        return None if value.isascii() or _encodes(value) else f"has a lone surrogate in {_excerpt(value)}"
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return None if INT64_MIN <= value <= INT64_MAX else "has an integer beyond 64 bits"
    if isinstance(value, float):
        return None if math.isfinite(value) else "has a number that is not finite (NaN or Infinity)"
    if isinstance(value, datetime) and not MIN_YEAR <= value.year <= MAX_YEAR:
        return f"has a date-time outside the years {MIN_YEAR}–{MAX_YEAR}"
    return None


def _encodes(text: str) -> bool:
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def _excerpt(text: str) -> str:
    return ascii(text[:40])


def _key_problem(key: Any) -> str | None:
    if not isinstance(key, str) or not key:
        return "has an empty or non-string key"
    problem = scalar_problem(key)
    if problem:
        return problem
    if key.startswith("$"):
        return f"has key {key!r}: keys may not start with '$'"
    if "." in key or "\0" in key:
        return f"has key {key!r}: keys may not contain '.' or NUL"
    return None
