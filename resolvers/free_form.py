"""Checks for free-form dicts (`attributes`, `properties`) before they reach MongoDB."""

import json
from typing import Any

MAX_DEPTH = 5
MAX_BYTES = 16 * 1024


def free_form_problem(value: Any) -> str | None:
    """Why `value` may not be stored as a free-form dict, or None when it may."""
    if not isinstance(value, dict):
        return "must be a JSON object"
    problem = _walk(value, depth=1)
    if problem:
        return problem
    size = len(json.dumps(value, ensure_ascii=False, default=str).encode())
    if size > MAX_BYTES:
        return f"is {size} bytes; at most {MAX_BYTES} are allowed"
    return None


def _walk(value: Any, depth: int) -> str | None:
    if isinstance(value, dict):
        if depth > MAX_DEPTH:
            return f"nests deeper than {MAX_DEPTH} levels"
        for key, item in value.items():
            problem = _key_problem(key) or _walk(item, depth + 1)
            if problem:
                return problem
    elif isinstance(value, list):
        if depth > MAX_DEPTH:
            return f"nests deeper than {MAX_DEPTH} levels"
        for item in value:
            problem = _walk(item, depth + 1)
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
