"""app.core.identifiers: the one id rule."""

import pytest

from app.core.identifiers import MAX_ID_LENGTH, id_problem, plain_id


@pytest.mark.parametrize("value", ["u1", "ana@example.com", "course:42/intro", "Ünïcødé-ß", "名前", "a b",
                                   "😀", "x" * MAX_ID_LENGTH, "a$b"])
def test_ordinary_ids_pass(value: str) -> None:
    assert id_problem(value) is None


@pytest.mark.parametrize(("value", "problem"), [
    (None, "must be a string"), (7, "must be a string"), ({"$ne": None}, "must be a string"),
    ("", "may not be empty"), ("x" * (MAX_ID_LENGTH + 1), f"may be at most {MAX_ID_LENGTH} characters long"),
    ("$where", "may not start with '$'"), (" u1", "may not start or end with whitespace"),
    ("u1\u00a0", "may not start or end with whitespace"),
    ("a\x00b", "may not contain control characters"), ("a\tb", "may not contain control characters"),
    ("é\x07", "may not contain the character U+0007 (a control character)"),
    ("ana\u202egnp.exe", "may not contain the character U+202E (an invisible format character)"),
    ("a\u200bb", "may not contain the character U+200B (an invisible format character)"),
    ("\ud800", "may not contain the character U+D800 (a lone surrogate)"),
    ("a\u2028b", "may not contain the character U+2028 (a line separator)"),
])
def test_ids_outside_the_rule_say_why(value: object, problem: str) -> None:
    assert id_problem(value) == problem


def test_a_shorter_limit_can_be_asked_for() -> None:
    assert id_problem("abc", max_length=2) == "may be at most 2 characters long"


def test_plain_id_writes_whole_numbers_as_digits() -> None:
    assert (plain_id(42), plain_id("42"), plain_id(True), plain_id(None)) == ("42", "42", True, None)
