"""resolvers.free_form: what a free-form dict (`attributes`, `properties`) may hold."""

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from resolvers.free_form import MAX_BYTES, MAX_DEPTH, _encoded_size, free_form_problem, scalar_problem, unstorable


def _nested_dicts(depth: int) -> dict[str, Any]:
    """`depth` dicts nested in one another, the innermost holding a scalar."""
    value: Any = 1
    for level in range(depth):
        value = {f"k{level}": value}
    return value  # type: ignore[no-any-return]


def test_limits() -> None:
    assert MAX_DEPTH == 5
    assert MAX_BYTES == 16 * 1024


@pytest.mark.parametrize(
    "value",
    [
        {},
        {"a": 1, "b": "two", "c": None, "d": True, "e": 1.5, "f": [1, "x", None]},
        {"nested": {"list": [{"ok": 1}]}},
    ],
)
def test_plain_objects_are_accepted(value: dict[str, Any]) -> None:
    assert free_form_problem(value) is None


def test_dollar_and_unicode_inside_keys_are_accepted() -> None:
    assert free_form_problem({"ünïcode": "välue", "with space": 1, "price$": 1, "a-b": 2}) is None


@pytest.mark.parametrize("value", [[], "x", 1, None, ["a"], (("a", 1),)])
def test_non_objects_are_refused(value: Any) -> None:
    assert free_form_problem(value) == "must be a JSON object"


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ({"$where": "1"}, "has key '$where': keys may not start with '$'"),
        ({"ok": {"$gt": 1}}, "has key '$gt': keys may not start with '$'"),
        ({"ok": [{"$set": 1}]}, "has key '$set': keys may not start with '$'"),
        ({"a.b": 1}, "has key 'a.b': keys may not contain '.' or NUL"),
        ({"ok": {"x.": 1}}, "has key 'x.': keys may not contain '.' or NUL"),
        ({"a\0b": 1}, "has key 'a\\x00b': keys may not contain '.' or NUL"),
        ({"": 1}, "has an empty or non-string key"),
        ({1: "x"}, "has an empty or non-string key"),
        ({"ok": {None: "x"}}, "has an empty or non-string key"),
    ],
)
def test_bad_keys_are_refused_anywhere(value: dict[Any, Any], problem: str) -> None:
    assert free_form_problem(value) == problem


def test_depth_five_is_accepted_depth_six_is_refused() -> None:
    assert free_form_problem(_nested_dicts(5)) is None
    assert free_form_problem(_nested_dicts(6)) == "nests deeper than 5 levels"


def test_lists_count_as_levels() -> None:
    # dict(1) > list(2) > list(3) > list(4) > list(5): accepted; one more list: refused
    assert free_form_problem({"a": [[[[1]]]]}) is None
    assert free_form_problem({"a": [[[[[1]]]]]}) == "nests deeper than 5 levels"
    assert free_form_problem({"a": [{"b": [{"c": 1}]}]}) is None
    assert free_form_problem({"a": [{"b": [{"c": {}}]}]}) == "nests deeper than 5 levels"


def test_empty_containers_deeper_than_five_are_refused() -> None:
    assert free_form_problem({"a": {"b": {"c": {"d": {"e": {}}}}}}) == "nests deeper than 5 levels"
    assert free_form_problem({"a": {"b": {"c": {"d": {"e": []}}}}}) == "nests deeper than 5 levels"


def test_size_limit_is_16_kib_of_utf8_json() -> None:
    overhead = len(json.dumps({"k": ""}).encode())
    exactly = {"k": "x" * (MAX_BYTES - overhead)}
    assert len(json.dumps(exactly).encode()) == MAX_BYTES
    assert free_form_problem(exactly) is None
    one_more = {"k": "x" * (MAX_BYTES - overhead + 1)}
    assert free_form_problem(one_more) == f"is {MAX_BYTES + 1} bytes; at most {MAX_BYTES} are allowed"


def test_size_counts_utf8_bytes_not_characters() -> None:
    # 6,000 "é" are 6,000 characters but 12,000 bytes; 9,000 are 18,000 bytes
    assert free_form_problem({"k": "é" * 6_000}) is None
    problem = free_form_problem({"k": "é" * 9_000})
    assert problem == f"is {18_000 + len(json.dumps({'k': ''}))} bytes; at most {MAX_BYTES} are allowed"


def test_non_json_values_are_sized_as_strings() -> None:
    from datetime import UTC, datetime

    assert free_form_problem({"when": datetime(2024, 1, 1, tzinfo=UTC)}) is None


# --- properties ----------------------------------------------------------------------------------------------

SAFE_KEYS = st.from_regex(r"[a-zA-Z_][a-zA-Z0-9_]{0,11}", fullmatch=True)
SCALARS = st.none() | st.booleans() | st.integers(-(2**31), 2**31) | st.text(max_size=20) | st.floats(
    allow_nan=False, allow_infinity=False
)


def _values(depth: int) -> st.SearchStrategy[Any]:
    """JSON values whose containers sit at most at `depth` (the top object is depth 1)."""
    if depth > MAX_DEPTH:
        return SCALARS
    return SCALARS | st.lists(_values(depth + 1), max_size=3) | st.dictionaries(
        SAFE_KEYS, _values(depth + 1), max_size=3
    )


SAFE_OBJECTS = st.dictionaries(SAFE_KEYS, _values(2), max_size=4)
BAD_KEYS = st.one_of(
    st.from_regex(r"\$[a-zA-Z]{0,8}", fullmatch=True),
    st.from_regex(r"[a-z]{0,4}\.[a-z]{0,4}", fullmatch=True),
    st.from_regex(r"[a-z]{0,4}\x00[a-z]{0,4}", fullmatch=True),
    st.just(""),
)


def _depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    return 0


def _insert_key(value: dict[str, Any], path: list[int], key: str) -> dict[str, Any]:
    """A copy of `value` with `key` added to the object that `path` (choice indexes) leads to."""
    objects: list[dict[str, Any]] = []

    def collect(node: Any) -> None:
        if isinstance(node, dict):
            objects.append(node)
            for item in node.values():
                collect(item)
        elif isinstance(node, list):
            for item in node:
                collect(item)

    copy = json.loads(json.dumps(value))
    collect(copy)
    target = objects[path[0] % len(objects)]
    target[key] = "x"
    return copy  # type: ignore[no-any-return]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(SAFE_OBJECTS)
def test_property_safe_small_shallow_objects_are_accepted(value: dict[str, Any]) -> None:
    assert _depth(value) <= MAX_DEPTH
    assert len(json.dumps(value, ensure_ascii=False).encode()) <= MAX_BYTES
    assert free_form_problem(value) is None


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(SAFE_OBJECTS, st.lists(st.integers(0, 1_000), min_size=1, max_size=1), BAD_KEYS)
def test_property_a_bad_key_anywhere_is_refused(value: dict[str, Any], path: list[int], key: str) -> None:
    poisoned = _insert_key(value, path, key)
    problem = free_form_problem(poisoned)
    assert problem is not None
    assert problem.startswith("has ")


@settings(max_examples=100, deadline=None)
@given(SAFE_KEYS, st.integers(MAX_DEPTH + 1, MAX_DEPTH + 4))
def test_property_objects_deeper_than_five_are_refused(key: str, depth: int) -> None:
    value: Any = {key: 1}
    for _ in range(depth - 1):
        value = {key: value}
    assert free_form_problem(value) == "nests deeper than 5 levels"


@pytest.mark.parametrize("value", [{"a": 1, "b": [1.5, None, True]}, {"ünïcode": "välue €"}, {"at": date(2026, 1, 15)},
                                   {"control": "\n\t\x01"}])
def test_encoded_size_is_that_of_json_dumps(value: dict[str, Any]) -> None:
    assert _encoded_size(value) == len(json.dumps(value, ensure_ascii=False, default=str).encode())


@pytest.mark.parametrize(("value", "problem"), [
    ({"x": float("nan")}, "has a number that is not finite (NaN or Infinity)"),
    ({"x": [1, float("-inf")]}, "has a number that is not finite (NaN or Infinity)"),
    ({"x": 2**63}, "has an integer beyond 64 bits"),
    ({"x": -(2**63) - 1}, "has an integer beyond 64 bits"),
    ({"x": "ok\ud800"}, "has a lone surrogate in 'ok\\ud800'"),
    ({"k\udfff": 1}, "has a lone surrogate in 'k\\udfff'"),
])
def test_values_no_store_can_keep_are_refused(value: dict[str, object], problem: str) -> None:
    assert free_form_problem(value) == problem


def test_64_bit_integers_and_ordinary_text_are_kept() -> None:
    assert free_form_problem({"min": -(2**63), "max": 2**63 - 1, "text": "café 😀", "flag": True}) is None


@pytest.mark.parametrize(("value", "problem"), [
    (datetime(1, 1, 1, tzinfo=UTC), "has a date-time outside the years 1970–9998"),
    (datetime(9999, 12, 31, tzinfo=UTC), "has a date-time outside the years 1970–9998"),
    ([{"deep": [float("inf")]}], "has a number that is not finite (NaN or Infinity)"),
    (("\ud800",), "has a lone surrogate in '\\ud800'"),
])
def test_unstorable_walks_any_value(value: object, problem: str) -> None:
    assert unstorable(value) == problem


def test_unstorable_stops_at_a_depth() -> None:
    nested: list[object] = []
    for _ in range(40):
        nested = [nested]
    assert unstorable(nested) == "nests deeper than 32 levels"
    assert unstorable({"when": datetime(2026, 1, 1, tzinfo=UTC), "n": 1.5}) is None


def _unstorable_by_definition(value: object, depth: int = 0, max_depth: int = 32) -> str | None:
    """The plain recursive definition `unstorable` keeps to, with its fast paths taken out."""
    if isinstance(value, dict):
        if depth > max_depth:
            return f"nests deeper than {max_depth} levels"
        return next((problem for key, item in value.items()
                     if (problem := scalar_problem(key) or _unstorable_by_definition(item, depth + 1, max_depth))),
                    None)
    if isinstance(value, list | tuple):
        if depth > max_depth:
            return f"nests deeper than {max_depth} levels"
        return next((problem for item in value if (problem := _unstorable_by_definition(item, depth + 1, max_depth))),
                    None)
    return scalar_problem(value)


_SCALARS = (st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70)
            | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=6)
            | st.text(alphabet=st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF), max_size=2)
            | st.datetimes(timezones=st.just(UTC)))
_VALUES = st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner)
                       | st.dictionaries(st.text(max_size=4) | st.integers(), inner, max_size=4), max_leaves=30)


class _Mapping(dict):  # type: ignore[type-arg]
    """A dict subclass: walked like a dict."""


@given(_VALUES, st.integers(min_value=0, max_value=4))
def test_unstorable_matches_its_plain_definition(value: object, max_depth: int) -> None:
    assert unstorable(value, max_depth=max_depth) == _unstorable_by_definition(value, max_depth=max_depth)
    wrapped = _Mapping({"x": value})
    assert unstorable(wrapped, max_depth=max_depth) == _unstorable_by_definition(wrapped, max_depth=max_depth)


_JSON_SCALARS = st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.floats(
    allow_nan=False, allow_infinity=False) | st.text(st.characters(exclude_categories=["Cs"]), max_size=20) | st.dates()
_JSON_VALUES = st.recursive(_JSON_SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
    st.text(max_size=8), inner, max_size=4), max_leaves=20)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.text(max_size=8), _JSON_VALUES, max_size=5))
def test_the_repr_bound_of_the_size_is_never_below_it(value: dict[str, Any]) -> None:
    """free_form_problem skips encoding a value whose `repr` bounds its JSON size below the limit."""
    assert _encoded_size(value) <= 6 * len(repr(value))


def test_a_value_near_the_size_limit_is_still_measured() -> None:
    """Control characters take 6 bytes of JSON: the bound must not let a value over the limit through."""
    value = {"x": "\x01" * (MAX_BYTES // 6 + 1)}
    assert free_form_problem(value) == f"is {_encoded_size(value)} bytes; at most {MAX_BYTES} are allowed"
    assert free_form_problem({"x": "a" * (MAX_BYTES - 20)}) is None
