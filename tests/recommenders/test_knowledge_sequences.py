from pathlib import Path

import pytest

from recommenders.knowledge.sequences import (
    LearnerSequence,
    SequenceFormatError,
    parse_sequences,
    read_all,
    read_sequences,
    split_files,
)


def parse(text: str) -> list[LearnerSequence]:
    return list(parse_sequences(text.splitlines(), "data.csv"))


def test_reads_sequences_with_blank_lines_and_trailing_commas() -> None:
    sequences = parse("3\n1,2,1,\n0,1,1,\n\n\n2\n5,5\n1,0\n")
    assert [(s.skills, s.correct, s.line) for s in sequences] == [((1, 2, 1), (0, 1, 1), 1), ((5, 5), (1, 0), 6)]


def test_an_empty_sequence_is_skipped() -> None:
    assert [s.skills for s in parse("0\n\n\n1\n4\n1\n")] == [(4,)]


@pytest.mark.parametrize(("text", "line", "words"), [
    ("3\n1,2\n0,1\n", 2, "2 values where the count says 3"),
    ("2\n1,2\n0,1,1\n", 3, "3 values where the count says 2"),
    ("2\n1,x\n0,1\n", 2, "skill ids must be integers"),
    ("2\n1,2\n0,2\n", 3, "correctness must be 0 or 1"),
    ("two\n1,2\n0,1\n", 1, "the response count must be integers"),
    ("1\n1\n1\n2\n1,2\n", 4, "no line of correctness"),
    ("-1\n", 1, "negative"),
])
def test_malformed_input_names_the_line(text: str, line: int, words: str) -> None:
    with pytest.raises(SequenceFormatError) as raised:
        parse(text)
    assert raised.value.line == line
    assert f"data.csv, line {line}: " in str(raised.value)
    assert words in str(raised.value)


def test_format_errors_are_value_errors() -> None:
    assert issubclass(SequenceFormatError, ValueError)


def test_read_sequences_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "a_train.csv"
    path.write_text("2\n1,2\n1\n", encoding="utf-8")
    with pytest.raises(SequenceFormatError, match=r"a_train\.csv, line 3"):
        read_sequences(path)


def test_split_files_finds_train_and_test(tmp_path: Path) -> None:
    for name in ("b_train.csv", "a_train.csv", "x_test.csv", "notes.txt"):
        (tmp_path / name).write_text("1\n1\n1\n", encoding="utf-8")
    train, test = split_files(tmp_path)
    assert [p.name for p in train] == ["a_train.csv", "b_train.csv"]
    assert [p.name for p in test] == ["x_test.csv"]
    assert len(read_all(train)) == 2


def test_split_files_says_what_is_missing(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="is not a folder"):
        split_files(tmp_path / "absent")
    (tmp_path / "a_train.csv").write_text("", encoding="utf-8")
    with pytest.raises(ValueError, match=r"no \*test\*\.csv file"):
        split_files(tmp_path)
