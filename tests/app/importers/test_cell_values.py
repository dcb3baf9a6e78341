"""Cell conversions for catalog files."""

import pytest

from app.core.documents.courses import CourseLevel
from app.importers.cell_values import (
    as_boolean,
    as_integer,
    as_joined_text,
    as_level,
    as_minutes,
    as_string_list,
    coursera_format,
    coursera_minutes,
    hours_as_minutes,
)


@pytest.mark.parametrize(("cell", "value"), [("6,706", 6706), ("1.2k", 1200), ("2.5m", 2_500_000), ("484.0", 484), (7, 7)])
def test_integers(cell: object, value: int) -> None:
    assert as_integer(cell) == value


@pytest.mark.parametrize("cell", ["ten", "1,23", "nan"])
def test_bad_integers(cell: str) -> None:
    with pytest.raises(ValueError):
        as_integer(cell)


def test_lists_from_python_literals_and_separators() -> None:
    assert as_string_list("['SQL', 'Python', 'SQL']") == ["SQL", "Python"]
    assert as_string_list("Rust|Systems") == ["Rust", "Systems"]
    assert as_string_list("[]") == []
    assert as_joined_text("['one', 'two']") == "one two"


def test_booleans() -> None:
    assert as_boolean("Yes") is True and as_boolean("0") is False
    with pytest.raises(ValueError):
        as_boolean("maybe")


def test_coursera_lengths_and_formats() -> None:
    assert coursera_minutes("Less Than 2 Hours") == 90
    assert coursera_minutes("1 - 4 Weeks") < coursera_minutes("1 - 3 Months") < coursera_minutes("3 - 6 Months")
    with pytest.raises(ValueError):
        coursera_minutes("a while")
    assert coursera_format("Guided Project") == "project" and coursera_format("Course") == "video"


@pytest.mark.parametrize(("cell", "level"), [
    # edX
    ("Introductory", "beginner"), ("Intermediate", "intermediate"), ("Advanced", "advanced"),
    # Udemy
    ("All Levels", "mixed"), ("Beginner Level", "beginner"), ("Intermediate Level", "intermediate"),
    ("Expert Level", "advanced"),
    # Coursera and other common words, in any case and spacing
    ("Beginner", "beginner"), ("Mixed", "mixed"), ("  novice ", "beginner"), ("BASIC", "beginner"),
    ("Foundational", "beginner"), ("expert", "advanced"), ("all_levels", "mixed"), ("Entry level", "beginner"),
    ("Level: Advanced", "advanced"), ("beginner-level", "beginner"),
    # a span of levels is a course for several levels
    ("Beginner to Advanced", "mixed"), ("Beginner/Intermediate", "mixed"), ("Advanced - Expert", "advanced"),
])
def test_levels_from_common_vocabularies(cell: str, level: str) -> None:
    assert as_level(cell) == level
    assert as_level(cell) in set(CourseLevel)


@pytest.mark.parametrize("cell", ["Guru", "", "level", "beginner to guru", 3])
def test_unknown_levels_name_the_value(cell: object) -> None:
    with pytest.raises(ValueError, match=f"unknown level {cell!r}"):
        as_level(cell)


@pytest.mark.parametrize(("cell", "minutes"), [
    (90, 90), ("1,200", 1200), ("1.5 hours", 90), ("2h 30m", 150), ("45 mins", 45), ("6 weeks", 1800),
])
def test_durations_with_units_or_minutes(cell: object, minutes: int) -> None:
    assert as_minutes(cell) == minutes


def test_durations_in_hours() -> None:
    assert hours_as_minutes("1.5") == 90 and hours_as_minutes(2) == 120
    assert hours_as_minutes("1.5 total hours") == 90 and hours_as_minutes("35 mins") == 35


@pytest.mark.parametrize("cell", ["sixty", "3 parsecs", "nan", True])
def test_bad_durations(cell: object) -> None:
    with pytest.raises(ValueError, match="not a duration"):
        as_minutes(cell)
