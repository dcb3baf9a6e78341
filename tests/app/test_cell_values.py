"""Cell conversions for catalog files."""

import pytest

from app.cell_values import as_boolean, as_integer, as_joined_text, as_string_list, coursera_format, coursera_minutes


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
