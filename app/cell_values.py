"""Converting catalog-file cells (text, or JSON values) into Course field values."""

import ast
import math
import re
from collections.abc import Callable
from typing import Any

Converter = Callable[[Any], Any]


def preview(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def as_text(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value  # left for validation to reject with the field's name


def as_choice(value: Any) -> Any:
    text = as_text(value)
    return text.lower() if isinstance(text, str) else text


_INT_RE = re.compile(r"([+-]?)(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?\s*([kKmM]?)")
_SCALE = {"": 1, "k": 1_000, "m": 1_000_000}


def as_integer(value: Any) -> int:
    """An int from 6706, "6,706", "484.0", "1.2k" or "2.5m"."""
    if type(value) is int or (isinstance(value, float) and value.is_integer()):
        return int(value)
    match = _INT_RE.fullmatch(value.strip()) if isinstance(value, str) else None
    if match is None or (match[3] and not match[4] and match[3].strip(".0")):
        raise ValueError(f"not a whole number: {preview(value)}")
    sign, digits, fraction, suffix = match.groups()
    if not suffix:
        return int(sign + digits.replace(",", ""))
    return round(float(sign + digits.replace(",", "") + (fraction or "")) * _SCALE[suffix.lower()])


def as_number(value: Any) -> float:
    try:
        number = float(value.strip() if isinstance(value, str) else value)
    except (TypeError, ValueError):
        number = math.nan
    if isinstance(value, bool) or not math.isfinite(number):
        raise ValueError(f"not a number: {preview(value)}")
    return number


_BOOLS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}


def as_boolean(value: Any) -> bool:
    key = str(value).strip().lower()
    if key not in _BOOLS:
        raise ValueError(f"not a true/false value: {preview(value)}")
    return _BOOLS[key]


def _literal_list(text: str) -> list[Any]:
    try:  # also reads JSON arrays of strings and numbers
        parsed = ast.literal_eval(text)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        parsed = None
    if not isinstance(parsed, list):
        raise ValueError(f"not a valid list: {preview(text)}")
    return parsed


def _list_items(value: Any) -> list[str]:
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            items = _literal_list(text)
        else:
            separator = next((sep for sep in "|;," if sep in text), "|")
            items = text.split(separator)
    elif isinstance(value, list | tuple):
        items = list(value)
    else:
        raise TypeError(f"expected a list, got {preview(value)}")
    bad = [item for item in items if isinstance(item, bool) or not isinstance(item, str | int | float)]
    if bad:
        raise ValueError(f"list items must be text, got {preview(bad[0])}")
    return [cleaned for item in items if (cleaned := " ".join(str(item).split()))]


def as_string_list(value: Any) -> list[str]:
    return list(dict.fromkeys(_list_items(value)))


CONVERTERS: dict[str, Converter] = {
    "skills": as_string_list, "topics": as_string_list, "instructors": as_string_list,
    "prerequisites": as_string_list, "duration_minutes": as_integer, "rating_count": as_integer,
    "enrollment_count": as_integer, "rating": as_number, "published": as_boolean,
    "level": as_choice, "format": as_choice, "language": as_choice,
}


def as_joined_text(value: Any) -> Any:
    text = as_text(value)
    if isinstance(text, str) and text.startswith("[") and text.endswith("]"):
        return " ".join(_list_items(text))
    return text


_UNDER_RE = re.compile(r"less than (\d+) hours?", re.IGNORECASE)
_RANGE_RE = re.compile(r"(\d+) ?[-\u2013] ?(\d+) (week|month)s?", re.IGNORECASE)


def coursera_minutes(value: Any) -> int:
    text = " ".join(str(value).split())
    if text.isdigit():
        return int(text)
    # Assumption: a learner studies 5 hours a week (a month is 52/12 weeks) for the
    # midpoint of the stated range, and "less than N hours" takes 3/4 of N (2 h -> 90 min).
    if under := _UNDER_RE.fullmatch(text):
        return int(under[1]) * 45
    if span := _RANGE_RE.fullmatch(text):
        weeks = (int(span[1]) + int(span[2])) / 2 * (52 / 12 if span[3].lower() == "month" else 1)
        return round(weeks * 5 * 60)
    raise ValueError(f"unrecognised course length: {preview(value)}")


def coursera_format(value: Any) -> str:
    return "project" if str(value).strip().lower() == "guided project" else "video"
