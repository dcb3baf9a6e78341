"""CLI commands that import the practice catalog: `import-skills` and `import-exercises`."""

import csv
import io
import json
import re
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Annotated, Any

import typer

from app.cli.common import DataDir, err, out, run_with_database, settings_for
from app.core.timestamps import utcnow
from app.importers.course_files import RowError
from app.importers.import_reports import ImportSummary, print_summary, record_import
from resolvers.courses.courses import UpsertReport
from resolvers.errors import UseCaseError
from resolvers.practice.catalog import EXERCISE_FIELDS, SKILL_FIELDS, upsert_exercises, upsert_skills

Upsert = Callable[[list[dict[str, Any]], int], Awaitable[UpsertReport]]
KINDS: dict[str, tuple[tuple[str, ...], Upsert]] = {
    "skills": (SKILL_FIELDS, upsert_skills),
    "exercises": (EXERCISE_FIELDS, upsert_exercises),
}
LIST_FIELDS = frozenset({"prerequisites", "topics", "skills", "choices", "answers"})
Record = tuple[int, dict[str, Any]]


class PracticeFileError(Exception):
    """The whole file is unusable; the message says why."""


def read_records(path: Path, fields: tuple[str, ...], file_format: str = "auto") -> Iterator[Record | RowError]:
    """(line, fields) per good record of a JSON Lines or CSV file, a RowError per unreadable one.
    CSV list cells are separated by `|` (or `;` when there is no `|`). File problems raise at once."""
    text = _read_text(path)
    file_format = file_format.strip().lower()
    if file_format == "auto":
        file_format = "csv" if path.suffix.lower() == ".csv" or not text.lstrip().startswith("{") else "jsonl"
    if file_format == "csv":
        return _csv_records(text, fields)
    if file_format in {"jsonl", "ndjson"}:
        return _jsonl_records(text)
    raise PracticeFileError(f"unknown file format {file_format!r}: use auto, csv or jsonl")


def _read_text(path: Path) -> str:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise PracticeFileError(f"{path}: cannot read the file ({exc.strerror or exc})") from None
    except UnicodeDecodeError as exc:
        raise PracticeFileError(f"{path}: not UTF-8 text (bad byte at offset {exc.start})") from None
    if not text.strip():
        raise PracticeFileError(f"{path}: the file is empty")
    return text


def _jsonl_records(text: str) -> Iterator[Record | RowError]:
    for line, raw in enumerate(text.split("\n"), start=1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
        except (json.JSONDecodeError, RecursionError) as exc:
            yield RowError(line, f"invalid JSON: {getattr(exc, 'msg', 'nested too deeply')}")
            continue
        yield (line, record) if isinstance(record, dict) else RowError(line, "expected a JSON object")


def _column_field(column: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", column.strip()).replace("-", "_").replace(" ", "_").lower()


def _csv_records(text: str, fields: tuple[str, ...]) -> Iterator[Record | RowError]:
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [_column_field(cell) for cell in next(reader, [])]
    unknown = sorted(set(header) - {"id", *fields})
    if "id" not in header or unknown:
        raise PracticeFileError(f"the header needs an `id` column and only these others: {', '.join(fields)}"
                                + (f"; unknown: {', '.join(unknown)}" if unknown else ""))
    return _csv_rows(reader, header)


def _csv_rows(reader: Any, header: list[str]) -> Iterator[Record | RowError]:
    start = reader.line_num + 1
    while (cells := _next_cells(reader, start)) is not None:
        if isinstance(cells, RowError):
            yield cells
        elif len(cells) > len(header):
            yield RowError(start, f"row has {len(cells)} cells but the header has {len(header)}")
        elif any(cell.strip() for cell in cells):
            yield start, {name: _cell(name, cell) for name, cell in zip(header, cells, strict=False) if cell.strip()}
        start = reader.line_num + 1


def _next_cells(reader: Any, line: int) -> list[str] | RowError | None:
    try:
        return next(reader, None)
    except csv.Error as exc:  # the reader goes on with the next line
        return RowError(line, f"CSV syntax error: {exc}")


def _cell(name: str, cell: str) -> Any:
    if name not in LIST_FIELDS:
        return cell.strip()
    separator = "|" if "|" in cell else ";"
    return [part.strip() for part in cell.split(separator) if part.strip()]


async def import_practice_file(path: Path, kind: str, file_format: str, max_batch: int) -> ImportSummary:
    """Upsert the file's skills or exercises in batches of `max_batch`; bad rows are named by line. The run is
    recorded (`catalogImports`)."""
    fields, upsert = KINDS[kind]
    started, summary = utcnow(), ImportSummary()
    batch: list[Record] = []
    for row in read_records(path, fields, file_format):
        summary.read += 1
        if isinstance(row, RowError):
            summary.bad.append(row)
        else:
            batch.append(row)
        if len(batch) >= max_batch:
            await _flush(batch, upsert, summary)
    await _flush(batch, upsert, summary)
    await record_import(kind, path, summary, started)
    return summary


async def _flush(batch: list[Record], upsert: Upsert, summary: ImportSummary) -> None:
    if not batch:
        return
    report = await upsert([record for _, record in batch], len(batch))
    summary.created += len(report.created)
    summary.updated += len(report.updated)
    summary.unchanged += len(report.unchanged)
    for problem in report.problems:
        line = batch[problem.index][0] if problem.index is not None else 0
        where = f"{problem.field}: " if problem.field else ""
        summary.bad.append(RowError(line, f"{where}{problem.message}"))
    batch.clear()


def _run_import(kind: str, file: Path, file_format: str, data_dir: Path | None) -> None:
    settings = settings_for(data_dir)
    try:
        read_records(file, KINDS[kind][0], file_format)  # fail fast on an unusable file
        summary = run_with_database(settings, f"pathwise import-{kind}", lambda: import_practice_file(
            file, kind, file_format, settings.max_courses_per_batch))
    except (PracticeFileError, UseCaseError) as error:
        err.print(f"[red]error:[/red] {error}")
        raise typer.Exit(2) from error
    print_summary(summary, out, err)
    if summary.bad:
        raise typer.Exit(1)


FileArgument = Annotated[Path, typer.Argument(help="JSON Lines, or CSV with a header row (lists split by | or ;).")]
FormatOption = Annotated[str, typer.Option("--format", help="auto, csv or jsonl.")]


def import_skills(file: FileArgument, file_format: FormatOption = "auto", data_dir: DataDir = None) -> None:
    """Upsert skills by id. Prerequisites must be stored or in the same batch (1,000 rows) and acyclic."""
    _run_import("skills", file, file_format, data_dir)


def import_exercises(file: FileArgument, file_format: FormatOption = "auto", data_dir: DataDir = None) -> None:
    """Upsert exercises by id; their skills must be imported first. Bad rows are reported by line and skipped."""
    _run_import("exercises", file, file_format, data_dir)
