"""Checks for free-form dicts (`attributes`, `properties`) before they reach MongoDB."""

import json
from typing import Any

MAX_DEPTH = 5
MAX_BYTES = 16 * 1024


def free_form_problem(value: Any, max_bytes: int = MAX_BYTES, max_depth: int = MAX_DEPTH) -> str | None:
    """Why `value` may not be stored as a free-form dict, or None when it may (limits: see the defaults)."""
    if not isinstance(value, dict):
        return "must be a JSON object"
    problem = _walk(value, depth=1, max_depth=max_depth)
    if problem:
        return problem
    size = len(json.dumps(value, ensure_ascii=False, default=str).encode())
    if size > max_bytes:
        return f"is {size} bytes; at most {max_bytes} are allowed"
    return None


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
    return None


def _key_problem(key: Any) -> str | None:
    if not isinstance(key, str) or not key:
        return "has an empty or non-string key"
    if key.startswith("$"):
        return f"has key {key!r}: keys may not start with '$'"
    if "." in key or "\0" in key:
        return f"has key {key!r}: keys may not contain '.' or NUL"
    return None
