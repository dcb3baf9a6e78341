"""Converting catalog-file cells (text, or JSON values) into Course field values."""

import ast
import math
import re
from collections.abc import Callable
from typing import Any

from app.core.documents.courses import CourseLevel

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


_LEVEL_WORDS: dict[CourseLevel, tuple[str, ...]] = {
    CourseLevel.BEGINNER: ("beginner", "beginners", "introductory", "intro", "introduction", "novice", "basic",
                           "basics", "foundational", "foundation", "fundamentals", "elementary", "entry",
                           "starter", "easy", "101"),
    CourseLevel.INTERMEDIATE: ("intermediate", "medium", "moderate", "improver"),
    CourseLevel.ADVANCED: ("advanced", "expert", "experts", "hard", "difficult", "mastery"),
    # A course for every level; the enum's MIXED is also what a span such as "Beginner to Advanced" becomes.
    CourseLevel.MIXED: ("mixed", "all", "any", "everyone", "all audiences"),
}
_LEVELS = {word: level.value for level, words in _LEVEL_WORDS.items() for word in words}
_LEVEL_NOISE_RE = re.compile(r"\blevels?\b|:")
_LEVEL_SPAN_RE = re.compile(r"\s*(?:/|,|&|\+|\bto\b|\band\b|\bor\b|[-\u2013])\s*")


def as_level(value: Any) -> str:
    """A CourseLevel value from "Introductory", "Beginner Level", "All Levels", "Expert", "Beginner/Intermediate"…"""
    text = _LEVEL_NOISE_RE.sub(" ", value.casefold().replace("_", " ")) if isinstance(value, str) else ""
    if level := _LEVELS.get(" ".join(text.split())):
        return level
    parts = [_LEVELS.get(part.strip()) for part in _LEVEL_SPAN_RE.split(text) if part.strip()]
    known = [part for part in parts if part]
    if known and len(known) == len(parts):
        return known[0] if len(set(known)) == 1 else CourseLevel.MIXED.value
    raise ValueError(f"unknown level {preview(value)} (expected beginner, intermediate, advanced or mixed, "
                     "or a common name for one)")


_MINUTES_PER = {"m": 1, "min": 1, "mins": 1, "minute": 1, "minutes": 1, "h": 60, "hr": 60, "hrs": 60,
                "hour": 60, "hours": 60, "wk": 300, "wks": 300, "week": 300, "weeks": 300}
_DURATION_RE = re.compile(r"(?:\d+(?:\.\d+)?\s*[a-z]+\s*)+")
_SPAN_RE = re.compile(r"(\d+(?:\.\d+)?)\s*([a-z]+)")


def _minutes(value: Any, bare_unit: int) -> int:
    text = " ".join(value.lower().replace("total", " ").split()) if isinstance(value, str) else ""
    if _DURATION_RE.fullmatch(text):
        spans = _SPAN_RE.findall(text)
        if all(unit in _MINUTES_PER for _, unit in spans):  # a week of study is 5 hours, as for Coursera
            return round(sum(float(number) * _MINUTES_PER[unit] for number, unit in spans))
    try:
        number: float = as_integer(value)
    except ValueError:
        try:
            number = as_number(value)
        except ValueError:
            raise ValueError(f"not a duration: {preview(value)}") from None
    return round(number * bare_unit)


def as_minutes(value: Any) -> int:
    """Minutes from 90, "1,200", "1.5 hours", "2h 30m" or "6 weeks"; a bare number is minutes."""
    return _minutes(value, 1)


def hours_as_minutes(value: Any) -> int:
    """Minutes from a column in hours (Udemy's `content_duration`): "1.5" is 90; units are honoured."""
    return _minutes(value, 60)


CONVERTERS: dict[str, Converter] = {
    "skills": as_string_list, "topics": as_string_list, "instructors": as_string_list,
    "prerequisites": as_string_list, "duration_minutes": as_minutes, "rating_count": as_integer,
    "enrollment_count": as_integer, "rating": as_number, "published": as_boolean,
    "level": as_level, "format": as_choice, "language": as_choice,
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
