"""Learner response sequences in the 3-lines-per-learner text format (ASSISTments/DKT style): a line with the
number of responses, a line of comma-separated skill ids, a line of comma-separated correctness (0/1).
Blank lines and trailing commas are tolerated; anything else is a `SequenceFormatError` naming the line."""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path


class SequenceFormatError(ValueError):
    """A malformed sequence file: `source` and 1-based `line` say where."""

    def __init__(self, source: str, line: int, message: str) -> None:
        super().__init__(f"{source}, line {line}: {message}")
        self.source = source
        self.line = line


@dataclass(frozen=True)
class LearnerSequence:
    """One learner's responses in order: `skills[i]` answered correctly when `correct[i]` is 1."""

    skills: tuple[int, ...]
    correct: tuple[int, ...]
    line: int = 0  # where the sequence starts in its file (0 when not read from a file)

    def __len__(self) -> int:
        return len(self.skills)


def read_sequences(path: Path) -> list[LearnerSequence]:
    """Every sequence of the file at `path`."""
    with path.open(encoding="utf-8") as handle:
        return list(parse_sequences(handle, str(path)))


def parse_sequences(lines: Iterable[str], source: str = "<text>") -> Iterator[LearnerSequence]:
    """Sequences from the lines of a file, in order."""
    records = _non_blank(lines)
    for number, count_text in records:
        count = _integer(count_text, source, number, "the response count")
        if count < 0:
            raise SequenceFormatError(source, number, f"the response count is negative ({count})")
        if count == 0:
            continue
        skills_at, skills = _next_row(records, source, number, "skill ids")
        correct_at, correct = _next_row(records, source, number, "correctness values")
        yield _sequence(count, (skills_at, skills), (correct_at, correct), source, number)


def _non_blank(lines: Iterable[str]) -> Iterator[tuple[int, str]]:
    for number, line in enumerate(lines, start=1):
        text = line.strip().rstrip(",").strip()
        if text:
            yield number, text


def _next_row(records: Iterator[tuple[int, str]], source: str, start: int, what: str) -> tuple[int, list[int]]:
    found = next(records, None)
    if found is None:
        raise SequenceFormatError(source, start, f"the sequence starting here has no line of {what}")
    number, text = found
    return number, [_integer(cell, source, number, what) for cell in text.split(",")]


def _integer(text: str, source: str, line: int, what: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise SequenceFormatError(source, line, f"{what} must be integers, got {text.strip()[:30]!r}") from None


def _sequence(count: int, skills: tuple[int, list[int]], correct: tuple[int, list[int]],
              source: str, start: int) -> LearnerSequence:
    for number, values in (skills, correct):
        if len(values) != count:
            raise SequenceFormatError(source, number, f"{len(values)} values where the count says {count}")
    bad = [value for value in correct[1] if value not in (0, 1)]
    if bad:
        raise SequenceFormatError(source, correct[0], f"correctness must be 0 or 1, got {bad[0]}")
    return LearnerSequence(tuple(skills[1]), tuple(correct[1]), start)


def split_files(directory: Path) -> tuple[list[Path], list[Path]]:
    """The `*train*.csv` and `*test*.csv` files of a dataset folder; a ValueError says what is missing."""
    if not directory.is_dir():
        raise ValueError(f"{directory} is not a folder")
    train = sorted(directory.glob("*train*.csv"))
    test = sorted(directory.glob("*test*.csv"))
    for kind, files in (("train", train), ("test", test)):
        if not files:
            raise ValueError(f"{directory} has no *{kind}*.csv file")
    return train, test


def read_all(paths: Iterable[Path]) -> list[LearnerSequence]:
    """The sequences of several files, in order."""
    return [sequence for path in paths for sequence in read_sequences(path)]
