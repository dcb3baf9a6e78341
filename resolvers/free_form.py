"""Checks for free-form dicts (`attributes`, `properties`) before they reach MongoDB."""

import json
from typing import Any

MAX_DEPTH = 5
MAX_BYTES = 16 * 1024
# One encoder for every check: `json.dumps` with options builds a new JSONEncoder per call.
_ENCODER = json.JSONEncoder(ensure_ascii=False, default=str)


def free_form_problem(value: Any, max_bytes: int = MAX_BYTES, max_depth: int = MAX_DEPTH) -> str | None:
    """Why `value` may not be stored as a free-form dict, or None when it may (limits: see the defaults)."""
    if not isinstance(value, dict):
        return "must be a JSON object"
    problem = _walk(value, depth=1, max_depth=max_depth)
    if problem:
        return problem
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
    return None


def _key_problem(key: Any) -> str | None:
    if not isinstance(key, str) or not key:
        return "has an empty or non-string key"
    if key.startswith("$"):
        return f"has key {key!r}: keys may not start with '$'"
    if "." in key or "\0" in key:
        return f"has key {key!r}: keys may not contain '.' or NUL"
    return None
